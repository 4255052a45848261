package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSplitTextArticle(t *testing.T) {
	body := "The council voted on Tuesday to build a barrier across the harbor.\nIt will cost $1.2 billion."
	tests := []struct {
		name, in, title, body string
	}{
		{"markdown headline", "# Flood barrier approved\n\n" + body, "Flood barrier approved", body},
		{"headline without punctuation", "Flood barrier approved\n\n" + body, "Flood barrier approved", body},
		{"setext headline", "Flood barrier approved\n======================\n" + body, "Flood barrier approved", body},
		{"front matter", "---\ntitle: \"Flood barrier approved\"\ndate: 2024-05-01\n---\n\n" + body, "Flood barrier approved", body},
		{"front matter and headline", "---\nlayout: post\n---\n# Flood barrier approved\n\n" + body, "Flood barrier approved", body},
		{"metadata lines", "Title: Flood barrier approved\nAuthor: Jane Doe\nDate: 1 May 2024\n\n" + body, "Flood barrier approved", body},
		{"metadata then headline", "Author: Jane Doe\n\n# Flood barrier approved\n" + body, "Flood barrier approved", body},
		{"no headline", body, "", body},
		{"first sentence is not a headline", "The council voted on Tuesday.\n\nIt will cost $1.2 billion.", "", "The council voted on Tuesday.\n\nIt will cost $1.2 billion."},
		{"dateline is not metadata", "WASHINGTON: The Senate passed the bill on Monday.\nIt goes to the House.", "", "WASHINGTON: The Senate passed the bill on Monday.\nIt goes to the House."},
		{"sentence with a colon is not metadata", "Officials said: the barrier will be built within six years.\nMore follows.", "", "Officials said: the barrier will be built within six years.\nMore follows."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			title, got := splitTextArticle(tt.in)
			if title != tt.title || strings.TrimSpace(got) != tt.body {
				t.Errorf("splitTextArticle(%q)\n title %q, want %q\n body %q\n want %q", tt.in, title, tt.title, got, tt.body)
			}
		})
	}
}

func TestSplitHTMLTitle(t *testing.T) {
	page := `<html><body><article><h1>Storm <b>floods</b> town</h1><p>The storm flooded the old town on Tuesday.</p></article></body></html>`
	title, rest := splitHTMLTitle(page)
	if title != "Storm floods town" || strings.Contains(rest, "<h1>") || !strings.Contains(rest, "<p>The storm") {
		t.Errorf("title %q, rest %q", title, rest)
	}
	if title, rest := splitHTMLTitle("<p>No headline.</p>"); title != "" || rest != "<p>No headline.</p>" {
		t.Errorf("no h1: %q, %q", title, rest)
	}
}

// TestSummarizeFileHeadline: a file's headline is the title, never a
// summary sentence, and never glued to the first sentence.
func TestSummarizeFileHeadline(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a.md":   "---\nauthor: Jane Doe\n---\n# Flood barrier approved by the council\n\n" + testArticle,
		"b.txt":  "Flood barrier approved by the council\n\n" + testArticle,
		"c.html": "<html><body><h1>Flood barrier approved by the council</h1><p>" + strings.ReplaceAll(testArticle, "\n", "</p><p>") + "</p></body></html>",
		"d.md":   "Title: Flood barrier approved by the council\nDate: 2024-05-01\n\n" + testArticle,
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		out, _, err := runSummarizeCmd(t, "", "summarize", "-n", "5", path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, bad := range []string{"Flood barrier approved", "---", "author", "Date:", "Title:", "#"} {
			if strings.Contains(out, bad) {
				t.Errorf("%s: summary holds %q:\n%s", name, bad, out)
			}
		}
		if !strings.Contains(out, "The city council of Portsmouth voted") {
			t.Errorf("%s: the lead is missing:\n%s", name, out)
		}
	}
	// From standard input too.
	out, _, err := runSummarizeCmd(t, files["a.md"], "summarize", "-n", "5")
	if err != nil || strings.Contains(out, "Flood barrier approved") {
		t.Errorf("stdin: %v\n%s", err, out)
	}
}

// TestSummarizeURLSpelling: an address with an upper-case scheme or
// surrounding spaces is fetched as preview fetches it, not opened as a file.
func TestSummarizeURLSpelling(t *testing.T) {
	t.Setenv("NEWSBOT_ALLOW_PRIVATE_ADDRESSES", "false")
	for _, arg := range []string{"HTTP://127.0.0.1:1/a", "  http://127.0.0.1:1/a  ", "Https://127.0.0.1:1/a"} {
		_, _, err := runSummarizeCmd(t, "", "summarize", arg)
		if err == nil || strings.Contains(err.Error(), "no such file") || !strings.Contains(err.Error(), "private") {
			t.Errorf("%q: err = %v, want the private-address refusal of a URL", arg, err)
		}
	}
	for _, tt := range []struct {
		arg  string
		want bool
	}{{"HTTP://x", true}, {" https://x ", true}, {"http:/x", false}, {"ftp://x", false}, {"file.txt", false}} {
		if got := isURL(tt.arg); got != tt.want {
			t.Errorf("isURL(%q) = %v", tt.arg, got)
		}
	}
}
