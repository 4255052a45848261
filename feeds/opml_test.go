package feeds

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
)

const nestedOPML = `<?xml version="1.0" encoding="ISO-8859-1"?>
<opml version="1.0">
  <head><title>My feeds</title></head>
  <body>
    <outline text="News">
      <outline text="Golem" title="Golem.de" type="rss" xmlUrl="https://rss.golem.de/rss.php?feed=RSS2.0" htmlUrl="https://www.golem.de/"/>
      <outline text="Tech">
        <outline text="Caf` + "\xe9" + ` Tech" type="rss" xmlUrl="https://cafe.example.com/feed" />
      </outline>
    </outline>
    <outline text="A separator, no feed"/>
    <outline text="Duplicate" xmlUrl="https://cafe.example.com/feed"/>
    <outline text="Top level" xmlUrl="https://top.example.org/atom.xml" htmlUrl="https://top.example.org/">
    </outline>
  </body>
</opml>`

func TestParseOPMLNested(t *testing.T) {
	got, err := ParseOPML(strings.NewReader(nestedOPML))
	if err != nil {
		t.Fatal(err)
	}
	want := []OPMLOutline{
		{Title: "Golem.de", XMLURL: "https://rss.golem.de/rss.php?feed=RSS2.0", HTMLURL: "https://www.golem.de/"},
		{Title: "Café Tech", XMLURL: "https://cafe.example.com/feed"},
		{Title: "Top level", XMLURL: "https://top.example.org/atom.xml", HTMLURL: "https://top.example.org/"},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}

func TestOPMLRoundTrip(t *testing.T) {
	feeds := []OPMLOutline{
		{Title: "Ünïcode & <markup>", XMLURL: "https://a.example/feed?x=1&y=2", HTMLURL: "https://a.example/"},
		{Title: "", XMLURL: "https://b.example/rss.xml"},
	}
	var buf bytes.Buffer
	if err := WriteOPML(&buf, "newsbot subscriptions", feeds); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, s := range []string{`<?xml version="1.0"`, `<opml version="2.0">`, `<title>newsbot subscriptions</title>`, `xmlUrl="https://a.example/feed?x=1&amp;y=2"`, `text="https://b.example/rss.xml"`} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %s:\n%s", s, out)
		}
	}
	got, err := ParseOPML(&buf)
	if err != nil {
		t.Fatal(err)
	}
	// A feed without a title comes back titled by its URL (OPML's text).
	want := slices.Clone(feeds)
	want[1].Title = want[1].XMLURL
	if !slices.Equal(got, want) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
	}

	var empty bytes.Buffer
	if err := WriteOPML(&empty, "none", nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(empty.String(), "<body></body>") {
		t.Errorf("empty list lacks a body:\n%s", empty.String())
	}
}

// TestParseOPMLMalformed: a file that is not a readable OPML list gets a
// message in the user's words, never the XML parser's (issue 9.16).
func TestParseOPMLMalformed(t *testing.T) {
	tests := []struct{ name, doc, inMsg string }{
		{"cut", "<opml><body><outline xmlUrl=", "ends too early"},
		{"empty", "", "the file is empty"},
		{"broken XML", "<opml>\n<body>\n<outline <xmlUrl=\"a\"/></body></opml>", "broken on line 3"},
		{"not OPML", `<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>`, "it is not OPML"},
	}
	for _, tt := range tests {
		_, err := ParseOPML(strings.NewReader(tt.doc))
		if !errors.Is(err, ErrMalformed) || !errors.Is(err, ErrOPML) {
			t.Errorf("%s: err = %v, want ErrOPML and ErrMalformed", tt.name, err)
			continue
		}
		msg := Message(err)
		if !strings.Contains(msg, tt.inMsg) || !strings.Contains(msg, "OPML subscription list") {
			t.Errorf("%s: Message = %q, want it to say %q", tt.name, msg, tt.inMsg)
		}
		for _, raw := range []string{"XML syntax error", "expected element", "EOF"} {
			if strings.Contains(msg, raw) {
				t.Errorf("%s: Message shows the parser's error: %q", tt.name, msg)
			}
		}
	}
}
