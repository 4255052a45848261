package feeds

import (
	"bytes"
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
