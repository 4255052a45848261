package feeds

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestFetchArticle(t *testing.T) {
	s := &site{pages: map[string]page{
		"/articles/harbour-bridge-repairs": {"text/html; charset=utf-8", string(readFixture(t, "article_news.html"))},
		// The header says ISO-8859-1; the bytes are Windows-1252 (curly
		// quotes), as old CMSes do.
		"/articles/night-trains": {"text/html", string(readFixture(t, "article_latin1.html"))},
		"/image.png":             {"image/png", "\x89PNG\r\n"},
		"/empty":                 {"text/html", "<html><body></body></html>"},
	}}
	srv := serve(t, s)
	f := newTestFetcher(t, Config{})

	art, err := f.FetchArticle(t.Context(), srv.URL+"/articles/harbour-bridge-repairs")
	if err != nil {
		t.Fatal(err)
	}
	if art.Title != "Harbour bridge to close for three weeks of repairs" {
		t.Errorf("title = %q", art.Title)
	}
	if art.ImageURL != srv.URL+"/media/2024/04/bridge-scaffolding.jpg" {
		t.Errorf("image = %q", art.ImageURL)
	}
	if !strings.Contains(art.Byline, "Priya Natarajan") {
		t.Errorf("byline = %q", art.Byline)
	}
	for _, want := range []string{
		"The harbour bridge will close to all traffic for three weeks from 2 May",
		"“We would much rather close the bridge for three weeks in spring",
		"a public information evening will be held at the town hall on 25 April.",
	} {
		if !strings.Contains(art.Text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	for _, junk := range []string{"cookies", "Subscribe", "Related stories", "All rights reserved", "dataLayer"} {
		if strings.Contains(art.Text, junk) {
			t.Errorf("text holds page furniture %q", junk)
		}
	}
	if n := WordCount(art.Text); n < 300 {
		t.Errorf("only %d words extracted", n)
	}
	if !strings.Contains(art.Text, "\n\n") {
		t.Errorf("paragraphs lost: %q", art.Text)
	}

	old, err := f.FetchArticle(t.Context(), srv.URL+"/articles/night-trains")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Port Saint-André", "“People told us again and again", "operator’s managing director, Helga Børresen", "café car"} {
		if !strings.Contains(old.Text, want) {
			t.Errorf("latin-1 page lacks %q:\n%s", want, old.Text)
		}
	}
	if strings.Contains(old.Text, "Guestbook") {
		t.Errorf("sidebar kept: %q", old.Text)
	}

	if _, err := f.FetchArticle(t.Context(), srv.URL+"/image.png"); !errors.Is(err, ErrNoArticle) {
		t.Errorf("image: err = %v, want ErrNoArticle", err)
	}
	if _, err := f.FetchArticle(t.Context(), srv.URL+"/empty"); !errors.Is(err, ErrNoArticle) {
		t.Errorf("empty page: err = %v, want ErrNoArticle", err)
	}
	var se *StatusError
	if _, err := f.FetchArticle(t.Context(), srv.URL+"/missing"); !errors.As(err, &se) || se.Code != http.StatusNotFound {
		t.Errorf("missing page: err = %v, want 404", err)
	}
}

// TestFetchArticleTooLarge: a page over the body cap is called a page, not
// a feed (issue 9.16).
func TestFetchArticleTooLarge(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html><body><p>" + strings.Repeat("word ", 1000) + "</p></body></html>"))
	}))
	_, err := newTestFetcher(t, Config{MaxBodyBytes: 1000}).FetchArticle(t.Context(), srv.URL+"/big")
	if !errors.Is(err, ErrPageTooLarge) || !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrPageTooLarge", err)
	}
	if msg := Message(err); !strings.Contains(msg, "page is too large") || strings.Contains(msg, "feed") {
		t.Errorf("Message = %q", msg)
	}
}

// TestExtractArticleHostilePage: a page with more nodes than readability is
// given is read by the streaming converter instead, and still gives its
// text (issue 9.8).
func TestExtractArticleHostilePage(t *testing.T) {
	tests := []struct{ name, page, want string }{
		{"deep", "<html><body><nav>Menu</nav><p>Story begins." + strings.Repeat("<b>", maxArticleNodes+10) + "Deep end.</p></body></html>", "Story begins.Deep end."},
		{"wide", "<html><body><p>Story begins.</p>" + strings.Repeat("<i>x</i>", maxArticleNodes) + "</body></html>", "Story begins."},
	}
	for _, tt := range tests {
		art, err := extractArticle([]byte(tt.page), "text/html", "https://example.com/a")
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !strings.HasPrefix(art.Text, tt.want) || strings.Contains(art.Text, "Menu") {
			t.Errorf("%s: text starts %q", tt.name, art.Text[:min(len(art.Text), 80)])
		}
	}
}
