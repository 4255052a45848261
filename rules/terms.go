package rules

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on one term list. They keep a list readable in /feed edit and
// bound the work of matching every new item against it.
const (
	MaxTerms      = 50   // terms in one list
	MaxTermLength = 200  // characters in one word, phrase or regex
	MaxTermsText  = 2000 // characters of the whole list in canonical form
)

// field is the part of an item a term looks at.
type field int

// The fields a term can be limited to with a prefix such as "title:".
// fieldText, the default, is the headline and the summary.
const (
	fieldText field = iota
	fieldTitle
	fieldSummary
	fieldAuthor
	fieldCategory
)

// prefixes are the names of the fields a term can name, as the admin
// types them before a colon.
var prefixes = [...]string{
	fieldTitle:    "title",
	fieldSummary:  "summary",
	fieldAuthor:   "author",
	fieldCategory: "category",
}

// Terms is a parsed term list, as given to include:, exclude: and
// mention_when:. The zero Terms is the empty list. A Terms is immutable and
// safe for concurrent use.
//
// The syntax, one term after another separated by commas:
//
//	earthquake                a word, matched whole and case-insensitively
//	breaking news             a phrase: its words in sequence, anything but
//	                          letters and digits between them
//	"rock, paper"             quotes let a phrase hold a comma; a quoted term
//	                          is never a regex or a field prefix
//	/^Live:/                  a Go (RE2) regular expression, case-sensitive
//	                          unless it starts with (?i); it ends at a "/"
//	                          followed by a comma or the end of the list
//	title:earthquake          limited to one field: title:, summary:,
//	                          author:, category: (any of the categories)
//
// A term without a field prefix looks at the headline and at the summary,
// each on its own. Empty terms are ignored and whitespace around a term is
// trimmed. A word term matches letters and digits only, so its punctuation
// is ignored ("C++" is the word "C", "U.S." the words "U" and "S"); a term
// with nothing but symbols is refused with a hint to use a regex. Quotes
// have no escape: a quoted phrase ends at the next double quote.
//
// Word terms suit admins and need no escaping; regexes are for what words
// cannot say, and RE2 keeps even a hostile one linear in the text.
type Terms struct {
	terms []term
}

// term is one parsed term: either words (a word or phrase) or re.
type term struct {
	field field
	text  string   // the phrase with its whitespace collapsed, or the regex
	words []string // the phrase's words, folded; nil for a regex
	re    *regexp.Regexp
}

// TermError is a term the admin has to fix. Its message names the term by
// position and text, e.g. `term 3 "/a(/": invalid regex: missing closing )`,
// and is meant to be shown as it is.
type TermError struct {
	Index  int    // 1-based, counting only non-empty terms
	Term   string // the term as typed
	Reason string
}

func (e *TermError) Error() string {
	return fmt.Sprintf("term %d %s: %s", e.Index, quoteForAdmin(e.Term), e.Reason)
}

// ParseTerms parses a comma-separated term list (see Terms). Errors are
// written for the admin who typed s.
func ParseTerms(s string) (Terms, error) {
	var ts Terms
	p := termParser{s: s}
	for {
		raw, t, err := p.next()
		if err != nil {
			return Terms{}, err
		}
		if raw == "" && p.done() {
			break
		}
		if raw == "" {
			continue // empty between commas
		}
		if len(ts.terms) == MaxTerms {
			return Terms{}, fmt.Errorf("too many terms: at most %d in one list", MaxTerms)
		}
		ts.terms = append(ts.terms, t)
	}
	if n := utf8.RuneCountInString(ts.String()); n > MaxTermsText {
		return Terms{}, fmt.Errorf("the list is too long: %d characters, at most %d", n, MaxTermsText)
	}
	return ts, nil
}

// String is the canonical form of the list: terms joined by ", ", prefixes
// in lower case, a phrase's whitespace collapsed, quotes only where needed.
// ParseTerms(t.String()) gives back the same list.
func (t Terms) String() string {
	parts := make([]string, len(t.terms))
	for i, x := range t.terms {
		parts[i] = x.String()
	}
	return strings.Join(parts, ", ")
}

// Empty reports whether the list has no terms.
func (t Terms) Empty() bool { return len(t.terms) == 0 }

// Len is the number of terms in the list.
func (t Terms) Len() int { return len(t.terms) }

func (x term) String() string {
	var p string
	if x.field != fieldText {
		p = prefixes[x.field] + ":"
	}
	switch {
	case x.re != nil:
		return p + "/" + x.text + "/"
	case needsQuotes(x.text):
		return p + `"` + x.text + `"`
	default:
		return p + x.text
	}
}

// needsQuotes reports whether a phrase would parse as something else
// without quotes: a regex, a prefixed term, or two terms.
func needsQuotes(phrase string) bool {
	_, rest := cutPrefix(phrase)
	return strings.ContainsRune(phrase, ',') || rest != phrase ||
		strings.HasPrefix(phrase, "/") || strings.HasPrefix(phrase, `"`)
}

// unquotable makes a phrase that needs quotes safe to put in them: a
// double quote inside it, possible only in an unquoted term, becomes a
// space. Both are mere punctuation between words, so what matches is
// unchanged.
func unquotable(phrase string) string {
	if !needsQuotes(phrase) || !strings.Contains(phrase, `"`) {
		return phrase
	}
	return strings.Join(strings.Fields(strings.ReplaceAll(phrase, `"`, " ")), " ")
}

// termParser reads one term at a time from a list.
type termParser struct {
	s     string
	pos   int
	index int // of the last non-empty term, 1-based
}

func (p *termParser) done() bool { return p.pos >= len(p.s) }

// next reads the term at p.pos and the comma after it. It returns the term
// as typed ("" for an empty one) and the term parsed.
func (p *termParser) next() (raw string, t term, err error) {
	if p.done() {
		return "", term{}, nil
	}
	rest := p.s[p.pos:]
	body := trimLeft(rest)
	f, body := cutPrefix(body)
	var end int // of the term within rest
	switch {
	case strings.HasPrefix(body, `"`):
		end, t, err = p.quoted(rest, body)
	case strings.HasPrefix(body, "/"):
		end, t, err = p.regex(rest, body)
	default:
		end = strings.IndexByte(rest, ',')
		if end < 0 {
			end = len(rest)
		}
		t, err = p.phrase(rest[:end], rest[len(rest)-len(body):end])
	}
	raw = strings.TrimSpace(rest[:end])
	p.pos += end + 1 // and the comma
	if err != nil {
		return raw, term{}, err
	}
	t.field = f
	return raw, t, nil
}

// trimLeft drops leading whitespace, Unicode's as strings.TrimSpace does.
func trimLeft(s string) string { return strings.TrimLeftFunc(s, unicode.IsSpace) }

// quoted reads a phrase in double quotes, which may hold commas.
func (p *termParser) quoted(rest, body string) (int, term, error) {
	start := len(rest) - len(body)
	closing := strings.IndexByte(body[1:], '"')
	if closing < 0 {
		return len(rest), term{}, p.fail(rest, "the quote is never closed")
	}
	end := start + 1 + closing + 1 // past the closing quote
	comma := endOfTerm(rest, end)
	if comma < 0 {
		return len(rest), term{}, p.fail(rest[:nextComma(rest, end)], "only a comma may follow a closing quote")
	}
	t, err := p.phrase(rest[:comma], rest[start+1:end-1])
	return comma, t, err
}

// regex reads a /regex/. It ends at the first "/" followed by a comma or
// the end of the list, so the regex itself may hold "/" and ",".
func (p *termParser) regex(rest, body string) (int, term, error) {
	start := len(rest) - len(body)
	for i := start + 1; i < len(rest); i++ {
		if rest[i] != '/' {
			continue
		}
		if comma := endOfTerm(rest, i+1); comma >= 0 {
			t, err := p.compile(rest[:comma], rest[start+1:i])
			return comma, t, err
		}
	}
	end := nextComma(rest, start)
	p.index++
	return end, term{}, &TermError{Index: p.index, Term: strings.TrimSpace(rest[:end]),
		Reason: `a /regex/ must end with "/"; to match the words instead, put the term in quotes`}
}

// endOfTerm returns where the term that ends at i is followed by a comma
// or the end of the list, with only whitespace between, or -1.
func endOfTerm(rest string, i int) int {
	after := trimLeft(rest[i:])
	if after == "" {
		return len(rest)
	}
	if after[0] == ',' {
		return len(rest) - len(after)
	}
	return -1
}

func nextComma(rest string, from int) int {
	if i := strings.IndexByte(rest[from:], ','); i >= 0 {
		return from + i
	}
	return len(rest)
}

// phrase parses a word or phrase; raw is the whole term as typed.
func (p *termParser) phrase(raw, text string) (term, error) {
	text = strings.Join(strings.Fields(text), " ")
	if strings.TrimSpace(raw) == "" {
		return term{}, nil // an empty term, ignored
	}
	p.index++
	if text == "" {
		return term{}, p.failAt(raw, "there is nothing to match")
	}
	if n := utf8.RuneCountInString(text); n > MaxTermLength {
		return term{}, p.failAt(raw, fmt.Sprintf("a term is at most %d characters; this one has %d", MaxTermLength, n))
	}
	text = unquotable(text)
	words := foldWords(splitWords(text))
	if len(words) == 0 {
		return term{}, p.failAt(raw, "it has no letters or digits to match; use a /regex/ to match symbols")
	}
	return term{text: text, words: words}, nil
}

// compile parses a regex; raw is the whole term as typed.
func (p *termParser) compile(raw, expr string) (term, error) {
	p.index++
	if expr == "" {
		return term{}, p.failAt(raw, "the regex is empty")
	}
	if n := utf8.RuneCountInString(expr); n > MaxTermLength {
		return term{}, p.failAt(raw, fmt.Sprintf("a regex is at most %d characters; this one has %d", MaxTermLength, n))
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return term{}, p.failAt(raw, "invalid regex: "+regexReason(err))
	}
	return term{text: expr, re: re}, nil
}

// regexReason is RE2's complaint without the Go-specific wrapping, e.g.
// "missing closing )" rather than "error parsing regexp: missing closing ):
// `a(`": the admin already sees their regex in the message.
func regexReason(err error) string {
	var se *syntax.Error
	if errors.As(err, &se) {
		return se.Code.String() + explainArg(se)
	}
	return err.Error()
}

// explainArg adds the offending part of the regex when it is not the
// whole of it, as for "invalid escape sequence: \q".
func explainArg(se *syntax.Error) string {
	switch se.Code {
	case syntax.ErrMissingParen, syntax.ErrUnexpectedParen, syntax.ErrMissingBracket:
		return ""
	}
	return ": " + se.Expr
}

// fail reports an error in the term being read, counting it.
func (p *termParser) fail(raw, reason string) error {
	p.index++
	return p.failAt(raw, reason)
}

// failAt reports an error in the term already counted.
func (p *termParser) failAt(raw, reason string) error {
	return &TermError{Index: p.index, Term: strings.TrimSpace(raw), Reason: reason}
}

// cutPrefix splits a field prefix such as "Title :" off the front of s,
// returning fieldText and s when there is none.
func cutPrefix(s string) (field, string) {
	for f, name := range prefixes {
		if f == 0 || len(s) <= len(name) || !strings.EqualFold(s[:len(name)], name) {
			continue
		}
		after := trimLeft(s[len(name):])
		if strings.HasPrefix(after, ":") {
			return field(f), trimLeft(after[1:])
		}
	}
	return fieldText, s
}

// quoteForAdmin puts a term in quotes for a message, shortening a long one;
// it picks quotes the term does not contain, since a backslash-escaped
// quote is hard to read.
func quoteForAdmin(s string) string {
	const max = 60
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max-1]) + ellipsis
	}
	if strings.Contains(s, `"`) {
		return "«" + s + "»"
	}
	return `"` + s + `"`
}
