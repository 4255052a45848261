package feeds

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"strings"
	"time"
	"unicode"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"
)

// Feed is a parsed feed: RSS 0.9x, 1.0 (RDF) and 2.0, Atom, or JSON Feed.
type Feed struct {
	Title   string
	SiteURL string // the web site the feed belongs to
	FeedURL string // the URL it was fetched from (or its self link)
	Items   []Item
}

// Item is one entry of a feed, with its text already made plain.
type Item struct {
	GUID     string
	Link     string // absolute when the feed's URL is known
	Title    string // markup stripped, entities decoded, one line
	Author   string
	ImageURL string
	// Published is the publication (else update) time; zero when the feed
	// gives none.
	Published time.Time
	// Content is plain text, markup removed, paragraphs separated by blank
	// lines: the item's own summary when it is a proper one (see
	// PublisherSummary), else the longer of its content and its
	// description.
	Content string
	// PublisherSummary is set when Content is the publisher's own summary,
	// chosen over a longer content: it is posted as written, and the
	// article page is not fetched to replace it.
	PublisherSummary bool
	// Categories are the item's categories or tags, for category: terms.
	Categories []string
}

// Parse reads a feed. contentType (the HTTP header, may be empty) helps
// decode a document whose bytes are not UTF-8; baseURL (the feed's URL, may
// be empty) resolves relative links. The errors wrap ErrNotFeed when the
// document is not a feed at all, and ErrMalformed when it is a broken one.
//
// A document cut off before its end (a dropped connection, a proxy's limit)
// gives both a Feed, holding every item that was complete before the cut,
// and an error wrapping ErrTruncated (and ErrMalformed, for callers that do
// not look for truncation). Callers should keep the items and record the
// error as the feed's status.
func Parse(r io.Reader, contentType, baseURL string) (*Feed, error) {
	body, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("feeds: read feed: %w", err)
	}
	return parseBytes(body, contentType, baseURL)
}

func parseBytes(body []byte, contentType, baseURL string) (*Feed, error) {
	return parseDocument(body, contentType, baseURL, baseURL)
}

// parseDocument is Parse for a fetched body: feedURL is where it was
// fetched from, base what its relative links are relative to (the
// Content-Location header when the server sent one, else feedURL).
func parseDocument(body []byte, contentType, feedURL, base string) (*Feed, error) {
	body = bytes.TrimPrefix(decodeUTF16(body), utf8BOM)
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("%w: the document is empty", ErrNotFeed)
	}
	isJSON := false
	var cut error // ErrTruncated: the items before the cut are kept
	switch trimmed[0] {
	case '<':
		body = decodeXML(body, contentType)
		body, cut = checkStructure(body)
		if body == nil {
			return nil, cut
		}
		body = plainAtomText(body)
	case '{':
		body = decodeText(body, contentType, false)
		isJSON = true
	default:
		return nil, fmt.Errorf("%w: the document is neither XML nor JSON", ErrNotFeed)
	}

	gf, err := newGofeedParser().Parse(bytes.NewReader(body))
	switch {
	case errors.Is(err, gofeed.ErrFeedTypeNotDetected):
		return nil, fmt.Errorf("%w: no RSS, Atom or JSON Feed root element", ErrNotFeed)
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	case isJSON && gf.Title == "" && len(gf.Items) == 0:
		return nil, fmt.Errorf("%w: JSON without feed title or items", ErrNotFeed)
	}
	return convertFeed(gf, feedURL, base), cut
}

// structural are the elements that give a feed its shape.
var structural = map[string]bool{
	"rss": true, "channel": true, "item": true, "rdf:RDF": true, "feed": true, "entry": true,
}

// maxXMLDepth bounds element nesting. A feed is a few levels deep and
// XHTML content a few dozen more; a document nesting elements thousands
// deep is an attack on the parsers' memory (each level costs an entry on
// encoding/xml's stack and gofeed's), and is refused here, before them.
const maxXMLDepth = 512

// checkStructure rejects XML whose feed elements are not properly nested.
// gofeed parses leniently (it has to: real feeds carry unescaped HTML such
// as a bare <br> inside a description) and quietly repairs a feed whose
// <item> is closed by </rss>, dropping whatever was cut. Mismatches among
// other elements stay tolerated; a mismatch that involves rss, channel,
// item, feed or entry means the document is broken, and saying so beats
// posting half of it.
//
// A document that merely ends too early is different: every item complete
// before the cut is good. Then checkStructure returns the document cut
// after the last complete item and closed, with an error wrapping
// ErrTruncated.
func checkStructure(body []byte) ([]byte, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil } // already UTF-8
	var stack []string
	var last cutPoint // just after the last complete item
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			if d.InputOffset() >= int64(len(body)) {
				return last.close(body, err.Error())
			}
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= maxXMLDepth {
				line, _ := d.InputPos()
				return nil, fmt.Errorf("%w: line %d: elements nested more than %d deep", ErrMalformed, line, maxXMLDepth)
			}
			stack = append(stack, qualified(t.Name))
		case xml.EndElement:
			name := qualified(t.Name)
			i := len(stack) - 1
			for i >= 0 && stack[i] != name {
				i--
			}
			if i < 0 {
				if structural[name] {
					line, _ := d.InputPos()
					return nil, fmt.Errorf("%w: XML syntax error on line %d: unexpected </%s>", ErrMalformed, line, name)
				}
				continue // a stray end tag inside some text
			}
			for j := len(stack) - 1; j > i; j-- {
				if open := stack[j]; structural[open] || (structural[name] && j == i+1) {
					line, _ := d.InputPos()
					return nil, fmt.Errorf("%w: XML syntax error on line %d: element <%s> closed by </%s>", ErrMalformed, line, open, name)
				}
			}
			stack = stack[:i]
			if t.Name.Local == "item" || t.Name.Local == "entry" {
				last = cutPoint{offset: d.InputOffset(), open: append(last.open[:0], stack...)}
			}
		}
	}
	for _, open := range stack {
		if structural[open] {
			line, _ := d.InputPos()
			return last.close(body, fmt.Sprintf("XML syntax error on line %d: unexpected EOF, <%s> not closed", line, open))
		}
	}
	return body, nil
}

// cutPoint is where a truncated document can be cut: just after an item,
// with the elements then open.
type cutPoint struct {
	offset int64
	open   []string
}

// close returns the document cut at p and closed, and the truncation
// error; with no complete item, there is nothing to keep.
func (p cutPoint) close(body []byte, detail string) ([]byte, error) {
	if p.offset == 0 {
		return nil, fmt.Errorf("%w (%w): %s, before the end of its first item", ErrTruncated, ErrMalformed, detail)
	}
	out := make([]byte, 0, int(p.offset)+16*len(p.open))
	out = append(out, body[:p.offset]...)
	for i := len(p.open) - 1; i >= 0; i-- {
		out = append(out, "</"+p.open[i]+">"...)
	}
	return out, fmt.Errorf("%w (%w): %s; the items before the cut are kept", ErrTruncated, ErrMalformed, detail)
}

func qualified(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// convertFeed turns gofeed's universal feed into ours. gofeed has already
// resolved links against any xml:base in scope; what is still relative is
// relative to baseURL.
func convertFeed(gf *gofeed.Feed, feedURL, baseURL string) *Feed {
	base := absoluteURL(baseURL)
	f := &Feed{
		Title:   cleanTitle(gf.Title),
		SiteURL: resolveLink(base, gf.Link),
		FeedURL: feedURL,
	}
	if f.FeedURL == "" {
		f.FeedURL = resolveLink(base, gf.FeedLink)
	}
	if base == nil {
		// Without the feed's own URL, the site's link is the next best
		// base for relative item links.
		base = absoluteURL(f.SiteURL)
	}
	feedAuthor := authorName(gf.Authors, nil, nil)
	f.Items = make([]Item, 0, len(gf.Items))
	for _, gi := range gf.Items {
		if gi == nil {
			continue
		}
		it := convertItem(gi, base)
		if it.GUID == "" && it.Link == "" && it.Title == "" && it.Content == "" {
			continue // real feeds have empty <item>s; nothing to post
		}
		if it.Author == "" {
			it.Author = feedAuthor
		}
		f.Items = append(f.Items, it)
	}
	f.Items = dedupe(f.Items)
	return f
}

// maxCategories bounds what one item may carry into filters.
const maxCategories = 20

// itemCategories cleans an item's categories (tags) for category: filter
// terms: plain one-line text, no duplicates, at most maxCategories.
func itemCategories(cats []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range cats {
		c = cleanTitle(c)
		if c == "" || seen[strings.ToLower(c)] || len(out) == maxCategories {
			continue
		}
		seen[strings.ToLower(c)] = true
		out = append(out, c)
	}
	return out
}

func convertItem(gi *gofeed.Item, base *url.URL) Item {
	it := Item{
		GUID:  strings.TrimSpace(gi.GUID),
		Title: cleanTitle(gi.Title),
	}
	link := strings.TrimSpace(gi.Link)
	for _, l := range gi.Links {
		if link != "" {
			break
		}
		link = strings.TrimSpace(l)
	}
	if link == "" && isHTTPURL(it.GUID) {
		// An RSS <guid> is a permalink unless it says otherwise.
		link = it.GUID
	}
	it.Link = resolveLink(base, link)
	// Relative URLs inside an item are relative to the item's page.
	itemBase := base
	if u := absoluteURL(it.Link); u != nil {
		itemBase = u
	}

	it.Author = authorName(gi.Authors, gi.DublinCoreExt, gi.ITunesExt)

	switch {
	case gi.PublishedParsed != nil:
		it.Published = gi.PublishedParsed.UTC()
	case gi.UpdatedParsed != nil:
		it.Published = gi.UpdatedParsed.UTC()
	}

	it.Categories = itemCategories(gi.Categories)
	it.Content, it.PublisherSummary = itemText(gi)
	it.ImageURL = resolveLink(itemBase, itemImage(gi))
	return it
}

// itemText chooses an item's text. Feeds put a summary in the description
// (RSS description, Atom summary, media:description, itunes:summary) and
// the article in the content. When the summary is a proper one, several
// sentences of the publisher's own choosing, it says what the article is
// about better than a summary of the article computed here, which is
// taken from a page of HTML that may well carry captions, asides and
// "read more" lines; so it wins. Anything else (no summary, a one-line
// teaser, an excerpt cut from the content's start) leaves the longer of
// the two, as before.
func itemText(gi *gofeed.Item) (text string, publisherSummary bool) {
	content := htmlToText(strings.TrimSpace(gi.Content))
	summary := ""
	extra := []string{gi.Description, mediaText(gi.Extensions, "description")}
	if gi.ITunesExt != nil {
		extra = append(extra, gi.ITunesExt.Summary)
	}
	for _, c := range extra {
		if c = strings.TrimSpace(c); c == "" {
			continue
		}
		if t := htmlToText(c); len(t) > len(summary) {
			summary = t
		}
	}
	switch {
	case content != "" && len(summary) < len(content) && properSummary(summary, content):
		return summary, true
	case len(summary) > len(content):
		return summary, false
	}
	return content, false
}

// Bounds of a proper summary: at least two sentences and a few words,
// short of a page.
const (
	summaryMinSentences = 2
	summaryMinWords     = 15
	summaryMaxWords     = 300
)

// excerptEnds are the endings of excerpts cut by the publishing software
// (WordPress's "[…]", "Continue reading", "Read more") rather than written.
var excerptEnds = []string{"[…]", "[...]", "…", "...", "[&hellip;]", "read more", "continue reading", "read the full story", "appeared first on"}

// properSummary reports whether summary is a summary someone wrote: a
// few sentences, not an excerpt cut from the start of the content.
func properSummary(summary, content string) bool {
	words := WordCount(summary)
	if words < summaryMinWords || words > summaryMaxWords || sentenceCount(summary) < summaryMinSentences {
		return false
	}
	lower := strings.ToLower(strings.TrimSpace(summary))
	for _, end := range excerptEnds {
		if strings.HasSuffix(strings.TrimRight(lower, " .»\""), end) || strings.Contains(lower, end+"\n") {
			return false
		}
	}
	// An excerpt is the content's first words.
	head := strings.Join(strings.Fields(summary), " ")
	body := strings.Join(strings.Fields(content), " ")
	return !strings.HasPrefix(body, head[:min(len(head), 80)])
}

// sentenceCount counts sentence ends: ., ! or ? (or their CJK forms)
// followed by a space or the end, after a letter, digit or closing quote.
func sentenceCount(s string) int {
	n := 0
	runes := []rune(strings.TrimSpace(s))
	for i, r := range runes {
		switch r {
		case '.', '!', '?', '。', '！', '？':
		default:
			continue
		}
		atEnd := i == len(runes)-1
		if !atEnd && !unicode.IsSpace(runes[i+1]) && !strings.ContainsRune("\"'”’»)", runes[i+1]) {
			continue
		}
		if i > 0 && (unicode.IsLetter(runes[i-1]) || unicode.IsDigit(runes[i-1]) || strings.ContainsRune("\"'”’»)", runes[i-1])) {
			n++
		}
	}
	return n
}

// itemImage picks an item's picture: its own image, an image enclosure,
// Media RSS content or thumbnail, the iTunes image, then the first <img>.
func itemImage(gi *gofeed.Item) string {
	if gi.Image != nil && strings.TrimSpace(gi.Image.URL) != "" {
		return strings.TrimSpace(gi.Image.URL)
	}
	for _, e := range gi.Enclosures {
		if e != nil && e.URL != "" && (strings.HasPrefix(e.Type, "image/") || (e.Type == "" && isImagePath(e.URL))) {
			return strings.TrimSpace(e.URL)
		}
	}
	if u := mediaImage(gi.Extensions["media"]); u != "" {
		return u
	}
	if gi.ITunesExt != nil && gi.ITunesExt.Image != "" {
		return strings.TrimSpace(gi.ITunesExt.Image)
	}
	if u := firstImage(gi.Content); u != "" {
		return u
	}
	return firstImage(gi.Description)
}

// mediaImage searches Media RSS elements (also inside <media:group>).
func mediaImage(media map[string][]ext.Extension) string {
	if media == nil {
		return ""
	}
	for _, c := range media["content"] {
		u := strings.TrimSpace(c.Attrs["url"])
		if u != "" && (c.Attrs["medium"] == "image" || strings.HasPrefix(c.Attrs["type"], "image/") ||
			(c.Attrs["medium"] == "" && c.Attrs["type"] == "" && isImagePath(u))) {
			return u
		}
	}
	for _, t := range media["thumbnail"] {
		if u := strings.TrimSpace(t.Attrs["url"]); u != "" {
			return u
		}
	}
	for _, g := range media["group"] {
		if u := mediaImage(g.Children); u != "" {
			return u
		}
	}
	return ""
}

// mediaText returns a Media RSS text element such as media:description.
func mediaText(exts ext.Extensions, name string) string {
	media := exts["media"]
	if media == nil {
		return ""
	}
	for _, e := range media[name] {
		if strings.TrimSpace(e.Value) != "" {
			return e.Value
		}
	}
	for _, g := range media["group"] {
		for _, e := range g.Children[name] {
			if strings.TrimSpace(e.Value) != "" {
				return e.Value
			}
		}
	}
	return ""
}

func isImagePath(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch strings.ToLower(path.Ext(u.Path)) {
	case ".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif":
		return true
	}
	return false
}

// authorName joins the authors' names (an e-mail when there is no name),
// falling back to Dublin Core's creator and iTunes' author.
func authorName(people []*gofeed.Person, dc *ext.DublinCoreExtension, itunes *ext.ITunesItemExtension) string {
	var names []string
	for _, p := range people {
		if p == nil {
			continue
		}
		name := cleanTitle(p.Name)
		if name == "" {
			name = strings.TrimSpace(p.Email)
		}
		if name != "" && !contains(names, name) {
			names = append(names, name)
		}
	}
	if len(names) == 0 && dc != nil {
		for _, c := range dc.Creator {
			if c = cleanTitle(c); c != "" && !contains(names, c) {
				names = append(names, c)
			}
		}
	}
	if len(names) == 0 && itunes != nil {
		if a := cleanTitle(itunes.Author); a != "" {
			names = append(names, a)
		}
	}
	return strings.Join(names, ", ")
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// absoluteURL parses raw and returns it only if it is an absolute http(s) URL.
func absoluteURL(raw string) *url.URL {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || !u.IsAbs() || u.Host == "" {
		return nil
	}
	if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
		return nil
	}
	return u
}

func isHTTPURL(raw string) bool { return absoluteURL(raw) != nil }

// resolveLink resolves ref against base. Links with schemes other than
// http and https (javascript:, data:, mailto:) are dropped; a relative link
// without a base is kept as written.
func resolveLink(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if u.Scheme != "" {
		if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
			return ""
		}
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	return u.String()
}

// dedupe handles repeated GUIDs. The same GUID on the same link is one item
// listed twice: the first stays. The same GUID on different links means the
// feed's GUIDs are not identifiers (some generators put the site's address
// in every <guid>), so those items lose their GUID and are identified by
// link. Then items with the same identity are dropped after the first.
func dedupe(items []Item) []Item {
	links := make(map[string]string, len(items))
	broken := map[string]bool{}
	for _, it := range items {
		if it.GUID == "" {
			continue
		}
		key := NormalizeLink(it.Link)
		if prev, ok := links[it.GUID]; ok && prev != key {
			broken[it.GUID] = true
		}
		links[it.GUID] = key
	}
	seen := make(map[string]bool, len(items))
	out := items[:0]
	for _, it := range items {
		if broken[it.GUID] {
			it.GUID = ""
		}
		id, _ := Identity(it)
		if seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, it)
	}
	return out
}
