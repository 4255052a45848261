package feeds

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"newsbot/store"
	"newsbot/stories"
)

// RecentStore is what a StoryIndex reads to learn the stories other
// processes (or this one before a restart) assigned.
type RecentStore interface {
	RecentArticles(ctx context.Context, since time.Time, limit int) ([]store.Article, error)
}

// StoryIndex assigns new articles to stories with a stories.Matcher over a
// window of recent articles. Several processes share the work: before each
// poll round Refresh adds what the others recorded since, so every process
// matches against (nearly) the same window; what two processes assign at
// the same instant may start two stories, which posts a duplicate, never
// hides a story.
type StoryIndex struct {
	Store  RecentStore
	Window time.Duration // how far back articles can be joined (36h)
	Now    func() time.Time

	once    sync.Once
	m       *stories.Matcher
	mu      sync.Mutex
	known   map[string]time.Time // story keys in the matcher, with when they were added
	checked time.Time            // RecentArticles was read up to here
}

// refreshOverlap re-reads a little before the last refresh, for articles
// committed by another process while we read.
const refreshOverlap = time.Minute

// refreshLimit bounds one read of recent articles.
const refreshLimit = 50000

func (x *StoryIndex) init() {
	x.once.Do(func() {
		x.m = stories.NewMatcher(stories.Options{Window: x.window()})
		x.known = make(map[string]time.Time)
	})
}

func (x *StoryIndex) window() time.Duration {
	if x.Window > 0 {
		return x.Window
	}
	return 36 * time.Hour
}

// Refresh adds the articles recorded since the last refresh (the whole
// window the first time) that this index has not seen.
func (x *StoryIndex) Refresh(ctx context.Context) error {
	x.init()
	x.mu.Lock()
	defer x.mu.Unlock()
	now := x.Now()
	since := now.Add(-x.window())
	if !x.checked.IsZero() && x.checked.Add(-refreshOverlap).After(since) {
		since = x.checked.Add(-refreshOverlap)
	}
	arts, err := x.Store.RecentArticles(ctx, since, refreshLimit)
	if err != nil {
		return err
	}
	for _, a := range arts {
		key := store.StoryKey(a.FeedID, a.Identity)
		if _, ok := x.known[key]; ok || a.Story == "" {
			continue
		}
		x.m.Add(storyArticle(a.FeedID, a), a.Story)
		x.known[key] = now
	}
	for k, at := range x.known {
		if now.Sub(at) > 2*x.window() {
			delete(x.known, k)
		}
	}
	x.checked = now
	return nil
}

// Assign returns the story of a new article of a feed: the key of the
// story's first article, the article's own key when it starts one.
func (x *StoryIndex) Assign(feedID int64, a store.Article) string {
	x.init()
	x.mu.Lock()
	defer x.mu.Unlock()
	key := store.StoryKey(feedID, a.Identity)
	m := x.m.Assign(storyArticle(feedID, a))
	x.known[key] = x.Now()
	return m.Story
}

// storyArticle is what the matcher sees of an article: its headline and its
// lead (the summary's first sentences).
func storyArticle(feedID int64, a store.Article) stories.Article {
	return stories.Article{
		ID:        store.StoryKey(feedID, a.Identity),
		Feed:      strconv.FormatInt(feedID, 10),
		Link:      a.LinkKey,
		Title:     a.Title,
		Text:      strings.Join(a.Summary, " "),
		Published: a.Published,
	}
}
