package feeds

import (
	"bytes"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
)

// Real feeds lie about their encoding: a prolog naming ISO-8859-1 over UTF-8
// bytes, an unknown label, no declaration at all over Latin-1 text. So the
// parser never trusts a label over the bytes: everything is converted to
// UTF-8 here, the prolog is rewritten to say so, and only then is the
// document handed to gofeed. The rules, in order:
//
//  1. A UTF-16 byte order mark (or the UTF-16 form of "<?") decides.
//  2. Bytes that are valid UTF-8 are UTF-8, whatever the labels say
//     (ASCII is valid UTF-8, and the same in every charset we would pick).
//  3. Bytes that are mostly UTF-8 (no more broken sequences than valid
//     multi-byte ones) are UTF-8 with a few broken bytes, whatever the
//     labels say: each broken sequence becomes U+FFFD and every valid
//     character stays. Reading them as the label's single-byte charset
//     would turn all the valid characters into mojibake to save a few, and
//     text really in a single-byte charset almost never forms valid UTF-8
//     sequences (a Latin-1 "é" is a lone 0xE9 before ASCII).
//  4. Otherwise the first usable label wins: the XML prolog's encoding,
//     then the Content-Type charset (labels naming UTF-8 are ignored, the
//     bytes just proved them wrong).
//  5. Otherwise, Windows-1252, the superset of ISO-8859-1 that the web
//     platform uses for unlabelled Latin text.

var (
	utf8BOM     = []byte{0xEF, 0xBB, 0xBF}
	prologRE    = regexp.MustCompile(`^\s*<\?xml\b[^>]*?\?>`)
	prologEncRE = regexp.MustCompile(`\bencoding\s*=\s*["']\s*([^"'\s]*)\s*["']`)
	metaCharRE  = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.-]+)`)
)

// decodeXML returns an XML document as UTF-8 with a prolog that says so and
// without the characters XML forbids (which make encoding/xml give up).
func decodeXML(body []byte, contentType string) []byte {
	body = decodeUTF16(body)
	body = bytes.TrimPrefix(body, utf8BOM)

	declared := ""
	loc := prologRE.FindIndex(body)
	if loc != nil {
		if m := prologEncRE.FindSubmatch(body[loc[0]:loc[1]]); m != nil {
			declared = string(m[1])
		}
	}
	if !utf8.Valid(body) {
		body = toUTF8(body, declared, headerCharset(contentType))
		loc = prologRE.FindIndex(body)
	}
	if loc != nil {
		var b bytes.Buffer
		b.Grow(len(body))
		b.WriteString(`<?xml version="1.0" encoding="utf-8"?>`)
		b.Write(body[loc[1]:])
		body = b.Bytes()
	}
	return stripIllegalXML(body)
}

// decodeText converts a document that has no prolog (JSON, or HTML) to
// UTF-8, using the Content-Type charset and, for HTML, <meta charset>.
func decodeText(body []byte, contentType string, isHTML bool) []byte {
	body = decodeUTF16(body)
	body = bytes.TrimPrefix(body, utf8BOM)
	if utf8.Valid(body) {
		return body
	}
	declared := ""
	if isHTML {
		head := body[:min(len(body), 64<<10)]
		if m := metaCharRE.FindSubmatch(head); m != nil {
			declared = string(m[1])
		}
	}
	return toUTF8(body, declared, headerCharset(contentType))
}

// toUTF8 converts bytes that are not valid UTF-8, following rules 3 to 5.
func toUTF8(body []byte, labels ...string) []byte {
	if mostlyUTF8(body) {
		return bytes.ToValidUTF8(body, []byte("\uFFFD"))
	}
	for _, label := range labels {
		enc := lookupCharset(label)
		if enc == nil {
			continue
		}
		if out, err := enc.NewDecoder().Bytes(body); err == nil {
			return out
		}
	}
	out, err := lookupCharset("windows-1252").NewDecoder().Bytes(body)
	if err != nil {
		return bytes.ToValidUTF8(body, []byte("\uFFFD"))
	}
	return out
}

// lookupCharset maps a label to an encoding, or nil for unknown labels and
// for the UTF-8 and UTF-16 labels (those are decided from the bytes).
func lookupCharset(label string) encoding.Encoding {
	label = strings.TrimSpace(label)
	if label == "" {
		return nil
	}
	enc, name := charset.Lookup(label)
	if enc == nil || name == "utf-8" || strings.HasPrefix(name, "utf-16") {
		return nil
	}
	return enc
}

// headerCharset returns the charset parameter of a Content-Type value.
func headerCharset(contentType string) string {
	if contentType == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	return params["charset"]
}

// mostlyUTF8 reports whether broken sequences are no more than the valid
// multi-byte sequences around them: UTF-8 text with a few stray bytes. A
// run of invalid bytes counts once (a character cut in the middle is one
// mistake, not three).
func mostlyUTF8(b []byte) bool {
	valid, invalid := 0, 0
	inBroken := false
	for len(b) > 0 {
		if b[0] < utf8.RuneSelf {
			b = b[1:]
			inBroken = false
			continue
		}
		r, size := utf8.DecodeRune(b)
		switch {
		case r != utf8.RuneError || size > 1:
			valid++
			inBroken = false
		case !inBroken:
			invalid++
			inBroken = true
		}
		b = b[size:]
	}
	return valid > 0 && invalid <= valid
}

// decodeUTF16 converts UTF-16 (with a byte order mark, or starting with the
// UTF-16 form of '<') to UTF-8; anything else is returned unchanged.
func decodeUTF16(b []byte) []byte {
	var enc encoding.Encoding
	switch {
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}), bytes.HasPrefix(b, []byte{0x00, '<', 0x00}):
		enc = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
		if b[0] == 0x00 {
			enc = unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
		}
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{'<', 0x00, '?', 0x00}), bytes.HasPrefix(b, []byte{'{', 0x00}):
		enc = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)
		if b[0] != 0xFF {
			enc = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
		}
	default:
		return b
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return b
	}
	return out
}

// stripIllegalXML removes the code points XML 1.0 forbids: C0 controls
// other than tab, newline and carriage return, and U+FFFE and U+FFFF.
// The common case (nothing to strip) does not allocate.
func stripIllegalXML(b []byte) []byte {
	if !hasIllegalXML(b) {
		return b
	}
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if !illegalXMLRune(r) {
			out = append(out, b[:size]...)
		}
		b = b[size:]
	}
	return out
}

func hasIllegalXML(b []byte) bool {
	for i, c := range b {
		switch {
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r':
			return true
		case c == 0xEF && i+2 < len(b) && b[i+1] == 0xBF && (b[i+2] == 0xBE || b[i+2] == 0xBF):
			return true
		}
	}
	return false
}

func illegalXMLRune(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0xFFFE || r == 0xFFFF
}
