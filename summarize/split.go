package summarize

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"
)

// splitParagraphs appends the paragraphs of plain text to out, cut at
// line breaks. A line break inside a paragraph is as good a boundary as
// any: feeds and the evaluation data put one paragraph on a line.
func splitParagraphs(text string, out []string) []string {
	for len(text) > 0 {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		line = strings.TrimSpace(line)
		if line != "" {
			out = append(out, line)
		}
	}
	return out
}

// abbreviations never end a sentence when followed by a capital: titles
// before names and words usually followed by a number or a name. Compared in
// lower case, without the final dot.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "sr": true, "jr": true,
	"st": true, "mt": true, "ft": true, "gen": true, "gov": true, "sen": true, "rep": true,
	"rev": true, "hon": true, "lt": true, "col": true, "sgt": true, "capt": true, "cpl": true,
	"maj": true, "adm": true, "cmdr": true, "insp": true, "supt": true, "det": true, "pres": true,
	"messrs": true, "mme": true, "mlle": true, "sra": true, "srta": true, "hr": true,
	"jan": true, "feb": true, "mar": true, "apr": true, "jun": true, "jul": true, "aug": true,
	"sep": true, "sept": true, "oct": true, "nov": true, "dec": true,
	"no": true, "nos": true, "vol": true, "p": true, "pp": true, "fig": true, "art": true,
	"vs": true, "v": true, "approx": true, "est": true, "ca": true, "cf": true, "al": true,
	"dept": true, "univ": true, "assn": true, "bros": true, "nr": true, "tel": true,
	// French: M. (monsieur), MM., Mgr, Pr, av. (J.-C.), env., Cie.
	"m": true, "mm": true, "mgr": true, "pr": true, "av": true, "env": true, "cie": true,
}

// numberAbbreviations end a sentence unless a number follows ("No. 5").
var numberAbbreviations = map[string]bool{"no": true, "nos": true, "vol": true, "p": true, "pp": true, "art": true, "fig": true, "nr": true}

// sentenceStarters are capitalized words that, after an initialism such as
// "U.S." or "Inc.", show that a new sentence begins.
var sentenceStarters = map[string]bool{
	"The": true, "A": true, "An": true, "He": true, "She": true, "It": true, "They": true,
	"We": true, "I": true, "But": true, "And": true, "In": true, "On": true, "At": true,
	"This": true, "That": true, "These": true, "Those": true, "There": true, "His": true,
	"Her": true, "Its": true, "Their": true, "Our": true, "If": true, "When": true,
	"While": true, "After": true, "As": true, "So": true, "Yet": true, "However": true,
	"Meanwhile": true, "Mr": true, "Mrs": true, "Ms": true, "Dr": true, "Some": true,
	"Many": true, "Most": true, "Other": true, "Officials": true, "Last": true, "Earlier": true,
	"Since": true, "For": true, "Now": true, "Then": true, "What": true, "Why": true, "How": true,
	// French ("av. J.-C. Le royaume...").
	"Le": true, "La": true, "Les": true, "Il": true, "Elle": true, "Ils": true, "Elles": true,
	"Un": true, "Une": true, "Des": true, "Ce": true, "Cette": true, "Ces": true, "Mais": true,
	"En": true, "Au": true, "Aux": true, "Selon": true, "Pour": true, "Dans": true, "Depuis": true,
	"Alors": true, "Nous": true, "Son": true, "Sa": true, "Ses": true, "Leur": true,
	// Spanish, Italian, German.
	"El": true, "Los": true, "Las": true, "Lo": true, "Gli": true, "Der": true, "Die": true, "Das": true,
}

func isClosing(r rune) bool {
	switch r {
	case '"', '\'', ')', ']', '}', '\u201d', '\u2019', '\u00bb', '\u203a':
		return true
	}
	return false
}

func isOpening(r rune) bool {
	switch r {
	case '"', '\'', '(', '[', '\u201c', '\u2018', '\u00ab', '\u2039', '\u00bf', '\u00a1', '-', '\u2013', '\u2014':
		return true
	}
	return false
}

// maybeTerminator marks the bytes that may end a sentence: . ! ? and the
// first byte of "…".
var maybeTerminator = [256]bool{'.': true, '!': true, '?': true, 0xE2: true}

// nextTerminator returns the index of the first byte of p from i that
// maybeTerminator marks, or len(p). It looks at eight bytes at a time: a
// byte equal to c is a zero byte of x = bytes^c, which x-0x01 (with &^x)
// flags; a borrow into the next byte happens only from such a zero, so
// the first byte flagged is right.
func nextTerminator(p string, i int) int {
	const (
		ones = 0x0101010101010101
		top  = 0x8080808080808080
	)
	for ; i+8 <= len(p); i += 8 {
		v := load64(p[i : i+8])
		dot, bang, quest, e2 := v^(ones*'.'), v^(ones*'!'), v^(ones*'?'), v^(ones*0xE2)
		m := ((dot-ones)&^dot | (bang-ones)&^bang | (quest-ones)&^quest | (e2-ones)&^e2) & top
		if m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for i < len(p) && !maybeTerminator[p[i]] {
		i++
	}
	return i
}

// splitSentences cuts one paragraph into sentences. A sentence ends at . ! ?
// or … (and any closing quotes or brackets after them) when white space and
// then a capital letter, a digit or an opening quote follow, unless the
// word before the dot is a known abbreviation, an initial or an initialism
// that does not end the sentence. The end of the paragraph always ends a
// sentence.
func splitSentences(p string, out []string) []string {
	start := 0
	n := len(p)
	for i := 0; i < n; {
		i = nextTerminator(p, i)
		if i >= n {
			break
		}
		c := p[i]
		if c == 0xE2 && !strings.HasPrefix(p[i:], "\u2026") {
			i++
			continue
		}
		// j: end of the run of terminators and closers (French puts a
		// non-breaking space before a closing guillemet: "« Non. »").
		j := i
		for j < n {
			r, sz := utf8.DecodeRuneInString(p[j:])
			if r == '.' || r == '!' || r == '?' || r == '\u2026' || isClosing(r) {
				j += sz
				continue
			}
			if isNoBreakSpace(r) {
				if r2, sz2 := utf8.DecodeRuneInString(p[j+sz:]); r2 == '\u00bb' || r2 == '\u203a' {
					j += sz + sz2
					continue
				}
			}
			break
		}
		if j >= n {
			break
		}
		r, _ := utf8.DecodeRuneInString(p[j:])
		if !unicode.IsSpace(r) {
			if gluedStart(p, i, j) {
				// A paragraph break lost in a scrape: "domestique.Consternant".
				if s := strings.TrimSpace(p[start:j]); s != "" {
					out = append(out, s)
				}
				start = j
			}
			i = j
			continue
		}
		k := j
		for k < n {
			r, sz := utf8.DecodeRuneInString(p[k:])
			if !unicode.IsSpace(r) {
				break
			}
			k += sz
		}
		if k >= n {
			break
		}
		next, _ := utf8.DecodeRuneInString(p[k:])
		if !(unicode.IsUpper(next) || unicode.IsDigit(next) || isOpening(next) || unicode.Is(unicode.Lo, next)) {
			i = j
			continue
		}
		if c == '.' && j == i+1 && !endsSentenceAtDot(p[start:i], p[k:]) {
			i = j
			continue
		}
		if s := strings.TrimSpace(p[start:j]); s != "" {
			out = append(out, s)
		}
		start = k
		i = k
	}
	if s := strings.TrimSpace(p[start:]); s != "" {
		out = append(out, s)
	}
	return out
}

func isNoBreakSpace(r rune) bool { return r == '\u00a0' || r == '\u202f' || r == '\u2009' }

// gluedStart reports whether a new sentence starts right after the
// terminators p[i:j] with no space between: a lower-case letter or a
// digit before them, then a capital followed by a lower-case letter, or
// by an apostrophe and one ("accident domestique.Consternant", "en
// 2019.En mai", "annoncés.L'ex-maire"). Initialisms
// ("U.S.A.") and domain names ("example.com") do not match; the part
// before must be a word of at least two letters or digits, not part of an
// address.
func gluedStart(p string, i, j int) bool {
	r1, sz1 := utf8.DecodeRuneInString(p[j:])
	if !unicode.IsUpper(r1) {
		return false
	}
	r2, sz2 := utf8.DecodeRuneInString(p[j+sz1:])
	if r2 == '\'' || r2 == '\u2019' {
		// An elided article: "annoncés.L'ex-maire".
		r2, _ = utf8.DecodeRuneInString(p[j+sz1+sz2:])
	}
	if !unicode.IsLower(r2) {
		return false
	}
	// The word before the terminators.
	k := i
	letters := 0
	for k > 0 {
		r, sz := utf8.DecodeLastRuneInString(p[:k])
		if isClosing(r) && k == i {
			k -= sz
			continue
		}
		if !(unicode.IsLower(r) || unicode.IsDigit(r) || (letters > 0 && unicode.IsUpper(r))) {
			if r == '.' || r == '/' || r == '@' || r == ':' || r == '_' {
				return false // an address or a file name
			}
			break
		}
		letters++
		k -= sz
	}
	if letters < 2 || abbreviations[strings.ToLower(strings.TrimRightFunc(p[k:i], isClosing))] {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(p[:i])
	return unicode.IsLower(last) || unicode.IsDigit(last) || isClosing(last)
}

// endsSentenceAtDot decides a single dot between before (the sentence so
// far) and after (the text after the white space).
func endsSentenceAtDot(before, after string) bool {
	// The word before the dot.
	w := before
	if i := strings.LastIndexFunc(before, func(r rune) bool { return unicode.IsSpace(r) || r == '(' || r == '"' || r == '\u201c' }); i >= 0 {
		_, sz := utf8.DecodeRuneInString(before[i:])
		w = before[i+sz:]
	}
	if w == "" {
		return true
	}
	lw := strings.ToLower(w)
	if numberAbbreviations[lw] {
		r, _ := utf8.DecodeRuneInString(after)
		return !unicode.IsDigit(r)
	}
	if abbreviations[lw] {
		return false
	}
	// A single capital letter: an initial ("John F. Kennedy").
	if r, sz := utf8.DecodeRuneInString(w); sz == len(w) && unicode.IsUpper(r) {
		return sentenceStarters[nextWord(after)]
	}
	// Initialisms with inner dots (U.S., e.g., a.m.) and company suffixes end
	// the sentence only when a typical sentence opener follows. A number
	// with a decimal point ("rose 6.4%.", "$42.09bn.") is no initialism.
	if strings.IndexByte(w, '.') >= 0 && strings.IndexFunc(w, unicode.IsDigit) < 0 {
		return sentenceStarters[nextWord(after)]
	}
	switch lw {
	case "inc", "corp", "co", "ltd", "plc", "llc", "bros", "etc":
		next := nextWord(after)
		return sentenceStarters[next] || !startsUpper(next)
	}
	return true
}

// nextWord returns the word after a dot without its trailing punctuation.
// Only the rarer cases above need it: most dots end a sentence on the word
// before them alone.
func nextWord(after string) string {
	if i := strings.IndexFunc(after, func(r rune) bool { return unicode.IsSpace(r) || r == ',' }); i >= 0 {
		after = after[:i]
	}
	return strings.TrimRightFunc(after, func(r rune) bool {
		switch r {
		case '.', ',', ';', ':', '!', '?', '"', '\'':
			return true
		}
		return false
	})
}

func startsUpper(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r)
}
