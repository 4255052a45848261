package feeds

import (
	"bytes"
	"regexp"

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

// atomHTMLTypeRE finds the type attribute of an Atom text construct that
// gofeed would parse as HTML.
var atomHTMLTypeRE = regexp.MustCompile(`(?i)(<(?:[a-z_][\w.-]*:)?(?:content|summary|title|subtitle|rights|tagline|info|copyright)\b[^>]*?\btype\s*=\s*["'])(html|xhtml|application/xhtml\+xml)(["'])`)

// plainAtomText renames the html and xhtml types of Atom text constructs so
// gofeed handles them as it handles text: type="html" becomes "text" (the
// entities are decoded, which is all html needs), and the xhtml types
// become an unknown type, whose markup gofeed returns as written. Either
// way gofeed builds no HTML tree; the text converter does the rest.
func plainAtomText(body []byte) []byte {
	if !bytes.Contains(body, []byte("html")) || !atomHTMLTypeRE.Match(body) {
		return body
	}
	return atomHTMLTypeRE.ReplaceAllFunc(body, func(m []byte) []byte {
		sub := atomHTMLTypeRE.FindSubmatch(m)
		typ := "x-newsbot-markup"
		if bytes.EqualFold(sub[2], []byte("html")) {
			typ = "text"
		}
		out := append([]byte{}, sub[1]...)
		out = append(out, typ...)
		return append(out, sub[3]...)
	})
}
