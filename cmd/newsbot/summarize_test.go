package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testArticle = `PORTSMOUTH, Maine (Reuters) - The city council of Portsmouth voted on Tuesday to build a $1.2 billion flood barrier across the mouth of its harbor after three storms flooded the old town.
The barrier, a line of steel gates that close when a storm surge is forecast, would protect about 4,000 homes and the naval shipyard.
Opponents said the price was too high for a city of 22,000 people and that the debt would last 40 years.
The U.S. Army Corps of Engineers has promised about 60% of the cost under a program for coastal towns.
Residents at the meeting were divided about the new fee on waterfront property.
(Reporting by Jane Doe; Editing by John Roe)`

func runSummarizeCmd(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, stdio{in: strings.NewReader(stdin), out: &out, err: &errb})
	return out.String(), errb.String(), err
}

func TestSummarizeStdin(t *testing.T) {
	out, _, err := runSummarizeCmd(t, testArticle, "summarize", "-n", "2", "-title", "Flood barrier approved")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("want 2 sentences and a stats line, got:\n%s", out)
	}
	if !strings.HasPrefix(lines[0], "The city council of Portsmouth voted") {
		t.Errorf("first line %q", lines[0])
	}
	stats := lines[2]
	for _, want := range []string{"2 of 6 sentences", "% shorter", "language en", "keywords:"} {
		if !strings.Contains(stats, want) {
			t.Errorf("stats line %q lacks %q", stats, want)
		}
	}
}

func TestSummarizeFileAndErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.txt")
	if err := os.WriteFile(path, []byte(testArticle), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := runSummarizeCmd(t, "", "summarize", path)
	if err != nil || strings.Count(out, "\n") != 4 {
		t.Fatalf("file: %v\n%s", err, out)
	}
	htmlPath := filepath.Join(dir, "a.html")
	os.WriteFile(htmlPath, []byte("<html><body><p>"+strings.ReplaceAll(testArticle, "\n", "</p><p>")+"</p></body></html>"), 0o600)
	out, _, err = runSummarizeCmd(t, "", "summarize", "-n", "1", htmlPath)
	if err != nil || strings.Contains(out, "<p>") {
		t.Fatalf("html file: %v\n%s", err, out)
	}
	if _, _, err := runSummarizeCmd(t, "", "summarize", filepath.Join(dir, "missing.txt")); err == nil {
		t.Error("missing file: no error")
	}
	if _, _, err := runSummarizeCmd(t, "   ", "summarize"); err == nil || !strings.Contains(err.Error(), "no text") {
		t.Errorf("empty input: %v", err)
	}
	if _, _, err := runSummarizeCmd(t, "", "summarize", "-bogus"); err == nil {
		t.Error("bad flag: no error")
	}
	if _, _, err := runSummarizeCmd(t, "", "summarize", "ftp://example.com/a"); err == nil {
		t.Error("ftp URL read as a file without error")
	}
}

func TestSummarizeURL(t *testing.T) {
	page := "<html><head><title>Flood barrier approved</title></head><body><nav>Home News</nav><article><h1>Flood barrier approved</h1><p>" +
		strings.ReplaceAll(testArticle, "\n", "</p><p>") + "</p></article></body></html>"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	}))
	defer srv.Close()

	// By default a loopback address is refused.
	t.Setenv("NEWSBOT_ALLOW_PRIVATE_ADDRESSES", "false")
	if _, _, err := runSummarizeCmd(t, "", "summarize", srv.URL); err == nil || !strings.Contains(err.Error(), "private") {
		t.Fatalf("loopback URL: err = %v, want a refusal", err)
	}

	t.Setenv("NEWSBOT_ALLOW_PRIVATE_ADDRESSES", "true")
	out, _, err := runSummarizeCmd(t, "", "summarize", "-n", "2", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "The city council of Portsmouth voted") || strings.Contains(out, "<") {
		t.Errorf("URL summary:\n%s", out)
	}
}

func TestSummarizeJSONL(t *testing.T) {
	var in strings.Builder
	const n = 200
	for i := 0; i < n; i++ {
		text := testArticle
		if i%50 == 7 {
			text = "" // an article with no text
		}
		line, _ := json.Marshal(map[string]string{"id": fmt.Sprintf("a%03d", i), "title": "Flood barrier", "text": text})
		in.Write(line)
		in.WriteByte('\n')
		if i == 3 {
			in.WriteString("\n") // blank lines are skipped
		}
	}
	in.WriteString("{not json}\n")
	for _, workers := range []string{"1", "4"} {
		out, _, err := runSummarizeCmd(t, in.String(), "summarize", "-jsonl", "-n", "2", "-j", workers)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
		if len(lines) != n+1 {
			t.Fatalf("-j %s: %d lines out, want %d", workers, len(lines), n+1)
		}
		for i, l := range lines[:n] {
			var o struct {
				ID        string   `json:"id"`
				Sentences []string `json:"sentences"`
				Error     string   `json:"error"`
			}
			if err := json.Unmarshal([]byte(l), &o); err != nil {
				t.Fatalf("line %d: %v", i, err)
			}
			if want := fmt.Sprintf("a%03d", i); o.ID != want {
				t.Fatalf("-j %s: line %d has id %q, want %q (order lost)", workers, i, o.ID, want)
			}
			if i%50 == 7 {
				if o.Error == "" || len(o.Sentences) != 0 {
					t.Errorf("empty article: %s", l)
				}
			} else if len(o.Sentences) != 2 || o.Error != "" {
				t.Errorf("line %d: %s", i, l)
			}
		}
		if !strings.Contains(lines[n], `"error":"bad JSON`) {
			t.Errorf("bad line: %s", lines[n])
		}
	}
	if _, _, err := runSummarizeCmd(t, "", "summarize", "-jsonl", "file.txt"); err == nil {
		t.Error("-jsonl with a file: no error")
	}
}
