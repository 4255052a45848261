package htmltext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clean removes the invisible characters that let a publisher make text
// say something other than what it shows: the bidi embeddings, overrides
// and isolates (U+202A-U+202E, U+2066-U+2069), which reorder what follows
// them ("txt.exe" shown as "exe.txt"); zero-width spaces and joiners used to
// split or disguise words (U+200B, U+2060, U+FEFF, U+180E); invisible
// operators (U+2061-U+2064); Unicode tag characters (U+E0000-U+E007F) that
// smuggle hidden ASCII; and control characters other than tab and newline.
//
// Kept, because readers need them and they cannot reorder letters:
//   - LRM, RLM and ALM (U+200E, U+200F, U+061C). They are weak marks that
//     only settle where neutral characters such as punctuation and digits
//     go next to right-to-left words; Hebrew, Arabic and Urdu text uses them
//     for exactly that, and without an override they cannot reverse Latin
//     text.
//   - ZWNJ and ZWJ (U+200C, U+200D) between two characters that are not
//     ASCII: Persian and Urdu spelling needs ZWNJ, Indic scripts need both,
//     and emoji sequences (👨‍👩‍👧, 🏳️‍🌈) are glued with ZWJ. Next to ASCII, at a word's edge, or
//     in a run they do nothing visible and are removed (a run keeps one).
//   - Tag characters right after the black flag U+1F3F4, where they spell
//     the subdivision flags (England, Scotland, Wales).
//
// Text without any of these characters is returned as it is, unallocated.
func Clean(s string) string {
	i := firstSuspect(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	prev := lastRune(s[:i])
	inFlag := prev == blackFlag
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		next, _ := utf8.DecodeRuneInString(s[i+size:])
		i += size
		switch {
		case isTag(r) && inFlag:
			// part of a subdivision flag
		case isJoiner(r) && joins(prev, next):
		case removed(r):
			continue
		}
		inFlag = (r == blackFlag) || (inFlag && isTag(r) && r != cancelTag)
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

const (
	blackFlag = '\U0001F3F4'
	cancelTag = '\U000E007F'
)

// firstSuspect returns the index of the first rune Clean may remove, or -1.
// Every such rune is either an ASCII control or starts with a byte of 0xC2
// or more, so pure ASCII text is scanned at byte speed.
func firstSuspect(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' || c == 0x7F {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if removed(r) || isJoiner(r) || isTag(r) {
			return i
		}
		i += size
	}
	return -1
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

// removed reports whether r is removed wherever it appears (joiners and
// tags have their own rules).
func removed(r rune) bool {
	switch {
	case r == '\t' || r == '\n':
		return false
	case r < 0x20 || (r >= 0x7F && r <= 0x9F): // C0 and C1 controls
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069: // bidi embeddings, overrides, isolates
		return true
	case r == 0x200B, r == 0x2060, r == 0xFEFF, r == 0x180E: // zero-width spaces and no-break
		return true
	case r >= 0x2061 && r <= 0x2064: // invisible operators
		return true
	case r == 0x200C || r == 0x200D:
		return true
	}
	return isTag(r)
}

func isJoiner(r rune) bool { return r == 0x200C || r == 0x200D }

func isTag(r rune) bool { return r >= 0xE0000 && r <= 0xE007F }

// joins reports whether a ZWJ or ZWNJ between prev and next is doing work:
// both neighbours are visible characters outside ASCII.
func joins(prev, next rune) bool {
	return visibleNonASCII(prev) && visibleNonASCII(next)
}

func visibleNonASCII(r rune) bool {
	return r >= utf8.RuneSelf && r != utf8.RuneError && !unicode.IsSpace(r) &&
		!removed(r) && !isJoiner(r) && !unicode.Is(unicode.Cf, r) ||
		r == 0xFE0F // emoji presentation selector, as in 🏳️‍🌈
}
