package feeds

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/rss"
)

// gofeed builds a full HTML tree (x/net/html's Parse) of some texts: each
// RSS item's content and description, to find a first image, and Atom text
// constructs of type html or xhtml, to strip a wrapping div and resolve
// xml:base. A tree costs hundreds of bytes a node, so a 10 MB description of
// nested or repeated tags took hundreds of MB. This package needs none of
// it: text goes through the streaming htmltext, images through firstImage,
// and links are resolved here. So the HTML is kept away from those trees.

// newGofeedParser returns a gofeed parser whose RSS translator builds no
// HTML tree.
func newGofeedParser() *gofeed.Parser {
	p := gofeed.NewParser()
	p.RSSTranslator = rssTranslator{}
	return p
}

// rssTranslator is gofeed's default RSS translator, with the item texts and
// the channel description hidden behind a placeholder while it runs (so its
// image search parses a few bytes, not the text), then put back.
type rssTranslator struct{}

// textPlaceholder stands for a hidden text: not empty, so the translator's
// fall-backs for missing texts do not fire, and no markup.
const textPlaceholder = "\x00newsbot text\x00"

func (rssTranslator) Translate(feed any) (*gofeed.Feed, error) {
	rf, ok := feed.(*rss.Feed)
	if !ok {
		return (&gofeed.DefaultRSSTranslator{}).Translate(feed)
	}
	desc := hide(&rf.Description)
	type texts struct{ content, description string }
	saved := make([]texts, len(rf.Items))
	for i, it := range rf.Items {
		if it != nil {
			saved[i] = texts{hide(&it.Content), hide(&it.Description)}
		}
	}
	gf, err := (&gofeed.DefaultRSSTranslator{}).Translate(rf)
	// Put the texts back in the RSS feed and in the translation.
	rf.Description = desc
	for i, it := range rf.Items {
		if it != nil {
			it.Content, it.Description = saved[i].content, saved[i].description
		}
	}
	if err != nil {
		return nil, err
	}
	restore(&gf.Description, desc)
	for i, gi := range gf.Items {
		if gi != nil && i < len(saved) {
			restore(&gi.Content, saved[i].content)
			restore(&gi.Description, saved[i].description)
		}
	}
	return gf, nil
}

// hide replaces a non-empty text with the placeholder and returns it.
func hide(s *string) string {
	old := *s
	if old != "" {
		*s = textPlaceholder
	}
	return old
}

// restore puts a hidden text back where the translator copied the
// placeholder.
func restore(s *string, text string) {
	if *s == textPlaceholder {
		*s = text
	}
}

// atomTextTagRE finds the start tag of an Atom text construct.
var atomTextTagRE = regexp.MustCompile(`(?i)<(?:[a-z_][\w.-]*:)?(?:content|summary|title|subtitle|rights|tagline|info|copyright)\b[^>]*>`)

// typeAttrRE and base64ModeRE find a text construct's type and mode.
var (
	typeAttrRE   = regexp.MustCompile(`(?i)(\btype\s*=\s*["'])([^"']*)(["'])`)
	base64ModeRE = regexp.MustCompile(`(?i)\bmode\s*=\s*["']\s*base64\s*["']`)
)

// opaqueType is a type gofeed does not know: it returns such content as
// written, or base64-decoded when its mode says base64.
const opaqueType = "x-newsbot-markup"

// plainAtomText rewrites the type attributes of Atom text constructs so
// gofeed builds no HTML tree and decodes what it should:
//   - type="html" becomes "text": gofeed decodes the entities, which is
//     all html needs;
//   - the xhtml types become opaqueType, whose markup gofeed returns as
//     written;
//   - any type with mode="base64" (Atom 0.3, still served) becomes
//     opaqueType too, which gofeed base64-decodes; left as "text/html" it
//     would post the base64 itself.
//
// The text converter does the rest.
func plainAtomText(body []byte) []byte {
	if !bytes.Contains(body, []byte("html")) && !bytes.Contains(body, []byte("base64")) {
		return body
	}
	return atomTextTagRE.ReplaceAllFunc(body, retypeTag)
}

// retypeTag rewrites one start tag's type attribute, as plainAtomText says.
func retypeTag(tag []byte) []byte {
	m := typeAttrRE.FindSubmatchIndex(tag)
	if m == nil {
		return tag
	}
	typ := strings.ToLower(strings.TrimSpace(string(tag[m[4]:m[5]])))
	var repl string
	switch {
	case base64ModeRE.Match(tag):
		repl = opaqueType
	case typ == "html":
		repl = "text"
	case strings.Contains(typ, "xhtml"):
		repl = opaqueType
	default:
		return tag
	}
	out := make([]byte, 0, len(tag)+len(repl))
	out = append(out, tag[:m[4]]...)
	out = append(out, repl...)
	return append(out, tag[m[5]:]...)
}
