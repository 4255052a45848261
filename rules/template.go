package rules

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// placeholder is one of the values a template can show; 0 is literal text.
type placeholder int

const (
	literal placeholder = iota
	phTitle
	phSummary
	phLink
	phSource
	phAuthor
	phPublished
	phMention
	numPlaceholders
)

// placeholderNames are as the admin writes them between braces, in the
// order error messages list them.
var placeholderNames = [numPlaceholders]string{
	phTitle:     "title",
	phSummary:   "summary",
	phLink:      "link",
	phSource:    "source",
	phAuthor:    "author",
	phPublished: "published",
	phMention:   "mention",
}

// Placeholders lists the valid placeholders, e.g. for the help text.
func Placeholders() []string {
	names := make([]string, 0, numPlaceholders-1)
	for _, n := range placeholderNames[1:] {
		names = append(names, "{"+n+"}")
	}
	return names
}

// Values fills a template's placeholders. Every value but Mention must
// already be escaped by the caller (the template's own text is the
// admin's markdown and is left alone); Mention is a ready "<@&id>" or "".
// Link and Published are kept whole when the post is cut, as is Mention.
type Values struct {
	Title, Summary, Link, Source, Author, Published, Mention string
}

func (v Values) array() [numPlaceholders]string {
	return [numPlaceholders]string{
		phTitle: v.Title, phSummary: v.Summary, phLink: v.Link, phSource: v.Source,
		phAuthor: v.Author, phPublished: v.Published, phMention: v.Mention,
	}
}

// Template is a parsed message template for text-format posts, such as
// "{mention} **{title}**\n{summary}\n<{link}>". Placeholders are a name in
// braces, in any case; any other braces are kept as written. The zero
// Template is empty. A Template is immutable and safe for concurrent use.
type Template struct {
	src  string
	segs []segment
}

// segment is a run of literal text or one placeholder.
type segment struct {
	ph  placeholder
	lit string
}

// ParseTemplate parses a template, refusing unknown placeholders with the
// list of valid ones, a template that is empty or longer than a message.
func ParseTemplate(s string) (Template, error) {
	if strings.TrimSpace(s) == "" {
		return Template{}, errors.New("the template is empty")
	}
	if n := Width(s); n > MaxContent {
		return Template{}, fmt.Errorf("the template is %d characters; a message is at most %d", n, MaxContent)
	}
	t := Template{src: s}
	litStart := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '{' {
			continue
		}
		ph, end, err := readPlaceholder(s, i)
		if err != nil {
			return Template{}, err
		}
		if ph == literal {
			continue
		}
		t.segs = appendLiteral(t.segs, s[litStart:i])
		t.segs = append(t.segs, segment{ph: ph})
		litStart, i = end, end-1
	}
	t.segs = appendLiteral(t.segs, s[litStart:])
	return t, nil
}

func appendLiteral(segs []segment, lit string) []segment {
	if lit == "" {
		return segs
	}
	return append(segs, segment{lit: lit})
}

// maxPlaceholder bounds the text between braces that is read as a
// placeholder's name; longer is surely meant as literal text.
const maxPlaceholder = 32

// readPlaceholder reads the placeholder whose "{" is at s[i], returning
// it and where it ends, or literal when the brace is not one.
func readPlaceholder(s string, i int) (placeholder, int, error) {
	rest := s[i+1:]
	closing := strings.IndexAny(rest, "{}\n")
	if closing < 0 || closing > maxPlaceholder || rest[closing] != '}' {
		return literal, 0, nil
	}
	name := strings.TrimSpace(rest[:closing])
	end := i + 1 + closing + 1
	if !isIdentifier(name) {
		return literal, 0, nil // e.g. "{ }" or "{1,2}"
	}
	ph := lookupPlaceholder(name)
	if ph == literal {
		return literal, 0, fmt.Errorf("unknown placeholder {%s}; valid placeholders are %s", name, strings.Join(Placeholders(), " "))
	}
	if i > 0 && s[i-1] == '{' && strings.HasPrefix(s[end:], "}") {
		return literal, 0, fmt.Errorf("write {%s} with single braces, not {{%s}}", placeholderNames[ph], placeholderNames[ph])
	}
	return ph, end, nil
}

func lookupPlaceholder(name string) placeholder {
	for p, n := range placeholderNames {
		if p != int(literal) && strings.EqualFold(n, name) {
			return placeholder(p)
		}
	}
	return literal
}

// isIdentifier reports whether s looks like a placeholder name, so that a
// misspelt one is refused rather than shown as typed.
func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLetter(r)
}

// String is the template as the admin wrote it.
func (t Template) String() string { return t.src }

// Empty reports whether t is the zero Template, meaning "post as usual".
func (t Template) Empty() bool { return t.src == "" }

// Uses reports whether the template shows a placeholder, given as "title"
// or "{title}"; the bot uses it to tell an admin that a role mention needs
// {mention} in the template.
func (t Template) Uses(name string) bool {
	ph := lookupPlaceholder(strings.Trim(name, "{}"))
	for _, s := range t.segs {
		if ph != literal && s.ph == ph {
			return true
		}
	}
	return false
}

// Render fills the placeholders and fits the result in limit characters
// (counted as Width counts; Discord's limit is MaxContent). Whitespace at
// either end, such as that left by an empty {mention}, is trimmed.
//
// When the post is too long, the summary is shortened first and then the
// headline, each at a sentence or word boundary (see Truncate), because
// that keeps the template's own markup, the link and the mention intact.
// Only if that is not enough is the whole post cut, before a mention, link
// or date rather than inside one where that leaves anything to post.
func (t Template) Render(v Values, limit int) string {
	vals := v.array()
	for _, ph := range []placeholder{phSummary, phTitle} {
		shrink(t, &vals, ph, limit)
	}
	out, keep := t.fill(&vals)
	return cut(out, limit, keep)
}

// minShrunk is the fewest characters worth keeping of a shortened value:
// a summary cut to "The…" says nothing, so it is dropped instead.
const minShrunk = 16

// shrink shortens vals[ph] so that the post fits in limit, if it can.
func shrink(t Template, vals *[numPlaceholders]string, ph placeholder, limit int) {
	n := t.count(ph)
	if n == 0 || vals[ph] == "" {
		return
	}
	out, _ := t.fill(vals)
	over := Width(out) - limit
	if over <= 0 {
		return
	}
	room := Width(vals[ph]) - (over+n-1)/n // each copy gives up its share
	if room < minShrunk {
		room = 0
	}
	vals[ph] = Truncate(vals[ph], room)
}

func (t Template) count(ph placeholder) int {
	n := 0
	for _, s := range t.segs {
		if s.ph == ph {
			n++
		}
	}
	return n
}

// fill renders the template with surrounding whitespace trimmed, and
// returns where the values that must not be cut are: mentions, links and
// dates, with the <> or () the template puts around them.
func (t Template) fill(vals *[numPlaceholders]string) (string, []span) {
	var b []byte
	var keep []span
	dropBracket := false // the literal's first byte closes a bracket dropped before
	for i, s := range t.segs {
		if s.ph == literal {
			if dropBracket {
				s.lit, dropBracket = s.lit[1:], false
			}
			b = append(b, s.lit...)
			continue
		}
		if vals[s.ph] == "" && len(b) > 0 && i+1 < len(t.segs) && pairs(b[len(b)-1], t.segs[i+1].lit) {
			// "<{link}>" without a link would show a stray "<>".
			b, dropBracket = b[:len(b)-1], true
			continue
		}
		start := len(b)
		b = append(b, vals[s.ph]...)
		if s.ph == phMention || s.ph == phLink || s.ph == phPublished {
			keep = append(keep, span{start, len(b)})
		}
	}
	out := string(b)
	trimmed := strings.TrimLeftFunc(out, unicode.IsSpace)
	lead := len(out) - len(trimmed)
	trimmed = strings.TrimRightFunc(trimmed, unicode.IsSpace)
	for i := range keep {
		keep[i] = widen(out, keep[i])
		keep[i].start = max(keep[i].start-lead, 0)
		keep[i].end = min(keep[i].end-lead, len(trimmed))
	}
	return trimmed, keep
}

// pairs reports whether open is "<" or "(" and after starts with the
// matching ">" or ")".
func pairs(open byte, after string) bool {
	if after == "" {
		return false
	}
	return (open == '<' && after[0] == '>') || (open == '(' && after[0] == ')')
}

// widen grows a span over the brackets around it, as in "<{link}>" or
// "[more]({link})", so a cut does not leave a lone "<" or "(" behind.
func widen(s string, k span) span {
	if k.start > 0 && pairs(s[k.start-1], s[k.end:]) {
		k.start--
		k.end++
	}
	return k
}
