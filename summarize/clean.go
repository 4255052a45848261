package summarize

import (
	"math"
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"
)

// agencies are the credits a dateline may carry after a place name:
// "LONDON (Reuters) -", "Boston (CNN)". Lower case.
var agencies = map[string]bool{
	"cnn": true, "reuters": true, "ap": true, "afp": true, "upi": true, "pa": true, "bbc": true,
	"dpa": true, "efe": true, "ansa": true, "xinhua": true, "bloomberg": true, "ians": true,
	"pti": true, "ani": true, "kyodo": true, "yonhap": true, "tass": true, "cnn student news": true,
	"cnn money": true, "cnnmoney": true, "ew.com": true, "the hollywood reporter": true,
	"mashable": true, "people.com": true, "time.com": true, "variety": true, "billboard": true,
	"rolling stone": true, "fortune": true, "wired": true, "cnet": true, "ap photo": true,
}

// stripDateline removes a dateline at the start of a sentence: "(CNN)",
// "New Delhi, India (CNN) --", "LONDON (Reuters) -", "WASHINGTON:" or
// "PARIS —". It returns s unchanged when there is none.
func stripDateline(s string) string {
	if rest, ok := stripParenDateline(s); ok {
		return rest
	}
	if rest, ok := stripCapsDateline(s); ok {
		return rest
	}
	return s
}

func stripParenDateline(s string) (string, bool) {
	open := strings.IndexByte(s, '(')
	if open < 0 || open > 60 {
		return s, false
	}
	closeAt := strings.IndexByte(s[open:], ')')
	if closeAt < 0 || closeAt > 40 {
		return s, false
	}
	closeAt += open
	inside := strings.TrimSpace(s[open+1 : closeAt])
	if inside == "" || len(strings.Fields(inside)) > 4 || !startsUpper(inside) {
		return s, false
	}
	prefix := strings.TrimSpace(s[:open])
	if prefix != "" {
		if !agencies[strings.ToLower(inside)] {
			return s, false
		}
		// The place: at most five capitalized words, commas and dots.
		words := strings.Fields(prefix)
		if len(words) > 5 {
			return s, false
		}
		for _, w := range words {
			if !startsUpper(w) {
				return s, false
			}
		}
	}
	return trimSeparator(s[closeAt+1:])
}

// stripCapsDateline removes "WASHINGTON:" or "NEW YORK, N.Y. —": words in
// capitals, an optional mixed-case region after a comma ("SAN FRANCISCO,
// Calif. -"), then a colon or a dash.
func stripCapsDateline(s string) (string, bool) {
	rest := s
	letters := 0
	words := 0
	for words < 5 {
		w, after, _ := strings.Cut(rest, " ")
		if w == "" || !allCaps(strings.TrimRight(w, ":,")) {
			break
		}
		letters += len(w)
		words++
		rest = after
		if strings.HasSuffix(w, ":") {
			if letters < 3 {
				return s, false
			}
			return trimSeparator(rest)
		}
		if strings.HasSuffix(w, ",") {
			// A region may follow: up to two words, then the separator.
			for k := 0; k < 3; k++ {
				if sep, ok := cutSeparator(rest); ok {
					return trimSeparator(sep)
				}
				_, rest, _ = strings.Cut(rest, " ")
			}
			return s, false
		}
	}
	if words == 0 || letters < 3 {
		return s, false
	}
	if sep, ok := cutSeparator(rest); ok {
		return trimSeparator(sep)
	}
	return s, false
}

// cutSeparator strips a leading dash word ("-", "--", "—", "–") from s.
func cutSeparator(s string) (string, bool) {
	w, after, ok := strings.Cut(s, " ")
	if !ok {
		return s, false
	}
	switch w {
	case "-", "--", "\u2014", "\u2013":
		return after, true
	}
	return s, false
}

// allCaps reports whether w has letters and all of them are capitals.
func allCaps(w string) bool {
	n := 0
	for _, r := range w {
		switch {
		case unicode.IsUpper(r):
			n++
		case unicode.IsLower(r), unicode.IsDigit(r):
			return false
		}
	}
	return n > 0
}

// trimSeparator drops the dashes or colon after a dateline; it fails when no
// real text follows.
func trimSeparator(s string) (string, bool) {
	s = strings.TrimLeft(s, " \t:-\u2014\u2013")
	if len(s) < 2 {
		return s, false
	}
	r, _ := utf8.DecodeRuneInString(s)
	if !(unicode.IsLetter(r) || unicode.IsDigit(r) || isOpening(r)) {
		return s, false
	}
	return s, true
}

// boilerplatePrefixes start sentences that are credits, links or page
// furniture, never news. Lower case.
var boilerplatePrefixes = []string{
	"(reporting by", "reporting by", "(editing by", "editing by", "(additional reporting",
	"additional reporting by", "(writing by", "writing by", "compiled by",
	"read more", "related:", "related articles", "see also:", "sign up", "subscribe to",
	"subscribe now", "click here", "advertisement", "follow us", "follow @", "like us on",
	"photo:", "photo credit", "photograph:", "photos:", "image:", "image copyright",
	"image caption", "picture:", "pictured:", "(photo", "(picture", "caption:", "credit:",
	"media playback is", "share this", "copyright", "all rights reserved", "watch the video",
	"last updated", "published:", "updated:", "email this",
	"download the", "get the app", "this article was", "this story has been",
	"more on this story", "continue reading", "for more news", "visit ", "©",
}

// prefixesByFirst buckets boilerplatePrefixes by their first byte.
var prefixesByFirst = func() (t [256][]string) {
	for _, p := range boilerplatePrefixes {
		t[p[0]] = append(t[p[0]], p)
	}
	return t
}()

// boilerplateInside marks credits wherever they stand in a sentence;
// each is found by a case-sensitive core ("ontributed" matches
// "Contributed" and "contributed").
var boilerplateInside = []string{"ontributed ", "ights reserved", "etty Images", "AP Photo", "Reuters/", "©"}

// insideKeys finds boilerplateInside in one pass: each core is looked for
// at a byte it holds that is rare in prose (its key, in insideKey), and
// insideKeys[c] is 1 + the index of the core whose key is c.
const insideKey = "bvyP/\xa9" // ontriButed, reserVed, GettY, AP Photo, Reuters/, ©

var insideKeys = func() (t [256]uint8) {
	for i := range boilerplateInside {
		c := insideKey[i]
		if t[c] != 0 || strings.IndexByte(boilerplateInside[i], c) < 0 {
			panic("summarize: bad boilerplate key")
		}
		t[c] = uint8(i + 1)
	}
	return t
}()

// hasInside reports whether s holds one of boilerplateInside.
func hasInside(s string) bool {
	for i := 0; i < len(s); i++ {
		k := insideKeys[s[i]]
		if k == 0 {
			continue
		}
		p := boilerplateInside[k-1]
		if start := i - strings.IndexByte(p, s[i]); start >= 0 && strings.HasPrefix(s[start:], p) {
			return true
		}
	}
	return false
}

// isBoilerplate reports whether a sentence is a credit or page furniture.
func isBoilerplate(s string) bool {
	if s == "" {
		return false
	}
	for _, p := range prefixesByFirst[lowerASCII(s[0])] {
		if hasPrefixFold(s, p) {
			return true
		}
	}
	return len(s) < 120 && hasInside(s) // credits are short
}

// hasPrefixFold reports whether s starts with p (in lower case), in any
// case of its ASCII letters.
func hasPrefixFold(s, p string) bool {
	if len(p) > len(s) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if lowerASCII(s[i]) != p[i] {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// stripTrailingCredit removes a credit in brackets that ends a sentence:
// "... by Friday. (Reporting by Jane Doe; Editing by John Roe)".
func stripTrailingCredit(s string) string {
	if !strings.HasSuffix(s, ")") {
		return s
	}
	i := strings.LastIndexByte(s, '(')
	if i <= 0 {
		return s
	}
	if isBoilerplate(s[i:]) {
		return strings.TrimSpace(s[:i])
	}
	return s
}

// signature is a 64-bit Bloom filter of a sentence's terms, to rule out
// most pairs before comparing them term by term.
func signature(set []int32) uint64 {
	var sig uint64
	for _, t := range set {
		sig |= 1 << (uint32(t) & 63)
	}
	return sig
}

// intersect counts the terms two sorted sets share.
func intersect(a, b []int32) int {
	inter := 0
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			inter++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return inter
}

// nearDuplicate reports whether two sentences (as sorted term sets with
// their signatures) say the same thing: nearly the same words (Jaccard at
// least dupJaccard), or one of at least four terms nearly all inside the
// other (dupContainment).
func nearDuplicate(a, b []int32, sa, sb uint64) bool {
	if len(a) < 2 || len(b) < 2 {
		return false
	}
	short, long, ss, sl := a, b, sa, sb
	if len(short) > len(long) {
		short, long, ss, sl = b, a, sb, sa
	}
	needJ := dupJaccard * float64(len(long)) // overlap ≥ J·|union| ≥ J·|long|
	needC := dupContainment * float64(len(short))
	if len(short) < 4 {
		needC = math.Inf(1)
	}
	need := min(needJ, needC)
	// A first upper bound on the overlap, from the signatures alone: the
	// bits the two share, plus the terms of short that share a bit with
	// another of its terms (each bit shared stands for at least one term).
	if float64(bits.OnesCount64(ss&sl)+len(short)-bits.OnesCount64(ss)) < need {
		return false
	}
	// Terms of short that may be in long: a closer bound.
	maybe := 0
	for _, t := range short {
		if sl&(1<<(uint32(t)&63)) != 0 {
			maybe++
		}
	}
	if float64(maybe) < need {
		return false
	}
	inter := intersect(short, long)
	if float64(inter) >= dupJaccard*float64(len(short)+len(long)-inter) {
		return true
	}
	return float64(inter) >= needC
}
