package rules

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxContent is Discord's limit on a message's content, in characters.
const MaxContent = 2000

// ellipsis marks text that was cut. It is one UTF-16 code unit.
const ellipsis = "…"

// Width is the length of s as this package counts it: UTF-16 code units,
// the way JavaScript's String.length and Discord's clients count. Discord's
// server may count code points instead, which is never more, so a text
// within Width's limit is within Discord's either way. An emoji outside the
// Basic Multilingual Plane counts 2; a flag counts 4.
func Width(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

func runeWidth(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// Truncate cuts s to at most limit characters (see Width), ending it with
// "…": at the end of a sentence when that keeps at least half the text,
// else at the end of a word when that does, else anywhere that does not
// split a character, an emoji sequence or a markdown escape. A text within
// the limit is returned unchanged; a limit below 1 gives "".
func Truncate(s string, limit int) string {
	return cut(s, limit, nil)
}

// span is a byte range [start, end) of a text that a cut must not fall
// inside, such as a role mention or a link.
type span struct{ start, end int }

// cut is Truncate that also avoids cutting inside the protected spans when
// it can; Render uses it to keep mentions and links whole.
func cut(s string, limit int, keep []span) string {
	if Width(s) <= limit {
		return s
	}
	if limit <= 0 {
		return ""
	}
	sentence, word, hard := cutPoints(s, limit)
	for _, at := range []int{sentence, word, hard} {
		if at == 0 {
			continue
		}
		// A sentence end is followed by " …", any other cut by "…"; a cut
		// moved out of a protected span is no longer a sentence end.
		mark := ellipsis
		if at == sentence && outside(at, keep) == at {
			mark = " " + ellipsis
		}
		if t := finish(s[:outside(at, keep)], mark); t != "" {
			return t
		}
	}
	// Everything before a protected span would be lost, so cutting inside
	// it is the lesser evil.
	if t := finish(s[:hard], ellipsis); t != "" {
		return t
	}
	return ellipsis
}

// cutPoints returns where s may be cut so that the kept text plus its
// ellipsis fits in limit: the last sentence end and the last word end (0
// when there is none in the second half of the room), and the hard cut.
func cutPoints(s string, limit int) (sentence, word, hard int) {
	roomWord := prefixLen(s, limit-1)     // room left by "…"
	roomSentence := prefixLen(s, limit-2) // room left by " …"
	for i, r := range s {
		if i > roomWord {
			break
		}
		if unicode.IsSpace(r) {
			word = i
			if i <= roomSentence && endsSentence(s[:i]) {
				sentence = i
			}
		} else if isCJKStop(r) && i+utf8.RuneLen(r) <= roomSentence {
			sentence = i + utf8.RuneLen(r)
		}
	}
	if sentence < roomSentence/2 {
		sentence = 0
	}
	if word < roomWord/2 {
		word = 0
	}
	return sentence, word, safeCut(s, roomWord)
}

// prefixLen is the byte length of the longest prefix of s whose Width is at
// most w.
func prefixLen(s string, w int) int {
	n := 0
	for i, r := range s {
		n += runeWidth(r)
		if n > w {
			return i
		}
	}
	return len(s)
}

// endsSentence reports whether s ends with sentence punctuation, perhaps
// followed by closing quotes or brackets, as in `He said "no."`.
func endsSentence(s string) bool {
	s = strings.TrimRight(s, `"'”’»)]`+"\\")
	r, size := utf8.DecodeLastRuneInString(s)
	if r == '.' && isInitial(s[:len(s)-size]) {
		return false // "U.S." or "J." is rarely the end of a sentence
	}
	return r == '.' || r == '!' || r == '?' || r == '…' || isCJKStop(r)
}

// isInitial reports whether s ends with a single letter standing alone.
func isInitial(s string) bool {
	r, size := utf8.DecodeLastRuneInString(s)
	if !unicode.IsLetter(r) {
		return false
	}
	before, _ := utf8.DecodeLastRuneInString(s[:len(s)-size])
	return len(s) == size || !unicode.IsLetter(before)
}

// isCJKStop reports a full stop of Chinese or Japanese text, which needs
// no space after it to end a sentence.
func isCJKStop(r rune) bool {
	return r == '。' || r == '！' || r == '？'
}

// outside moves a cut at i back to the start of the protected span it
// falls strictly inside, if any.
func outside(i int, keep []span) int {
	for _, k := range keep {
		if k.start < i && i < k.end {
			i = k.start
		}
	}
	return i
}

// finish tidies the kept text and adds the mark, or returns "" when nothing
// worth keeping is left.
func finish(kept, mark string) string {
	kept = strings.TrimRightFunc(kept, unicode.IsSpace)
	if mark == ellipsis {
		// "word,…" reads worse than "word…".
		kept = strings.TrimRight(kept, ",;:")
		kept = strings.TrimRightFunc(kept, unicode.IsSpace)
	}
	kept = dropDanglingEscape(kept)
	if kept == "" {
		return ""
	}
	return kept + mark
}

// dropDanglingEscape removes a markdown escape backslash whose character
// was cut off: left in place it would escape the ellipsis, or whatever the
// template puts after the text.
func dropDanglingEscape(s string) string {
	n := len(s) - len(strings.TrimRight(s, `\`))
	if n%2 == 1 {
		return s[:len(s)-1]
	}
	return s
}

// safeCut moves a cut at byte i back until it no longer splits a UTF-8
// sequence or what a reader sees as one character: a letter and its
// combining marks, an emoji and its modifiers, a ZWJ sequence, a flag.
func safeCut(s string, i int) int {
	for i > 0 && i < len(s) && !utf8.RuneStart(s[i]) {
		i--
	}
	for i > 0 && i < len(s) {
		next, _ := utf8.DecodeRuneInString(s[i:])
		prev, size := utf8.DecodeLastRuneInString(s[:i])
		if !joins(prev, next) && !splitsFlag(s[:i], next) {
			break
		}
		i -= size
	}
	return i
}

// joins reports whether prev and next belong to the same visible character.
func joins(prev, next rune) bool {
	return prev == '\u200d' || next == '\u200d' ||
		unicode.In(next, unicode.Mn, unicode.Me, unicode.Mc) ||
		(next >= 0xfe00 && next <= 0xfe0f) || // variation selectors
		(next >= 0x1f3fb && next <= 0x1f3ff) || // skin tones
		(next >= 0xe0020 && next <= 0xe007f) // tags of subdivision flags
}

// splitsFlag reports whether a cut between before and next would split a
// flag, which is a pair of regional indicators.
func splitsFlag(before string, next rune) bool {
	if !isRegionalIndicator(next) {
		return false
	}
	n := 0
	for before != "" {
		r, size := utf8.DecodeLastRuneInString(before)
		if !isRegionalIndicator(r) {
			break
		}
		n++
		before = before[:len(before)-size]
	}
	return n%2 == 1
}

func isRegionalIndicator(r rune) bool {
	return r >= 0x1f1e6 && r <= 0x1f1ff
}
