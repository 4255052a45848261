package feeds

import (
	"encoding/xml"
	"errors"
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
		return nil, newOPMLError(err)
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

// OPMLError is an OPML file that cannot be read. Reason says why in a
// user's words; Err is the parser's error, for logs.
type OPMLError struct {
	Reason string
	Err    error
}

func (e *OPMLError) Error() string { return "feeds: read OPML: " + e.Reason + ": " + e.Err.Error() }

// Unwrap makes the error match ErrOPML and ErrMalformed, and the parser's.
func (e *OPMLError) Unwrap() []error { return []error{ErrOPML, ErrMalformed, e.Err} }

func (e *OPMLError) message() string {
	return "That file is not an OPML subscription list I can read: " + e.Reason +
		". Export one from your feed reader (usually under Settings, Export, OPML) and try again."
}

// newOPMLError says in words what a decoding error means for the user.
func newOPMLError(err error) *OPMLError {
	var syntax *xml.SyntaxError
	var unmarshal xml.UnmarshalError
	reason := "its contents cannot be read"
	switch {
	case errors.Is(err, io.EOF):
		reason = "the file is empty"
	case errors.As(err, &syntax) && strings.Contains(syntax.Msg, "unexpected EOF"):
		reason = "the file ends too early (is it complete?)"
	case errors.As(err, &syntax):
		reason = fmt.Sprintf("the XML in it is broken on line %d", syntax.Line)
	case errors.As(err, &unmarshal) && strings.Contains(string(unmarshal), "expected element type"):
		reason = "it is not OPML (an OPML file starts with <opml>)"
	}
	return &OPMLError{Reason: reason, Err: err}
}
