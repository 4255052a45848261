package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"newsbot/store"
)

// searchPerStory is how many search hits /latest reads per story it shows,
// so that one story reported by many outlets does not crowd out the rest.
const searchPerStory = 5

// topStories is how many stories /top lists.
const topStories = 10

// storyGroup is one story among search results.
type storyGroup struct {
	first   store.Article // the best-ranked article of the story
	outlets int           // distinct feeds among the results
}

// groupStories folds search results (best first) into stories, keeping the
// first article of each and counting its outlets, at most n groups. With
// grouping off every article is its own group.
func groupStories(found []store.Article, stories bool, n int) []storyGroup {
	var out []storyGroup
	index := map[string]int{}
	feeds := map[string]map[int64]bool{}
	for i, a := range found {
		key := a.Story
		if !stories || key == "" {
			key = fmt.Sprintf("\x00%d", i) // a group of its own
		}
		if i, ok := index[key]; ok {
			if !feeds[key][a.FeedID] {
				feeds[key][a.FeedID] = true
				out[i].outlets++
			}
			continue
		}
		if len(out) == n {
			continue
		}
		index[key] = len(out)
		feeds[key] = map[int64]bool{a.FeedID: true}
		out = append(out, storyGroup{first: a, outlets: 1})
	}
	return out
}

// top lists the stories covered by the most outlets among the server's
// feeds in the last hours.
func (b *Bot) top(ctx context.Context, r *request) (*reply, error) {
	hours := min(max(r.integer("hours", 24), 1), 72)
	top, err := b.store.TopStories(ctx, r.guildID, b.now().Add(-time.Duration(hours)*time.Hour), topStories)
	if err != nil {
		return nil, fmt.Errorf("top stories: %w", err)
	}
	if len(top) == 0 {
		return &reply{Content: fmt.Sprintf("No stories in this server's feeds in the last %d hours yet.", hours)}, nil
	}
	var lines []string
	for i, t := range top {
		title := escapeMarkdown(truncate(orUntitled(t.Article.Title), 150))
		if u := safeURL(t.Article.Link); u != "" {
			title = "[" + strings.ReplaceAll(title, "]", "\\]") + "](<" + u + ">)"
		}
		outlets := "1 outlet"
		if t.Outlets != 1 {
			outlets = fmt.Sprintf("%d outlets", t.Outlets)
		}
		line := fmt.Sprintf("**%d.** %s · %s", i+1, title, outlets)
		if s := t.Article.Best(1); len(s) > 0 {
			line += "\n" + escapeMarkdown(truncate(s[0], 300))
		}
		lines = append(lines, line)
	}
	e := &discordgo.MessageEmbed{
		Title:       fmt.Sprintf("Top stories of the last %d hours", hours),
		Description: strings.Join(lines, "\n\n"),
		Color:       0x2b6cb0,
	}
	return &reply{Embeds: []*discordgo.MessageEmbed{e}}, nil
}
