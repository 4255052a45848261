package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"newsbot/feeds"
	"newsbot/summarize"
)

func init() {
	subcommands["preview"] = runPreview
}

const previewUsage = `usage: newsbot preview [-n 5] [-sentences 3] [-json] [-offline] URL | FILE

Fetches a feed (or a web page announcing one, or reads a local feed file)
and prints its title and newest items as the bot would post them: title,
link, author, published time and summary. Items with under 150 words of
text get their article page fetched for the full text, unless -offline.

URLs obey the private-address guard: set NEWSBOT_ALLOW_PRIVATE_ADDRESSES=true
to preview a feed on localhost or a private network. A local file is always
read.

A feed file cut off before its end is previewed with the items complete
before the cut, and a warning.

-json prints one object:
  {"title": "...", "items": [{"title": "...", "link": "...", "author": "...",
   "published": "RFC 3339 or empty", "summary": ["...", "..."],
   "text": "the item's plain text, as the summary is made from it"}]}
"summary" is what a post shows: empty when the item has no text.`

// previewItem is one item as printed by preview -json.
type previewItem struct {
	Title     string   `json:"title"`
	Link      string   `json:"link"`
	Author    string   `json:"author"`
	Published string   `json:"published"`
	Summary   []string `json:"summary"`
	// Text is the feed's own plain text for the item (what a reader of
	// the feed sees), before any article page replaces it.
	Text string `json:"text"`
}

type previewOutput struct {
	Title string        `json:"title"`
	Items []previewItem `json:"items"`
}

func runPreview(ctx context.Context, args []string, sio stdio) error {
	fs := flag.NewFlagSet("preview", flag.ContinueOnError)
	fs.SetOutput(sio.err)
	fs.Usage = func() {
		fmt.Fprintln(sio.err, previewUsage)
		fmt.Fprintln(sio.err, "\nflags:")
		fs.PrintDefaults()
	}
	n := fs.Int("n", 5, "number of items to show, newest first")
	sentences := fs.Int("sentences", summarize.DefaultSentences, "summary length in sentences")
	asJSON := fs.Bool("json", false, "print one JSON object")
	offline := fs.Bool("offline", false, "use only the feed's own text; fetch no article pages")
	timeout := fs.Duration("timeout", 30*time.Second, "time limit for each request")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("preview: give one feed URL or file")
	}
	if *n < 1 {
		return errors.New("preview: -n must be at least 1")
	}
	allowPrivate, err := boolVar(os.Getenv, "NEWSBOT_ALLOW_PRIVATE_ADDRESSES", false)
	if err != nil {
		return fmt.Errorf("preview: %w", err)
	}
	fetcher := feeds.NewFetcher(feeds.Config{AllowPrivate: allowPrivate, Timeout: *timeout})

	src := strings.TrimSpace(fs.Arg(0))
	var feed *feeds.Feed
	if lower := strings.ToLower(src); strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") {
		clean, hadCredentials, err := feeds.CleanUserURL(src)
		if err != nil {
			return fmt.Errorf("preview: %s\n(%w)", feeds.Message(err), err)
		}
		if hadCredentials {
			fmt.Fprintln(sio.err, "the user name and password in the URL are not used (nor shown)")
		}
		src = clean
		res, err := fetcher.Discover(ctx, src)
		if err != nil {
			return fmt.Errorf("preview: %s\n(%w)", feeds.Message(err), err)
		}
		if res.URL != src {
			fmt.Fprintf(sio.err, "using the feed at %s\n", res.URL)
		}
		feed = res.Feed
	} else {
		f, err := os.Open(src)
		if err != nil {
			return fmt.Errorf("preview: %w", err)
		}
		feed, err = feeds.Parse(io.LimitReader(f, feeds.DefaultMaxBodyBytes), "", "")
		f.Close()
		switch {
		case feed != nil && err != nil: // truncated: the complete items are kept
			fmt.Fprintf(sio.err, "warning: %s: %s\n", src, feeds.Message(err))
		case err != nil:
			return fmt.Errorf("preview: %s: %s\n(%w)", src, feeds.Message(err), err)
		}
	}

	items := newestItems(feed.Items, *n)
	builder := &feeds.Builder{Fetcher: fetcher, Offline: *offline}
	out := previewOutput{Title: feed.Title, Items: make([]previewItem, 0, len(items))}
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return err
		}
		a := builder.Article(ctx, it, *sentences)
		pi := previewItem{Title: it.Title, Link: it.Link, Author: a.Author, Summary: a.Summary, Text: it.Content}
		if !it.Published.IsZero() {
			pi.Published = it.Published.UTC().Format(time.RFC3339)
		}
		if pi.Summary == nil {
			pi.Summary = []string{}
		}
		out.Items = append(out.Items, pi)
	}

	if *asJSON {
		enc := json.NewEncoder(sio.out)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	printPreview(sio.out, out)
	return nil
}

// newestItems returns the n newest items, newest first. Items without a
// date keep their feed order after the dated ones (feeds list newest first).
func newestItems(items []feeds.Item, n int) []feeds.Item {
	sorted := slices.Clone(items)
	slices.SortStableFunc(sorted, func(a, b feeds.Item) int {
		switch {
		case a.Published.IsZero() && b.Published.IsZero():
			return 0
		case a.Published.IsZero():
			return 1
		case b.Published.IsZero():
			return -1
		}
		return cmp.Compare(b.Published.UnixNano(), a.Published.UnixNano())
	})
	return sorted[:min(n, len(sorted))]
}

func printPreview(w io.Writer, out previewOutput) {
	title := out.Title
	if title == "" {
		title = "(untitled feed)"
	}
	fmt.Fprintln(w, title)
	fmt.Fprintln(w, strings.Repeat("=", min(len([]rune(title)), 72)))
	if len(out.Items) == 0 {
		fmt.Fprintln(w, "\n(no items)")
	}
	for i, it := range out.Items {
		t := it.Title
		if t == "" {
			t = "(untitled)"
		}
		fmt.Fprintf(w, "\n%d. %s\n", i+1, t)
		if it.Link != "" {
			fmt.Fprintf(w, "   %s\n", it.Link)
		}
		var meta []string
		if it.Author != "" {
			meta = append(meta, "by "+it.Author)
		}
		if it.Published != "" {
			meta = append(meta, it.Published)
		}
		if len(meta) > 0 {
			fmt.Fprintf(w, "   %s\n", strings.Join(meta, " · "))
		}
		for _, s := range it.Summary {
			fmt.Fprintf(w, "   • %s\n", s)
		}
	}
}
