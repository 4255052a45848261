package feeds

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html/charset"
)

// OPMLOutline is one feed of an OPML subscription list.
type OPMLOutline struct {
	Title, XMLURL, HTMLURL string
}

type opmlDoc struct {
	XMLName xml.Name `xml:"opml"`
	Version string   `xml:"version,attr"`
	Title   string   `xml:"head>title"`
	Body    opmlBody `xml:"body"`
}

type opmlBody struct {
	Outlines []opmlOutline `xml:"outline"`
}

type opmlOutline struct {
	Text     string        `xml:"text,attr"`
	Title    string        `xml:"title,attr,omitempty"`
	Type     string        `xml:"type,attr,omitempty"`
	XMLURL   string        `xml:"xmlUrl,attr,omitempty"`
	HTMLURL  string        `xml:"htmlUrl,attr,omitempty"`
	Children []opmlOutline `xml:"outline"`
}

// ParseOPML reads an OPML subscription list. Nested outlines (categories)
// are flattened; outlines without an xmlUrl are skipped, and a feed listed
// twice is returned once.
func ParseOPML(r io.Reader) ([]OPMLOutline, error) {
	dec := xml.NewDecoder(r)
	dec.Strict = false
	dec.CharsetReader = charset.NewReaderLabel
	var doc opmlDoc
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("feeds: read OPML: %w: %v", ErrMalformed, err)
	}
	var out []OPMLOutline
	seen := map[string]bool{}
	var walk func([]opmlOutline)
	walk = func(list []opmlOutline) {
		for _, o := range list {
			if u := strings.TrimSpace(o.XMLURL); u != "" && !seen[u] {
				seen[u] = true
				title := strings.TrimSpace(o.Title)
				if title == "" {
					title = strings.TrimSpace(o.Text)
				}
				out = append(out, OPMLOutline{Title: title, XMLURL: u, HTMLURL: strings.TrimSpace(o.HTMLURL)})
			}
			walk(o.Children)
		}
	}
	walk(doc.Body.Outlines)
	return out, nil
}

// WriteOPML writes feeds as an OPML 2.0 subscription list.
func WriteOPML(w io.Writer, title string, feeds []OPMLOutline) error {
	doc := opmlDoc{Version: "2.0", Title: title}
	for _, f := range feeds {
		text := f.Title
		if text == "" {
			text = f.XMLURL
		}
		doc.Body.Outlines = append(doc.Body.Outlines, opmlOutline{
			Text: text, Title: f.Title, Type: "rss", XMLURL: f.XMLURL, HTMLURL: f.HTMLURL,
		})
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("feeds: write OPML: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("feeds: write OPML: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("feeds: write OPML: %w", err)
	}
	return nil
}
