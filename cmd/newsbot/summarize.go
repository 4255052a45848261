package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	gojson "github.com/goccy/go-json"

	"newsbot/feeds"
	"newsbot/summarize"
)

func init() {
	subcommands["summarize"] = runSummarize
}

// maxArticleBytes caps what summarize reads from a file, a URL or a line.
const maxArticleBytes = 16 << 20

const summarizeUsage = `usage: newsbot summarize [-n 3] [-ratio R] [-max-chars N] [-title T] [-lang xx] [-html] [FILE | URL | -]
       newsbot summarize -jsonl < in.jsonl > out.jsonl

Prints the summary, one sentence a line, then a line of stats. With no
argument or "-", reads the article from standard input. A URL (any case of
http:// or https://, surrounding spaces ignored) is fetched as preview
fetches feeds.

A file's own headline is its title (unless -title gives one), never a
summary sentence: in Markdown or plain text a leading "# Headline" line, a
setext headline, a first line without final punctuation followed by a
blank line, or a "title:" in the front matter or the "Key: value" lines
before the body (which are dropped); in HTML the first <h1>.

-jsonl reads lines {"id": "...", "title": "...", "text": "..."} (optional
"html": true, "language": "xx") and writes {"id": "...", "sentences": [...]}
lines in the same order (with "error" when an article has no text), using
all cores.`

func runSummarize(ctx context.Context, args []string, sio stdio) error {
	fs := flag.NewFlagSet("summarize", flag.ContinueOnError)
	fs.SetOutput(sio.err)
	fs.Usage = func() {
		fmt.Fprintln(sio.err, summarizeUsage)
		fmt.Fprintln(sio.err, "\nflags:")
		fs.PrintDefaults()
	}
	n := fs.Int("n", summarize.DefaultSentences, "number of sentences")
	ratio := fs.Float64("ratio", 0, "keep this fraction of the sentences instead of -n")
	maxChars := fs.Int("max-chars", 0, "character budget (0: none); sentences are never cut")
	title := fs.String("title", "", "the article's title (from the page when reading a URL)")
	lang := fs.String("lang", "", "ISO 639-1 language code (default: detect)")
	isHTML := fs.Bool("html", false, "the input is HTML (default for URLs and .html files)")
	jsonl := fs.Bool("jsonl", false, "batch mode: JSON lines in, JSON lines out")
	workers := fs.Int("j", runtime.GOMAXPROCS(0), "batch mode: parallel workers")
	timeout := fs.Duration("timeout", 20*time.Second, "time limit for fetching a URL")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	opts := summarize.Options{Sentences: *n, Ratio: *ratio, MaxChars: *maxChars}
	if *jsonl {
		if fs.NArg() > 0 {
			return errors.New("summarize: -jsonl reads standard input and takes no argument")
		}
		if os.Getenv("GOGC") == "" {
			// A batch run's live heap is small (the batches in flight and
			// each worker's bounded vocabulary): trading a few MiB for fewer
			// collections makes it about a quarter cheaper on two cores.
			defer debug.SetGCPercent(debug.SetGCPercent(400))
		}
		opts.SentencesOnly = true // a line holds the sentences only
		return summarizeJSONL(ctx, sio.in, sio.out, opts, *workers)
	}
	if fs.NArg() > 1 {
		return errors.New("summarize: give one FILE, URL or -")
	}
	doc := summarize.Document{Title: *title, Language: *lang, HTML: *isHTML}
	src := "-"
	if fs.NArg() == 1 {
		src = fs.Arg(0)
	}
	if isURL(src) {
		src = strings.TrimSpace(src)
	}
	switch {
	case src == "-":
		b, err := readCapped(sio.in)
		if err != nil {
			return fmt.Errorf("summarize: reading standard input: %w", err)
		}
		doc.Text = string(b)
	case isURL(src):
		art, err := fetchArticle(ctx, src, *timeout)
		if err != nil {
			return err
		}
		doc.Text, doc.HTML = dropTitleLine(art.Text, art.Title), false
		if doc.Title == "" {
			doc.Title = art.Title
		}
	default:
		f, err := os.Open(src)
		if err != nil {
			return fmt.Errorf("summarize: %w", err)
		}
		b, err := readCapped(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("summarize: reading %s: %w", src, err)
		}
		doc.Text = string(b)
		lower := strings.ToLower(src)
		if strings.HasSuffix(lower, ".html") || strings.HasSuffix(lower, ".htm") {
			doc.HTML = true
		}
	}
	if !doc.HTML && looksLikeHTML(doc.Text) {
		doc.HTML = true
	}
	if src == "-" || !isURL(src) {
		// A file's own headline is its title, never a summary sentence.
		var title string
		if doc.HTML {
			title, doc.Text = splitHTMLTitle(doc.Text)
		} else {
			title, doc.Text = splitTextArticle(doc.Text)
		}
		if doc.Title == "" {
			doc.Title = title
		}
	}
	sum, err := summarize.Summarize(doc, opts)
	if err != nil {
		return err
	}
	for _, s := range sum.Sentences {
		fmt.Fprintln(sio.out, s)
	}
	st := sum.Stats
	fmt.Fprintf(sio.out, "-- %d of %d sentences, %d of %d words (%d%% shorter), language %s",
		st.SentencesKept, st.SentencesTotal, st.WordsAfter, st.WordsBefore, st.Reduction(), sum.Language)
	if len(sum.Keywords) > 0 {
		fmt.Fprintf(sio.out, ", keywords: %s", strings.Join(sum.Keywords, ", "))
	}
	fmt.Fprintln(sio.out)
	return nil
}

func readCapped(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxArticleBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxArticleBytes {
		return nil, fmt.Errorf("input larger than %d MiB", maxArticleBytes>>20)
	}
	return b, nil
}

// looksLikeHTML sniffs markup at the start of a text.
func looksLikeHTML(s string) bool {
	head := strings.ToLower(strings.TrimSpace(s[:min(len(s), 512)]))
	return strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html") ||
		strings.Contains(head, "<body") || strings.Contains(head, "<article") || strings.HasPrefix(head, "<p>")
}

// fetchArticle fetches a page with the bot's own fetcher (private-address
// guard, body cap, redirect limit) and extracts its article with readability.
func fetchArticle(ctx context.Context, raw string, timeout time.Duration) (feeds.Article, error) {
	allowPrivate, err := boolVar(os.Getenv, "NEWSBOT_ALLOW_PRIVATE_ADDRESSES", false)
	if err != nil {
		return feeds.Article{}, err
	}
	f := feeds.NewFetcher(feeds.Config{AllowPrivate: allowPrivate, Timeout: timeout, MaxBodyBytes: maxArticleBytes})
	art, err := f.FetchArticle(ctx, raw)
	if err != nil {
		return feeds.Article{}, fmt.Errorf("summarize: %s (%w)", feeds.Message(err), err)
	}
	return art, nil
}

// jsonlIn is one line of -jsonl input.
type jsonlIn struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Text     string `json:"text"`
	HTML     bool   `json:"html"`
	Language string `json:"language"`
}

// jsonlOut is one line of -jsonl output.
type jsonlOut struct {
	ID        string   `json:"id"`
	Sentences []string `json:"sentences"`
	Error     string   `json:"error,omitempty"`
}

// summarizeJSONL summarizes JSON lines with several workers and writes the
// results in input order. One goroutine cuts the input into batches of
// lines (a copy and a scan for newlines: the only serial work besides
// writing), the workers decode, summarize and encode whole batches, and
// the writer takes the batches' results in order, each from its own
// channel queued when the batch was read.
func summarizeJSONL(ctx context.Context, in io.Reader, out io.Writer, opts summarize.Options, workers int) error {
	workers = max(workers, 1)
	type batch struct {
		data  []byte // the lines, each ending in '\n'
		lines int
		res   chan []byte
	}
	const batchBytes = 64 << 10
	jobs := make(chan *batch, workers)
	order := make(chan chan []byte, 4*workers)
	// Buffers go round: a batch's lines back to the reader once a worker
	// is done with them, its results back to the workers once written.
	// Fresh memory costs a page fault per 4 KiB, which for the few MiB a
	// run would otherwise allocate was a tenth of its time on one core.
	freeData := make(chan []byte, 6*workers+2)
	freeOut := make(chan []byte, 6*workers+2)
	recycle := func(free chan []byte, b []byte) {
		if cap(b) > 4*batchBytes {
			return // grown by a long line: let it go
		}
		select {
		case free <- b[:0]:
		default:
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	for w := 0; w < workers; w++ {
		go func() {
			var sum summarize.Summarizer // this worker's own, kept warm
			for b := range jobs {
				var outb []byte
				select {
				case outb = <-freeOut:
				default:
				}
				data := b.data
				for len(data) > 0 {
					line := data
					if i := bytes.IndexByte(data, '\n'); i >= 0 {
						line, data = data[:i], data[i+1:]
					} else {
						data = nil
					}
					outb = summarizeLine(outb, line, opts, &sum)
				}
				recycle(freeData, b.data)
				b.res <- outb
			}
		}()
	}
	readErr := make(chan error, 1)
	go func() {
		defer close(order)
		defer close(jobs)
		br := bufio.NewReaderSize(in, 256<<10)
		newBatch := func() *batch {
			b := &batch{res: make(chan []byte, 1)}
			select {
			case b.data = <-freeData:
			default:
				b.data = make([]byte, 0, batchBytes+4096)
			}
			return b
		}
		cur := newBatch()
		send := func() bool {
			if cur.lines == 0 {
				return true
			}
			select {
			case order <- cur.res:
			case <-ctx.Done():
				return false
			}
			select {
			case jobs <- cur:
			case <-ctx.Done():
				return false
			}
			cur = newBatch()
			return true
		}
		for {
			line, err := br.ReadSlice('\n')
			if errors.Is(err, bufio.ErrBufferFull) {
				// A line longer than the buffer: gather it whole, up to the cap.
				long := bytes.Clone(line)
				for errors.Is(err, bufio.ErrBufferFull) && len(long) <= maxArticleBytes {
					line, err = br.ReadSlice('\n')
					long = append(long, line...)
				}
				if len(long) > maxArticleBytes {
					readErr <- fmt.Errorf("a line longer than %d MiB", maxArticleBytes>>20)
					return
				}
				line = long
			}
			if t := bytes.TrimSpace(line); len(t) > 0 {
				cur.data = append(cur.data, t...)
				cur.data = append(cur.data, '\n')
				cur.lines++
				if len(cur.data) >= batchBytes && !send() {
					readErr <- ctx.Err()
					return
				}
			}
			if err != nil {
				if !send() {
					readErr <- ctx.Err()
					return
				}
				if err == io.EOF {
					err = nil
				}
				readErr <- err
				return
			}
		}
	}()
	bw := bufio.NewWriterSize(out, 256<<10)
	for res := range order {
		b := <-res
		if _, err := bw.Write(b); err != nil {
			cancel()
			return fmt.Errorf("summarize: writing: %w", err)
		}
		recycle(freeOut, b)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("summarize: writing: %w", err)
	}
	if err := <-readErr; err != nil {
		return fmt.Errorf("summarize: reading input: %w", err)
	}
	return nil
}

// summarizeLine appends the result line for one input line to dst.
func summarizeLine(dst, line []byte, opts summarize.Options, sum *summarize.Summarizer) []byte {
	var in jsonlIn
	var o jsonlOut
	if err := gojson.Unmarshal(line, &in); err != nil {
		o.Error = "bad JSON: " + err.Error()
	} else {
		o.ID = in.ID
		s, err := sum.Summarize(summarize.Document{Title: in.Title, Text: in.Text, HTML: in.HTML, Language: in.Language}, opts)
		if err != nil {
			o.Error = err.Error()
		}
		o.Sentences = s.Sentences
	}
	// goccy/go-json: encoding/json's behaviour (checked by the tests'
	// round trips) at twice its speed, which -jsonl batches need.
	b, _ := gojson.Marshal(&o) // strings only: it cannot fail
	return append(append(dst, b...), '\n')
}
