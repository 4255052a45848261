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
