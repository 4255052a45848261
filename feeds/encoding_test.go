package feeds

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

func mustEncode(t *testing.T, s string, e interface {
	Bytes([]byte) ([]byte, error)
}) []byte {
	t.Helper()
	b, err := e.Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseEncodings(t *testing.T) {
	const rss = `<rss version="2.0"><channel><title>%s</title><item><title>%s</title><description>x</description></item></channel></rss>`
	doc := func(prolog, title string) string {
		return prolog + strings.Replace(strings.Replace(rss, "%s", "Feed", 1), "%s", title, 1)
	}
	const title = "Crème brûlée – “déjà vu” €5"
	tests := []struct {
		name        string
		body        []byte
		contentType string
	}{
		{"utf-8 no prolog", []byte(doc("", title)), ""},
		{"utf-8 with BOM", append([]byte("\xEF\xBB\xBF"), doc(`<?xml version="1.0" encoding="utf-8"?>`, title)...), ""},
		{"utf-8 under a latin-1 prolog", []byte(doc(`<?xml version="1.0" encoding="ISO-8859-1"?>`, title)), ""},
		{"utf-8 under an unknown label", []byte(doc(`<?xml version='1.0' encoding='x-mac-nonsense'?>`, title)), ""},
		{"windows-1252 declared in single quotes", mustEncode(t, doc(`<?xml version='1.0' encoding='windows-1252'?>`, title), charmap.Windows1252.NewEncoder()), ""},
		{"windows-1252 labelled iso-8859-1", mustEncode(t, doc(`<?xml version="1.0" encoding="iso-8859-1"?>`, title), charmap.Windows1252.NewEncoder()), ""},
		{"windows-1252 from Content-Type", mustEncode(t, doc(`<?xml version="1.0"?>`, title), charmap.Windows1252.NewEncoder()), "text/xml; charset=windows-1252"},
		{"windows-1252 undeclared", mustEncode(t, doc("", title), charmap.Windows1252.NewEncoder()), ""},
		{"windows-1252 with a lying utf-8 header", mustEncode(t, doc("", title), charmap.Windows1252.NewEncoder()), "application/xml; charset=utf-8"},
		{"utf-16le with BOM", mustEncode(t, doc(`<?xml version="1.0" encoding="utf-16"?>`, title), unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder()), ""},
		{"utf-16be with BOM", mustEncode(t, doc(`<?xml version="1.0" encoding="utf-16"?>`, title), unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder()), ""},
		{"utf-16le without BOM", mustEncode(t, doc(`<?xml version="1.0" encoding="utf-16"?>`, title), unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder()), ""},
		{"control characters", []byte(doc("", "Crème\x0c brûlée\x00 – “déjà vu” \x1b€5")), ""},
	}
	for _, tt := range tests {
		feed, err := Parse(bytes.NewReader(tt.body), tt.contentType, "")
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if len(feed.Items) != 1 || feed.Items[0].Title != title {
			t.Errorf("%s: items %+v, want title %q", tt.name, feed.Items, title)
		}
	}

	koi8 := mustEncode(t, doc(`<?xml version="1.0" encoding="KOI8-R"?>`, "Новости"), charmap.KOI8R.NewEncoder())
	feed, err := Parse(bytes.NewReader(koi8), "", "")
	if err != nil || feed.Items[0].Title != "Новости" {
		t.Errorf("koi8-r: %v %+v", err, feed)
	}
}

func TestDecodeMostlyUTF8(t *testing.T) {
	// UTF-8 text with one stray Latin-1 byte keeps its UTF-8.
	in := []byte("<rss><channel><title>naïve café résumé \xe9</title></channel></rss>")
	out := decodeXML(in, "")
	if !bytes.Contains(out, []byte("naïve café résumé \uFFFD")) {
		t.Errorf("got %q", out)
	}
}

func TestDecodeTextHTMLMeta(t *testing.T) {
	page := mustEncode(t, `<html><head><meta charset="koi8-r"></head><body>Привет</body></html>`, charmap.KOI8R.NewEncoder())
	if out := decodeText(page, "text/html", true); !bytes.Contains(out, []byte("Привет")) {
		t.Errorf("got %q", out)
	}
	// A meta tag after the first 1024 bytes still counts.
	late := mustEncode(t, "<html><head><!--"+strings.Repeat(" ", 2000)+`--><meta http-equiv="Content-Type" content="text/html; charset=windows-1251"></head><body>Привет</body></html>`, charmap.Windows1251.NewEncoder())
	if out := decodeText(late, "", true); !bytes.Contains(out, []byte("Привет")) {
		t.Errorf("late meta: got %q", out[len(out)-40:])
	}
}

// TestDecodeUTF8WithBrokenBytes: a real UTF-8 feed with a few broken byte
// sequences keeps every valid character, whatever its labels claim; only the
// broken bytes become U+FFFD (issue 9.14).
func TestDecodeUTF8WithBrokenBytes(t *testing.T) {
	for _, name := range []string{"urdu_UTF8.xml", "rdf_UTF8.xml", "small_atom.xml"} {
		clean := readFixture(t, filepath.Join("miniflux", name))
		want, err := Parse(bytes.NewReader(clean), "", "")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		broken := breakTitles(t, clean)
		for _, tt := range []struct{ label, prolog, contentType string }{
			{"as labelled", "", ""},
			{"under a windows-1252 prolog", "windows-1252", ""},
			{"under an iso-8859-1 prolog", "ISO-8859-1", ""},
			{"with a windows-1251 header", "", "text/xml; charset=windows-1251"},
		} {
			doc := broken
			if tt.prolog != "" {
				doc = prologRE.ReplaceAll(doc, []byte(`<?xml version="1.0" encoding="`+tt.prolog+`"?>`))
			}
			got, err := Parse(bytes.NewReader(doc), tt.contentType, "")
			if err != nil {
				t.Fatalf("%s %s: %v", name, tt.label, err)
			}
			if len(got.Items) != len(want.Items) {
				t.Fatalf("%s %s: %d items, want %d", name, tt.label, len(got.Items), len(want.Items))
			}
			for i := range got.Items {
				g, w := got.Items[i].Title, want.Items[i].Title
				if strings.Join(strings.Fields(strings.ReplaceAll(g, "\uFFFD", "")), " ") != w {
					t.Errorf("%s %s: item %d title %q, want %q with at most U+FFFD added", name, tt.label, i, g, w)
				}
			}
			if !strings.Contains(got.Items[0].Title, "\uFFFD") {
				t.Errorf("%s %s: the broken bytes did not become U+FFFD: %q", name, tt.label, got.Items[0].Title)
			}
		}
	}
}

// breakTitles inserts a stray Latin-1 byte and a cut three-byte sequence
// into the first item's title.
func breakTitles(t *testing.T, doc []byte) []byte {
	t.Helper()
	start := bytes.Index(doc, []byte("<item"))
	if start < 0 {
		start = bytes.Index(doc, []byte("<entry"))
	}
	i := bytes.Index(doc[start:], []byte("<title"))
	if start < 0 || i < 0 {
		t.Fatal("no item title")
	}
	i += start
	i += bytes.IndexByte(doc[i:], '>') + 1
	if bytes.HasPrefix(doc[i:], []byte("<![CDATA[")) {
		i += len("<![CDATA[")
	}
	out := append([]byte{}, doc[:i]...)
	out = append(out, "\xe9\xe2\x80"...)
	return append(out, doc[i:]...)
}

func TestMostlyUTF8(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"café \xe9", true},                          // one valid, one broken
		{"caf\xe9 cr\xe8me", false},                  // Latin-1
		{"\xe2\x80 é", true},                         // a cut sequence counts once
		{"\xcf\xf0\xe8\xe2\xe5\xf2 \xc0\xbb", false}, // Windows-1251 with one accidental pair
		{"plain ascii", false},
	}
	for _, tt := range tests {
		if got := mostlyUTF8([]byte(tt.in)); got != tt.want {
			t.Errorf("mostlyUTF8(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
