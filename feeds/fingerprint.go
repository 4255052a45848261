package feeds

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"unicode"
)

// dateLike matches the parts of a text that change without news: times,
// dates and "updated" stamps, which a republished item often adds, and
// counters of comments or views.
var dateLike = regexp.MustCompile(`(?i)\b(updated|published|posted|last modified)\b[^.\n]{0,40}` +
	`|\b\d{1,2}:\d{2}(:\d{2})?\s*(am|pm|gmt|utc|bst|cet|est|edt|pst|pdt)?\b` +
	`|\b\d{4}-\d{2}-\d{2}(t[\d:.+z-]*)?\b` +
	`|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b` +
	`|\b(mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\b` +
	`|\b\d{1,2}(st|nd|rd|th)?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?(\s+\d{4})?\b` +
	`|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(st|nd|rd|th)?,?(\s+\d{4})?\b` +
	// Links (tracking parameters change) and counters that tick without
	// news: "42 comments", "1.2k views".
	`|https?://\S+|\bwww\.\S+` +
	`|\b[\d.,]+k?\s+(comments?|points?|replies|reply|views?|likes?|shares?|reactions?)\b`)

// Fingerprint digests what a reader would call an item's news: its headline
// and text as words, lower-cased, without punctuation, white space, links
// (and so tracking parameters) or dates. A known item whose fingerprint
// changes changed in substance and its posts are edited; one that only
// gained a date or lost a space keeps its fingerprint and edits nothing.
func Fingerprint(it Item) string {
	h := sha256.New()
	for _, part := range []string{it.Title, it.Content} {
		part = dateLike.ReplaceAllString(strings.ToLower(part), " ")
		for _, w := range strings.FieldsFunc(part, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }) {
			h.Write([]byte(w))
			h.Write([]byte{' '})
		}
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
