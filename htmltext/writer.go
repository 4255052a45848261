package htmltext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// breakKind is a separator owed between two words; a larger one wins.
type breakKind uint8

const (
	noBreak breakKind = iota
	spaceBreak
	lineBreak
	paragraphBreak
)

// writer accumulates words, collapsing white space and holding separators
// back until the next word, so that none lead or trail and markup that
// produced no words produces no blank lines.
type writer struct {
	b         strings.Builder
	pending   breakKind
	paragraph string // what a paragraph break writes
}

func (w *writer) owe(k breakKind) {
	if w.b.Len() > 0 && k > w.pending {
		w.pending = k
	}
}

func (w *writer) space()   { w.owe(spaceBreak) }
func (w *writer) newline() { w.owe(lineBreak) }
func (w *writer) block()   { w.owe(paragraphBreak) }

// text writes a text node of flowing HTML: white space collapses, and
// white space at either end separates it from its neighbours, none means
// the words touch ("<b>x</b>y" is "xy").
func (w *writer) text(s string) {
	s = Clean(s)
	if s == "" {
		return
	}
	if r, _ := utf8.DecodeRuneInString(s); unicode.IsSpace(r) {
		w.space()
	}
	for i, word := range strings.Fields(s) {
		if i > 0 {
			w.space()
		}
		w.word(word)
	}
	if r, _ := utf8.DecodeLastRuneInString(s); unicode.IsSpace(r) {
		w.space()
	}
}

// pre writes preformatted text: line breaks and indentation stay.
func (w *writer) pre(s string) {
	s = Clean(s)
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			w.newline()
		}
		if line = strings.TrimRightFunc(line, unicode.IsSpace); line != "" {
			w.word(line)
		}
	}
}

func (w *writer) word(s string) {
	switch w.pending {
	case spaceBreak:
		w.b.WriteByte(' ')
	case lineBreak:
		w.b.WriteByte('\n')
	case paragraphBreak:
		w.b.WriteString(w.paragraph)
	}
	w.pending = noBreak
	w.b.WriteString(s)
}

func (w *writer) String() string { return w.b.String() }
