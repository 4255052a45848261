package feeds

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"newsbot/store"
	"newsbot/summarize"
)

// FullTextBelow is the word count under which an item is taken for a teaser
// and the article page is fetched for its full text.
const FullTextBelow = 150

// summaryChars keeps a summary inside one Discord embed description (4,096)
// with room for escaping.
const summaryChars = 3500

// Builder turns feed items into summarized articles, fetching the full text
// of teasers. The poller, the preview command and the bot share it, so a
// preview looks exactly like the post.
type Builder struct {
	Fetcher *Fetcher
	// Offline uses only the feed's own text (preview -offline).
	Offline bool
	Log     *slog.Logger
	Now     func() time.Time
}

// Discover is the fetcher's, so a Builder is all the bot needs.
func (b *Builder) Discover(ctx context.Context, url string) (*Result, error) {
	return b.Fetcher.Discover(ctx, url)
}

// Article summarizes it in at most sentences sentences. It never fails: when
// the page can't be fetched or extracted, the feed's own text is used; a
// text too short to summarize is the summary as it is, and an item with no
// text at all gets an empty summary. A publisher's proper summary
// (Item.PublisherSummary) is what gets summarized, and the page is not
// fetched to replace it.
func (b *Builder) Article(ctx context.Context, it Item, sentences int) store.Article {
	identity, linkKey := Identity(it)
	a := store.Article{
		Identity: identity, LinkKey: linkKey, Link: it.Link, Title: it.Title,
		Author: it.Author, ImageURL: it.ImageURL, Published: it.Published, Categories: it.Categories,
	}
	if a.Published.IsZero() {
		a.Published = b.now()
	}
	text := it.Content
	if !b.Offline && it.Link != "" && !it.PublisherSummary && WordCount(text) < FullTextBelow {
		page, err := b.Fetcher.FetchArticle(ctx, it.Link)
		switch {
		case err != nil:
			b.log().Debug("full text unavailable; using the feed's text", "link", Redact(it.Link), "err", err)
		case WordCount(page.Text) > WordCount(text):
			text = page.Text
			if a.ImageURL == "" {
				a.ImageURL = page.ImageURL
			}
			if a.Author == "" {
				a.Author = page.Byline
			}
		}
	}
	if !summarizeInto(&a, text, sentences) {
		// Too short or too plain to summarize ("Comments", one line): the
		// reader gets it as written. No text at all gives no summary,
		// never a placeholder sentence.
		a.Summary = shortText(text)
	}
	return a
}

// maxSummarizeBytes bounds the text given to the summarizer. News articles
// are a few tens of KB of text; a feed's 10 MB item is cut here rather
// than cost the summarizer memory and time on every poll.
const maxSummarizeBytes = 512 << 10

// shortText is a text the summarizer could not use, as the summary: its
// paragraphs as they are, within the summary's length.
func shortText(text string) []string {
	var out []string
	total := 0
	for p := range strings.SplitSeq(text, "\n") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if total+len(p) > summaryChars {
			break
		}
		total += len(p)
		out = append(out, p)
	}
	return out
}

// SummarizeURL fetches any article page and summarizes it (/summarize).
func (b *Builder) SummarizeURL(ctx context.Context, url string, sentences int) (store.Article, error) {
	page, err := b.Fetcher.FetchArticle(ctx, url)
	if err != nil {
		return store.Article{}, err
	}
	a := store.Article{Link: url, Title: page.Title, Author: page.Byline, ImageURL: page.ImageURL}
	if !summarizeInto(&a, page.Text, sentences) {
		return a, fmt.Errorf("summarize %s: %w", url, ErrNoArticle)
	}
	return a, nil
}

// summarizeInto fills the summary fields; false when there was nothing to
// summarize.
func summarizeInto(a *store.Article, text string, sentences int) bool {
	if len(text) > maxSummarizeBytes {
		text = strings.ToValidUTF8(text[:maxSummarizeBytes], "")
	}
	sum, err := summarize.Summarize(summarize.Document{Title: a.Title, Text: text},
		summarize.Options{Sentences: sentences, MaxChars: summaryChars})
	if err != nil {
		return false
	}
	a.Summary = sum.Sentences
	a.Ranked = make([]store.RankedSentence, len(sum.Ranked))
	for i, r := range sum.Ranked {
		a.Ranked[i] = store.RankedSentence{Index: r.Index, Text: r.Text}
	}
	a.Keywords = sum.Keywords
	a.SentencesTotal = sum.Stats.SentencesTotal
	a.WordsBefore = sum.Stats.WordsBefore
	a.WordsAfter = sum.Stats.WordsAfter
	return len(a.Summary) > 0
}

func (b *Builder) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

func (b *Builder) log() *slog.Logger {
	if b.Log != nil {
		return b.Log
	}
	return slog.Default()
}

// FeedArticle is Article from the feed's own text, never fetching the page:
// for items past a poll's cap on page fetches.
func (b *Builder) FeedArticle(ctx context.Context, it Item, sentences int) store.Article {
	offline := *b
	offline.Offline = true
	return offline.Article(ctx, it, sentences)
}
