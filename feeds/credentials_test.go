package feeds

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

func TestCleanUserURL(t *testing.T) {
	tests := []struct {
		in, want string
		creds    bool
		err      error
	}{
		{"https://example.com/feed.xml", "https://example.com/feed.xml", false, nil},
		{"  https://example.com/feed  ", "https://example.com/feed", false, nil},
		{"https://alice:s3cret@example.com/feed?x=1", "https://example.com/feed?x=1", true, nil},
		{"https://token@example.com/feed", "https://example.com/feed", true, nil},
		{"HTTP://bob:pw@Example.com/", "http://Example.com/", true, nil},
		{"ftp://u:p@example.com/", "", true, ErrUnsupportedScheme},
		{"example.com/feed", "", false, ErrInvalidURL},
		{"https://:pw@/", "", true, ErrInvalidURL},
	}
	for _, tt := range tests {
		got, creds, err := CleanUserURL(tt.in)
		if got != tt.want || creds != tt.creds || !errors.Is(err, tt.err) {
			t.Errorf("CleanUserURL(%q) = %q, %v, %v; want %q, %v, %v", tt.in, got, creds, err, tt.want, tt.creds, tt.err)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("CleanUserURL(%q): error shows the password: %v", tt.in, err)
		}
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://example.com/feed", "https://example.com/feed"},
		{"https://alice:s3cret@example.com/feed", "https://redacted@example.com/feed"},
		{"https://example.com/feed?token=abc&page=2", "https://example.com/feed?token=REDACTED&page=2"},
		{"https://example.com/rss?api_key=k1&KEY=k2&auth=x&sig=y&q=go", "https://example.com/rss?api_key=REDACTED&KEY=REDACTED&auth=REDACTED&sig=REDACTED&q=go"},
		{"https://example.com/f?private_token=t", "https://example.com/f?private_token=REDACTED"},
		{"::not a url::user:pw@host", "[redacted]@host"},
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestFetchErrorsAreRedacted: errors of the fetcher, and what the builder
// logs, never show a password or a query secret.
func TestFetchErrorsAreRedacted(t *testing.T) {
	srv := serve(t, http.NotFoundHandler())
	secretURL := strings.Replace(srv.URL, "http://", "http://alice:s3cret@", 1) + "/feed?token=t0ps3cret"
	f := newTestFetcher(t, Config{})
	_, err := f.FetchFeed(t.Context(), secretURL, Validators{})
	if err == nil {
		t.Fatal("no error from a 404")
	}
	_, err2 := f.FetchArticle(t.Context(), secretURL)
	var logs bytes.Buffer
	b := &Builder{Fetcher: f, Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	b.Article(t.Context(), Item{Title: "x", Link: secretURL}, 3)
	_, err3 := f.FetchFeed(t.Context(), "htp://alice:s3cret@example.com/", Validators{})
	for _, s := range []string{err.Error(), err2.Error(), err3.Error(), logs.String()} {
		if strings.Contains(s, "s3cret") || strings.Contains(s, "t0ps3cret") {
			t.Errorf("secret shown: %s", s)
		}
	}
	if !strings.Contains(logs.String(), "token=REDACTED") {
		t.Errorf("log lacks the redacted link: %s", logs.String())
	}
}
