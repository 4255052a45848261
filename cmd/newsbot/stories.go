package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"newsbot/stories"
)

func init() {
	subcommands["stories"] = runStories
}

const storiesUsage = `usage: newsbot stories -jsonl [FILE|-]
       newsbot stories -eval DIR

-jsonl reads one article per line, {"id","title","text","feed","published"}
(title or text may be empty, published is RFC 3339, "link" is optional), in
arrival order, assigns each to a story with the matcher the bot runs, and
writes {"id","story"} per article in the same order; story is the id of the
story's first article.

-eval scores the matcher on DIR/story-pairs.jsonl (precision and recall of
merging pairs labelled "same" or "different", per language) and
DIR/story-stream.jsonl (B-cubed precision and recall of a headline stream).
Each pair's a and then b are assigned as two feeds, without publication
times, by a matcher whose window holds every other article of the set (each a
story of its own), as a bot's window holds the day's other news; the pair is
merged when b joins a's story. An article in several pairs (a pair's id is
its articles' ids, "a_b") is judged without its copies in the window. The stream runs through one matcher in
order, with its feeds and times.`

// maxStoryLine bounds one JSON line of input.
const maxStoryLine = 8 << 20

func runStories(ctx context.Context, args []string, sio stdio) error {
	fs := flag.NewFlagSet("stories", flag.ContinueOnError)
	fs.SetOutput(sio.err)
	fs.Usage = func() {
		fmt.Fprintln(sio.err, storiesUsage)
		fmt.Fprintln(sio.err, "\nflags:")
		fs.PrintDefaults()
	}
	jsonl := fs.Bool("jsonl", false, "assign the articles of FILE (or stdin) to stories")
	eval := fs.String("eval", "", "score the matcher on the labelled sets in `DIR`")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	switch {
	case *jsonl && *eval != "":
		return errors.New("stories: -jsonl and -eval exclude each other")
	case *jsonl:
		if fs.NArg() > 1 {
			return fmt.Errorf("stories: unexpected argument %q", fs.Arg(1))
		}
		name := fs.Arg(0)
		in := sio.in
		if name != "" && name != "-" {
			f, err := os.Open(name)
			if err != nil {
				return fmt.Errorf("stories: %w", err)
			}
			defer f.Close()
			in = f
		}
		if err := assignStories(ctx, in, sio.out, stories.Options{}); err != nil {
			if name == "" {
				name = "stdin"
			}
			return fmt.Errorf("stories: %s: %w", name, err)
		}
		return nil
	case *eval != "":
		if fs.NArg() > 0 {
			return fmt.Errorf("stories: unexpected argument %q", fs.Arg(0))
		}
		return evalStories(ctx, *eval, sio.out, stories.Options{})
	}
	fs.Usage()
	return errors.New("stories: give -jsonl or -eval")
}

// storyLine is one article of -jsonl input and of the stream set.
type storyLine struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Text      string `json:"text"`
	Feed      string `json:"feed"`
	Link      string `json:"link"`
	Published string `json:"published"`
	Story     string `json:"story"` // the label, in the stream set
}

func (l storyLine) article(line int) (stories.Article, error) {
	a := stories.Article{ID: l.ID, Feed: l.Feed, Link: l.Link, Title: l.Title, Text: l.Text}
	if l.Published != "" {
		t, err := time.Parse(time.RFC3339Nano, l.Published)
		if err != nil {
			return a, fmt.Errorf("line %d: published: %w", line, err)
		}
		a.Published = t
	}
	if a.ID == "" {
		return a, fmt.Errorf("line %d: no id", line)
	}
	return a, nil
}

// readJSONLines calls fn with each non-blank line of r and its number.
func readJSONLines(r io.Reader, fn func(line int, b []byte) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxStoryLine)
	n := 0
	for sc.Scan() {
		n++
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		if err := fn(n, b); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("after line %d: %w", n, err)
	}
	return nil
}

func assignStories(ctx context.Context, r io.Reader, w io.Writer, o stories.Options) error {
	m := stories.NewMatcher(o)
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	err := readJSONLines(r, func(line int, b []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		var l storyLine
		if err := json.Unmarshal(b, &l); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		a, err := l.article(line)
		if err != nil {
			return err
		}
		res := m.Assign(a)
		return enc.Encode(struct {
			ID    string `json:"id"`
			Story string `json:"story"`
		}{a.ID, res.Story})
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// storyPair is one line of the pairs set.
type storyPair struct {
	ID    string `json:"id"`
	Lang  string `json:"lang"`
	A     pairSide
	B     pairSide
	Label string `json:"label"`
}

// articleIDs returns the ids of the pair's two articles: the pair's id is
// "a_b". Without an underscore the pair's articles are its own.
func (p storyPair) articleIDs() (a, b string) {
	a, b, ok := strings.Cut(p.ID, "_")
	if !ok {
		return p.ID + "/a", p.ID + "/b"
	}
	return a, b
}

type pairSide struct {
	Title string `json:"title"`
	Text  string `json:"text"`
}

// pairCounts tallies one row of the pairs table.
type pairCounts struct {
	same, different, unsure int
	sameMerged, diffMerged  int
	elsewhere               int // b joined a story other than a's
}

func (c pairCounts) precision() float64 {
	if c.sameMerged+c.diffMerged == 0 {
		return 1
	}
	return float64(c.sameMerged) / float64(c.sameMerged+c.diffMerged)
}

func (c pairCounts) recall() float64 {
	if c.same == 0 {
		return 0
	}
	return float64(c.sameMerged) / float64(c.same)
}

func (c *pairCounts) add(d pairCounts) {
	c.same += d.same
	c.different += d.different
	c.unsure += d.unsure
	c.sameMerged += d.sameMerged
	c.diffMerged += d.diffMerged
	c.elsewhere += d.elsewhere
}

// evalStories prints the pairs and the stream tables for the sets in dir.
func evalStories(ctx context.Context, dir string, w io.Writer, o stories.Options) error {
	pairs, err := readPairs(filepath.Join(dir, "story-pairs.jsonl"))
	if err != nil {
		return err
	}
	stream, err := readStream(filepath.Join(dir, "story-stream.jsonl"))
	if err != nil {
		return err
	}
	start := time.Now()
	byLang, err := scorePairs(ctx, pairs, o)
	if err != nil {
		return err
	}
	p, r, merges, err := scoreStream(ctx, stream, o)
	if err != nil {
		return err
	}
	took := time.Since(start)
	printPairs(w, byLang)
	fmt.Fprintf(w, "\nstream (B-cubed, %d headlines)\n", len(stream))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "headlines\tstories\tjoined a story\tprecision\trecall\t")
	fmt.Fprintf(tw, "%d\t%d\t%d\t%.3f\t%.3f\t\n", len(stream), countStories(stream), merges, p, r)
	tw.Flush()
	fmt.Fprintf(w, "\n%d pairs and %d headlines in %.2fs\n", len(pairs), len(stream), took.Seconds())
	return nil
}

func readPairs(name string) ([]storyPair, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("stories: %w", err)
	}
	defer f.Close()
	var pairs []storyPair
	err = readJSONLines(f, func(line int, b []byte) error {
		var p storyPair
		if err := json.Unmarshal(b, &p); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		switch p.Label {
		case "same", "different", "unsure":
		default:
			return fmt.Errorf("line %d: label %q is not same, different or unsure", line, p.Label)
		}
		if p.Lang == "" {
			p.Lang = "?"
		}
		pairs = append(pairs, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("stories: %s: %w", name, err)
	}
	return pairs, nil
}

func readStream(name string) ([]storyLine, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("stories: %w", err)
	}
	defer f.Close()
	var lines []storyLine
	err = readJSONLines(f, func(line int, b []byte) error {
		var l storyLine
		if err := json.Unmarshal(b, &l); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		if _, err := l.article(line); err != nil {
			return err
		}
		lines = append(lines, l)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("stories: %s: %w", name, err)
	}
	return lines, nil
}

// scorePairs runs each pair through a matcher whose window holds every other
// article of the set, each a story of its own: a bot's window is never empty,
// and the idf of a window of two articles says nothing about rarity. For each
// pair, a and then b (two feeds, no publication time) are assigned in place of
// every copy of them in the window (an article is in the set once per pair it
// belongs to, and a pair's id is its two articles' ids: a copy left in the
// window as another outlet's story would be joined instead of its pair); the
// pair is merged when b joins a's story.
func scorePairs(ctx context.Context, pairs []storyPair, o stories.Options) (map[string]*pairCounts, error) {
	m := stories.NewMatcher(o)
	side := func(i int, s pairSide, which string) stories.Article {
		id := fmt.Sprintf("%s/%s#%d", pairs[i].ID, which, i)
		return stories.Article{ID: id, Feed: "feed " + id, Title: s.Title, Text: s.Text}
	}
	// copies maps an article's id to its entries in the window.
	copies := make(map[string][]stories.Article)
	for i, p := range pairs {
		a, b := side(i, p.A, "a"), side(i, p.B, "b")
		m.Add(a, a.ID)
		m.Add(b, b.ID)
		ida, idb := p.articleIDs()
		copies[ida] = append(copies[ida], a)
		copies[idb] = append(copies[idb], b)
	}
	byLang := make(map[string]*pairCounts)
	for i, p := range pairs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		a, b := side(i, p.A, "a"), side(i, p.B, "b")
		ida, idb := p.articleIDs()
		out := slices.Clone(copies[ida])
		if idb != ida {
			out = append(out, copies[idb]...)
		}
		for _, c := range out {
			m.Remove(c.ID)
		}
		ra := m.Assign(a)
		rb := m.Assign(b)
		merged := rb.Story == ra.Story
		m.Remove(a.ID)
		m.Remove(b.ID)
		for _, c := range out {
			m.Add(c, c.ID)
		}

		c := byLang[p.Lang]
		if c == nil {
			c = &pairCounts{}
			byLang[p.Lang] = c
		}
		if rb.Kind == stories.Joined && !merged {
			c.elsewhere++
		}
		switch p.Label {
		case "same":
			c.same++
			if merged {
				c.sameMerged++
			}
		case "different":
			c.different++
			if merged {
				c.diffMerged++
			}
		default:
			c.unsure++
		}
	}
	return byLang, nil
}

func printPairs(w io.Writer, byLang map[string]*pairCounts) {
	langs := make([]string, 0, len(byLang))
	var all pairCounts
	for l, c := range byLang {
		langs = append(langs, l)
		all.add(*c)
	}
	sort.Slice(langs, func(i, j int) bool {
		ci, cj := byLang[langs[i]], byLang[langs[j]]
		if ci.same+ci.different != cj.same+cj.different {
			return ci.same+ci.different > cj.same+cj.different
		}
		return langs[i] < langs[j]
	})
	fmt.Fprintln(w, "pairs (merged: b joins a's story; unsure pairs count for neither)")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "lang\tsame\tdifferent\tsame merged\tdifferent merged\tprecision\trecall\tb joined another\t")
	row := func(name string, c pairCounts) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%.3f\t%.3f\t%d\t\n", name, c.same, c.different, c.sameMerged, c.diffMerged, c.precision(), c.recall(), c.elsewhere)
	}
	for _, l := range langs {
		row(l, *byLang[l])
	}
	row("all", all)
	tw.Flush()
}

// scoreStream assigns the headlines in order and returns the B-cubed
// precision and recall of the predicted stories against the labels, and how
// many headlines joined a story.
func scoreStream(ctx context.Context, lines []storyLine, o stories.Options) (p, r float64, joined int, err error) {
	m := stories.NewMatcher(o)
	pred := make([]string, len(lines))
	for i, l := range lines {
		if err := ctx.Err(); err != nil {
			return 0, 0, 0, err
		}
		a, err := l.article(i + 1)
		if err != nil {
			return 0, 0, 0, err
		}
		res := m.Assign(a)
		pred[i] = res.Story
		if res.Kind == stories.Joined {
			joined++
		}
	}
	gold := make([]string, len(lines))
	for i, l := range lines {
		gold[i] = l.Story
	}
	p, r = bcubed(pred, gold)
	return p, r, joined, nil
}

// bcubed is the B-cubed precision and recall of a clustering pred against
// gold, both given as a cluster name per item.
func bcubed(pred, gold []string) (p, r float64) {
	if len(pred) == 0 {
		return 0, 0
	}
	type pg struct{ p, g string }
	both := make(map[pg]int)
	np := make(map[string]int)
	ng := make(map[string]int)
	for i := range pred {
		both[pg{pred[i], gold[i]}]++
		np[pred[i]]++
		ng[gold[i]]++
	}
	for i := range pred {
		k := float64(both[pg{pred[i], gold[i]}])
		p += k / float64(np[pred[i]])
		r += k / float64(ng[gold[i]])
	}
	n := float64(len(pred))
	return p / n, r / n
}

func countStories(lines []storyLine) int {
	s := make(map[string]bool)
	for _, l := range lines {
		s[l.Story] = true
	}
	return len(s)
}
