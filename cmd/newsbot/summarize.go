package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"

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
argument or "-", reads the article from standard input.

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
	switch {
	case src == "-":
		b, err := readCapped(sio.in)
		if err != nil {
			return fmt.Errorf("summarize: reading standard input: %w", err)
		}
		doc.Text = string(b)
	case strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://"):
		art, err := fetchArticle(ctx, src, *timeout)
		if err != nil {
			return err
		}
		doc.Text, doc.HTML = art.html, true
		if doc.Title == "" {
			doc.Title = art.title
		}
		if doc.Language == "" {
			doc.Language = art.lang
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

type fetched struct{ html, title, lang string }

// fetchArticle gets a page over plain HTTP(S) and extracts its article with
// readability. Only public addresses are dialed.
func fetchArticle(ctx context.Context, raw string, timeout time.Duration) (fetched, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fetched{}, fmt.Errorf("summarize: %q is not an http(s) URL", raw)
	}
	client := guardedClient(timeout, fetchAllow)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fetched{}, fmt.Errorf("summarize: %w", err)
	}
	req.Header.Set("User-Agent", "newsbot/1 (+summarize)")
	req.Header.Set("Accept", "text/html,application/xhtml+xml,text/plain;q=0.8")
	resp, err := client.Do(req)
	if err != nil {
		return fetched{}, fmt.Errorf("summarize: fetching %s: %w", u.Redacted(), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fetched{}, fmt.Errorf("summarize: fetching %s: %s", u.Redacted(), resp.Status)
	}
	body, err := readCapped(resp.Body)
	if err != nil {
		return fetched{}, fmt.Errorf("summarize: fetching %s: %w", u.Redacted(), err)
	}
	ct := resp.Header.Get("Content-Type")
	if strings.HasPrefix(ct, "text/plain") {
		return fetched{html: "<pre>" + htmlEscape(string(body)) + "</pre>"}, nil
	}
	art, err := readability.FromReader(bytes.NewReader(body), resp.Request.URL)
	if err != nil || art.Node == nil {
		// Not an article page readability understands: use the whole page.
		return fetched{html: string(body)}, nil
	}
	var b strings.Builder
	if err := art.RenderHTML(&b); err != nil {
		return fetched{html: string(body)}, nil
	}
	return fetched{html: b.String(), title: art.Title(), lang: art.Language()}, nil
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// fetchAllow decides which addresses summarize URL may dial; tests widen it
// to reach their httptest server on loopback.
var fetchAllow = publicOnly

// publicOnly refuses loopback, private, link-local, multicast and
// unspecified addresses: a URL must not reach into our own network.
func publicOnly(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsValid() && !ip.IsLoopback() && !ip.IsPrivate() && !ip.IsLinkLocalUnicast() &&
		!ip.IsLinkLocalMulticast() && !ip.IsMulticast() && !ip.IsUnspecified() &&
		!ip.IsInterfaceLocalMulticast() && !netip.MustParsePrefix("100.64.0.0/10").Contains(ip)
}

// guardedClient is an HTTP client with a timeout whose dialer checks every
// address it connects to (after DNS, so rebinding does not help) and which
// follows at most five redirects, to http(s) only.
func guardedClient(timeout time.Duration, allow func(netip.Addr) bool) *http.Client {
	dialer := &net.Dialer{
		Timeout: 10 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("summarize: bad address %q", address)
			}
			if !allow(ap.Addr()) {
				return fmt.Errorf("summarize: refusing to connect to non-public address %s", ap.Addr())
			}
			return nil
		},
	}
	tr := &http.Transport{
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: timeout,
		MaxIdleConns:          2,
		Proxy:                 nil,
	}
	return &http.Client{
		Timeout:   timeout,
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("too many redirects")
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("redirect to %s refused", req.URL.Scheme)
			}
			return nil
		},
	}
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
// results in input order: each line gets a result channel, queued in order,
// and the writer waits on them one by one.
func summarizeJSONL(ctx context.Context, in io.Reader, out io.Writer, opts summarize.Options, workers int) error {
	workers = max(workers, 1)
	type job struct {
		line []byte
		res  chan []byte
	}
	jobs := make(chan job, workers)
	order := make(chan chan []byte, 4*workers)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	for w := 0; w < workers; w++ {
		go func() {
			for j := range jobs {
				j.res <- summarizeLine(j.line, opts)
			}
		}()
	}
	readErr := make(chan error, 1)
	go func() {
		defer close(order)
		defer close(jobs)
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 64<<10), maxArticleBytes)
		for sc.Scan() {
			line := bytes.TrimSpace(sc.Bytes())
			if len(line) == 0 {
				continue
			}
			j := job{line: bytes.Clone(line), res: make(chan []byte, 1)}
			select {
			case order <- j.res:
			case <-ctx.Done():
				readErr <- ctx.Err()
				return
			}
			select {
			case jobs <- j:
			case <-ctx.Done():
				readErr <- ctx.Err()
				return
			}
		}
		readErr <- sc.Err()
	}()
	bw := bufio.NewWriter(out)
	for res := range order {
		if _, err := bw.Write(<-res); err != nil {
			cancel()
			return fmt.Errorf("summarize: writing: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("summarize: writing: %w", err)
	}
	if err := <-readErr; err != nil {
		return fmt.Errorf("summarize: reading input: %w", err)
	}
	return nil
}

func summarizeLine(line []byte, opts summarize.Options) []byte {
	var in jsonlIn
	var o jsonlOut
	if err := json.Unmarshal(line, &in); err != nil {
		o.Error = "bad JSON: " + err.Error()
	} else {
		o.ID = in.ID
		s, err := summarize.Summarize(summarize.Document{Title: in.Title, Text: in.Text, HTML: in.HTML, Language: in.Language}, opts)
		if err != nil {
			o.Error = err.Error()
		}
		o.Sentences = s.Sentences
	}
	if o.Sentences == nil {
		o.Sentences = []string{}
	}
	b, _ := json.Marshal(o)
	return append(b, '\n')
}
