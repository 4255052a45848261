package feeds

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// Hostile feeds for the memory bound (issue 9.8): each is as large as the
// body cap allows and built to make a naive parser keep a tree, a stack or
// a copy per element. They are generated, never committed.

// hostileFeed is one generated document.
type hostileFeed struct {
	name string
	body func(size int) []byte
}

// hostileFeeds returns the hostile documents; size is the body size to aim
// for (DefaultMaxBodyBytes in the benchmark, less in quick tests).
var hostileFeeds = []hostileFeed{
	// The reported case: a description nesting <b> millions deep.
	{"rss-cdata-nested-b", func(n int) []byte {
		return rssItem("<![CDATA[" + fill("<b>", n) + "deep]]>")
	}},
	{"rss-escaped-nested-b", func(n int) []byte {
		return rssItem(fill("&lt;b&gt;", n) + "deep")
	}},
	// The same nesting as XML elements, which an XML parser keeps a stack
	// entry for.
	{"rss-xml-nested-b", func(n int) []byte {
		return rssItem(fill("<b>", n) + "deep")
	}},
	// Millions of sibling tags: shallow, but a tree of millions of nodes.
	{"rss-cdata-flat-tags", func(n int) []byte {
		return rssItem("<![CDATA[" + fill("<i>x</i>", n) + "]]>")
	}},
	// Atom parsers parse html and xhtml text constructs as HTML.
	{"atom-html-nested-b", func(n int) []byte {
		return atomEntry(`<content type="html">` + fill("&lt;b&gt;", n) + "deep</content>")
	}},
	{"atom-xhtml-nested-div", func(n int) []byte {
		return atomEntry(`<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">` + repeat("<div>", (n-1024)/11) + "deep" + repeat("</div>", (n-1024)/11) + "</div></content>")
	}},
	// A title nesting script and style, and one enormous title.
	{"rss-huge-title", func(n int) []byte {
		return []byte(`<rss version="2.0"><channel><title>t</title><item><title><![CDATA[` +
			fill("<script>x</script><b>", n) + `]]></title><link>https://example.com/a</link></item></channel></rss>`)
	}},
}

const rssHead = `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Hostile</title><link>https://example.com/</link>`

func rssItem(desc string) []byte {
	return []byte(rssHead + `<item><title>Deep</title><link>https://example.com/deep</link><description>` +
		desc + `</description></item><item><title>After</title><link>https://example.com/after</link>` +
		`<description>The item after the deep one.</description></item></channel></rss>`)
}

func atomEntry(content string) []byte {
	return []byte(`<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Hostile</title>` +
		`<entry><id>urn:x:1</id><title>Deep</title><link href="https://example.com/deep"/>` + content + `</entry>` +
		`<entry><id>urn:x:2</id><title>After</title><link href="https://example.com/after"/><content>The entry after.</content></entry></feed>`)
}

// repeat is strings.Repeat, named for symmetry with fill.
func repeat(unit string, count int) string { return strings.Repeat(unit, count) }

// fill repeats unit to about n bytes, leaving room for the document around it.
func fill(unit string, n int) string {
	count := max((n-512)/len(unit), 1)
	var b bytes.Buffer
	b.Grow(count * len(unit))
	for range count {
		b.WriteString(unit)
	}
	return b.String()
}

// TestHostileFeeds: at 1 MiB (the benchmark runs them at the body cap),
// each hostile feed is refused as malformed (XML nested past maxXMLDepth)
// or parsed with the item after the hostile one intact.
func TestHostileFeeds(t *testing.T) {
	for _, hf := range hostileFeeds {
		feed, err := Parse(bytes.NewReader(hf.body(1<<20)), "", "https://example.com/feed")
		if err != nil {
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "nested more than") {
				t.Errorf("%s: %v", hf.name, err)
			}
			continue
		}
		if len(feed.Items) == 0 {
			t.Errorf("%s: no items", hf.name)
			continue
		}
		first := feed.Items[0]
		if len(first.Title) > 4*maxTitleRunes {
			t.Errorf("%s: title of %d bytes", hf.name, len(first.Title))
		}
		if strings.Contains(first.Title+first.Content, "<b>") || strings.Contains(first.Title, "script") {
			t.Errorf("%s: markup left: %.80q / %.80q", hf.name, first.Title, first.Content)
		}
		if len(feed.Items) == 2 && !strings.HasPrefix(feed.Items[1].Content, "The ") {
			t.Errorf("%s: the item after = %+v", hf.name, feed.Items[1])
		}
	}
}
