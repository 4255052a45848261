// Package htmltext turns HTML into the plain text a reader sees. It is the
// one HTML-to-text converter of newsbot: feed items, article pages and the
// summarizer all go through it, so they agree on what text a page holds.
//
// It streams: x/net/html's tokenizer reads the markup token by token and
// no tree is built, so memory stays proportional to the input, whatever
// the nesting (a description nesting <b> millions deep costs a counter,
// not a stack). What is dropped, and why:
//
//   - script, style, noscript, template and title: never text a reader
//     sees. noscript is dropped because the tokenizer reads it as raw markup
//     (as a browser with scripting does), and what it holds is a fallback
//     ("enable JavaScript", a tracking pixel, a copy of a lazy image).
//   - the fallback content of iframe, object, video, audio, canvas, noembed
//     and noframes ("Your browser does not support video"): a browser shows
//     the embed instead. These elements never swallow the text that follows
//     them: when one is never closed, the converter reads what follows it
//     again as ordinary text.
//   - with Options.Page, a page's furniture as well: nav, header, footer,
//     aside, form, figure and figcaption, button, select, svg and math;
//     with Options.DropCaptions, figure captions. Unclosed, these too are
//     read again as ordinary text rather than swallow the rest.
//
// Void elements (br, img, embed, source, track, wbr, param, area, col, hr,
// input, link, meta) have no contents and drop nothing. Invisible spoofing
// characters are removed from every text node (see Clean).
package htmltext

import (
	"html"
	"strings"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Options adjusts Convert.
type Options struct {
	// ParagraphBreak separates paragraphs; "" means "\n", one paragraph a
	// line. Line breaks (<br>) are always "\n".
	ParagraphBreak string
	// Page also drops a web page's furniture (navigation, headers,
	// footers, asides, forms, figures). For whole pages, not feed items.
	Page bool
	// DropCaptions drops figure captions (figcaption): a caption describes
	// a picture the reader of a summary does not see.
	DropCaptions bool
}

// Text renders an HTML fragment, entity-escaped HTML or plain text as plain
// text: one paragraph a line, entities decoded, white space collapsed.
func Text(s string) string { return Convert(s, Options{}) }

// Convert renders s as plain text as Options say. Input without markup is
// taken for plain text: its line breaks stay, blank lines part paragraphs.
func Convert(s string, o Options) string {
	w := writer{paragraph: o.ParagraphBreak}
	if w.paragraph == "" {
		w.paragraph = "\n"
	}
	if !strings.Contains(s, "<") {
		plain(&w, html.UnescapeString(s))
		return w.String()
	}
	c := converter{w: &w, page: o.Page, captions: o.DropCaptions}
	c.run(s)
	return w.String()
}

// plain tidies text that is already plain: lines are trimmed and their
// inner white space collapsed, blank lines mark paragraphs.
func plain(w *writer, s string) {
	for para := range strings.SplitSeq(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		first := true
		for line := range strings.SplitSeq(para, "\n") {
			if strings.TrimSpace(line) == "" {
				continue
			}
			if !first {
				w.newline()
			}
			first = false
			w.text(line)
		}
		w.block()
	}
}

// kind is what the converter does with an element.
type kind uint8

const (
	inline    kind = iota
	dropped        // contents never shown: script, style, template...
	fallback       // contents shown only when the embed can't be
	furniture      // page furniture, dropped with Options.Page
	block          // ends a paragraph
	replaced       // an inline box with no text: separates words
	brk            // <br>
	cell           // td, th
)

var kinds = map[atom.Atom]kind{
	atom.Script: dropped, atom.Style: dropped, atom.Noscript: dropped, atom.Template: dropped,
	atom.Title: dropped,

	atom.Iframe: fallback, atom.Object: fallback, atom.Video: fallback, atom.Audio: fallback,
	atom.Canvas: fallback, atom.Noembed: fallback, atom.Noframes: fallback,

	atom.Nav: furniture, atom.Header: furniture, atom.Footer: furniture, atom.Aside: furniture,
	atom.Form: furniture, atom.Figure: furniture, atom.Figcaption: furniture, atom.Button: furniture,
	atom.Select: furniture, atom.Svg: furniture, atom.Math: furniture,

	atom.P: block, atom.Div: block, atom.Section: block, atom.Article: block, atom.Main: block,
	atom.Blockquote: block, atom.Pre: block, atom.Ul: block, atom.Ol: block, atom.Li: block,
	atom.Dl: block, atom.Dt: block, atom.Dd: block, atom.Table: block, atom.Tr: block,
	atom.Caption: block, atom.H1: block, atom.H2: block, atom.H3: block, atom.H4: block,
	atom.H5: block, atom.H6: block, atom.Hr: block, atom.Address: block, atom.Details: block,
	atom.Summary: block, atom.Fieldset: block, atom.Legend: block, atom.Body: block,
	atom.Center: block, atom.Menu: block, atom.Dialog: block, atom.Hgroup: block,
	atom.Search: block, atom.Listing: block, atom.Plaintext: block, atom.Xmp: block,
	atom.Option: block,

	atom.Img: replaced, atom.Embed: replaced, atom.Input: replaced, atom.Textarea: replaced,

	atom.Br: brk,
	atom.Td: cell, atom.Th: cell,
}

// kindOf is an element's kind; furniture is inline outside Page mode, and
// figure and figcaption are blocks there.
func (c *converter) kindOf(a atom.Atom) kind {
	k := kinds[a]
	if k == furniture && !c.page && (a != atom.Figcaption || !c.captions) {
		switch a {
		case atom.Figure, atom.Figcaption, atom.Nav, atom.Header, atom.Footer, atom.Aside, atom.Form:
			return block
		}
		return inline
	}
	return k
}

// converter is one conversion's state. It holds counters, never a stack of
// open elements, so its memory does not grow with nesting.
type converter struct {
	w        *writer
	page     bool
	captions bool // drop figcaption
	pre      int  // depth inside <pre>

	skip      atom.Atom // the element whose contents are dropped; 0 if none
	skipDepth int       // its nesting inside itself
	skipFrom  int       // offset just past its start tag
	skipPre   int       // pre when it started
	// reread is set once an unclosed fallback or furniture element made
	// the converter read the rest again: from then on those elements drop
	// nothing, which bounds the work at two passes.
	reread bool
}

func (c *converter) run(s string) {
	base := 0
	for {
		next, ok := c.pass(s, base)
		if ok {
			return
		}
		base = next
	}
}

// pass tokenizes s[from:]. It returns ok, or the offset to read again
// from when an element that must not swallow text was never closed.
func (c *converter) pass(s string, from int) (int, bool) {
	z := xhtml.NewTokenizer(strings.NewReader(s[from:]))
	pos := from
	for {
		tt := z.Next()
		pos += len(z.Raw())
		if tt == xhtml.ErrorToken {
			return c.atEOF()
		}
		if c.skip != 0 {
			c.skipping(z, tt)
			continue
		}
		switch tt {
		case xhtml.TextToken:
			if c.pre > 0 {
				c.w.pre(string(z.Text()))
			} else {
				c.w.text(string(z.Text()))
			}
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			c.start(z, tt, pos)
		case xhtml.EndTagToken:
			c.end(z)
		}
	}
}

// atEOF ends a pass: done, unless contents were being dropped for an
// element that was never closed and must not swallow what follows it.
func (c *converter) atEOF() (int, bool) {
	if c.skip == 0 || c.kindOf(c.skip) == dropped {
		return 0, true
	}
	from := c.skipFrom
	c.skip, c.skipDepth, c.pre, c.reread = 0, 0, c.skipPre, true
	return from, false
}

func (c *converter) start(z *xhtml.Tokenizer, tt xhtml.TokenType, pos int) {
	name, _ := z.TagName()
	a := atom.Lookup(name)
	k := c.kindOf(a)
	if tt == xhtml.SelfClosingTagToken || k == fallback {
		// The tokenizer reads some elements' contents as raw text even
		// when written <iframe/> (XHTML) and would swallow the rest;
		// an empty element has no contents, and fallback contents are
		// markup.
		z.NextIsNotRawText()
	}
	switch k {
	case dropped, fallback, furniture:
		if tt == xhtml.StartTagToken && (k == dropped || !c.reread) {
			c.skip, c.skipDepth, c.skipFrom, c.skipPre = a, 0, pos, c.pre
		} else if k != dropped {
			c.w.space()
		}
	case block:
		c.w.block()
		if a == atom.Pre && tt == xhtml.StartTagToken {
			c.pre++
		}
	case replaced, cell:
		c.w.space()
	case brk:
		c.w.newline()
	}
}

func (c *converter) end(z *xhtml.Tokenizer) {
	name, _ := z.TagName()
	a := atom.Lookup(name)
	switch c.kindOf(a) {
	case block:
		c.w.block()
		if a == atom.Pre && c.pre > 0 {
			c.pre--
		}
	case cell, fallback, furniture:
		c.w.space()
	case brk:
		// </br> is read as <br> by browsers.
		c.w.newline()
	}
}

// skipping follows the element whose contents are dropped, counting its
// own nesting only.
func (c *converter) skipping(z *xhtml.Tokenizer, tt xhtml.TokenType) {
	if tt != xhtml.StartTagToken && tt != xhtml.EndTagToken && tt != xhtml.SelfClosingTagToken {
		return
	}
	name, _ := z.TagName()
	a := atom.Lookup(name)
	if tt == xhtml.SelfClosingTagToken || kinds[a] == fallback {
		// Inside dropped contents too, an <iframe> or a <script/> must
		// not turn the rest into raw text.
		z.NextIsNotRawText()
	}
	switch {
	case a != c.skip || tt == xhtml.SelfClosingTagToken:
	case tt == xhtml.StartTagToken:
		c.skipDepth++
	case tt == xhtml.EndTagToken:
		if c.skipDepth--; c.skipDepth < 0 {
			c.skip, c.skipDepth = 0, 0
			c.w.space()
		}
	}
}
