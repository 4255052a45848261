package bot

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"newsbot/store"
)

func TestEscapeMarkdown(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain words", "plain words"},
		{"@everyone look", "@\u200beveryone look"},
		{"**bold** _it_ `code`", `\*\*bold\*\* \_it\_ \` + "`code\\`"},
		{"[click](http://evil)", `\[click\]\(http\://evil\)`},
		{"<@123> <@&456>", `\<@` + "\u200b" + `123\> \<@` + "\u200b" + `&456\>`},
		{"# heading\n> quote", `\# heading` + "\n" + `\> quote`},
	}
	for _, tt := range tests {
		if got := escapeMarkdown(tt.in); got != tt.want {
			t.Errorf("escapeMarkdown(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"one two three four five", 12, "one two…"},
		{"ééééééééé", 4, "ééé…"},
		{`abc\*def`, 5, "abc…"}, // never leaves a dangling escape
	}
	for _, tt := range tests {
		got := truncate(tt.in, tt.n)
		if got != tt.want || utf8.RuneCountInString(got) > tt.n || !utf8.ValidString(got) {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestRenderEmbedLimitsAndFields(t *testing.T) {
	long := strings.Repeat("word ", 2000)
	a := store.Article{
		Title: strings.Repeat("T", 400) + " @everyone", Link: "https://example.com/a", Author: "",
		Summary: []string{long, "Second sentence.", "Third."}, SentencesTotal: 41, WordsBefore: 20000, WordsAfter: 2003, // the footer counts the 2,003 words shown
		Published: time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC), ImageURL: "javascript:alert(1)",
	}
	s := store.DefaultGuildSettings("g", 3)
	e := render(a, "Source", s).Embed
	if n := utf8.RuneCountInString(e.Title); n > maxTitle {
		t.Errorf("title %d runes, over %d", n, maxTitle)
	}
	if n := utf8.RuneCountInString(e.Description); n > maxDescription {
		t.Errorf("description %d runes, over %d", n, maxDescription)
	}
	if len(e.Fields) != 0 {
		t.Errorf("empty author shown as a field: %+v", e.Fields)
	}
	if e.Image != nil {
		t.Errorf("non-http image URL kept: %+v", e.Image)
	}
	if e.Footer == nil || e.Footer.Text != "3 of 41 sentences · 90% shorter" {
		t.Errorf("footer = %+v", e.Footer)
	}
	s.ShowStats = false
	if e := render(a, "Source", s).Embed; e.Footer != nil {
		t.Errorf("footer shown with ShowStats off: %+v", e.Footer)
	}
	a.Author = "Jane *Doe*"
	if e := render(a, "Source", s).Embed; len(e.Fields) != 1 || e.Fields[0].Value != `Jane \*Doe\*` {
		t.Errorf("author field = %+v", e.Fields)
	}
	s.Format = store.FormatText
	m := render(a, "Source", s)
	if m.Embed != nil || utf8.RuneCountInString(m.Content) > maxContent || !strings.Contains(m.Content, "<https://example.com/a>") {
		t.Errorf("text format = %d runes, embed %v", utf8.RuneCountInString(m.Content), m.Embed)
	}
	s.Sentences = 1
	if got := pickSentences(a, s.Sentences); len(got) != 1 {
		t.Errorf("pickSentences(1) = %d sentences", len(got))
	}
}

func restErr(status, code int) error {
	return &discordgo.RESTError{
		Response: &http.Response{StatusCode: status, Status: http.StatusText(status)},
		Message:  &discordgo.APIErrorMessage{Code: code, Message: "x"},
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		err  error
		want postOutcome
	}{
		{nil, postOK},
		{restErr(403, codeMissingAccess), postPause},
		{restErr(403, codeMissingPermissions), postPause},
		{restErr(404, codeUnknownChannel), postPause},
		{restErr(429, 0), postRetry},
		{restErr(500, 0), postRetry},
		{restErr(503, 0), postRetry},
		{restErr(400, 50035), postDrop},
		{errors.New("connection reset"), postRetry},
	}
	for _, tt := range tests {
		if got, _ := classify(tt.err); got != tt.want {
			t.Errorf("classify(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	if backoff(0) != time.Second || backoff(3) != 8*time.Second || backoff(100) != 10*time.Minute {
		t.Errorf("backoff = %s %s %s", backoff(0), backoff(3), backoff(100))
	}
}

func TestRewriteTransport(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r.URL.Path }))
	defer srv.Close()
	rt, err := newRewriteTransport(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: rt}).Get(discordgo.EndpointGateway)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got != "/api/v9/gateway" {
		t.Errorf("rewritten path = %q", got)
	}
	if rt, _ := newRewriteTransport("https://discord.com", http.DefaultTransport); rt != http.DefaultTransport {
		t.Errorf("Discord's own root should not be rewritten")
	}
	if _, err := newRewriteTransport("ftp://x", nil); err == nil {
		t.Errorf("ftp root accepted")
	}
}

func TestAttachmentTransportRefusesOtherHosts(t *testing.T) {
	at := attachmentTransport{next: http.DefaultTransport, apiHost: "127.0.0.1:1"}
	req, _ := http.NewRequest(http.MethodGet, "http://169.254.169.254/latest/meta-data", nil)
	if _, err := at.RoundTrip(req); err == nil {
		t.Fatal("attachment from a non-Discord host was fetched")
	}
}
