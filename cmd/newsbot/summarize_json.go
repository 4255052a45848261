package main

import (
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// errSlowPath makes decodeJSONLine hand a line to encoding/json.
var errSlowPath = errors.New("not on the fast path")

// decodeJSONLine decodes one -jsonl input line as json.Unmarshal would,
// but without reflection for the common shape: an object whose values are
// strings, booleans, null or numbers. Anything else (nested values,
// invalid UTF-8, malformed JSON) goes to json.Unmarshal, which also gives
// the error message.
func decodeJSONLine(line []byte, in *jsonlIn) error {
	if err := fastDecode(line, in); err != nil {
		*in = jsonlIn{}
		return json.Unmarshal(line, in)
	}
	return nil
}

func fastDecode(b []byte, in *jsonlIn) error {
	if !utf8.Valid(b) {
		return errSlowPath
	}
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return errSlowPath
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		if skipSpace(b, i+1) != len(b) {
			return errSlowPath
		}
		return nil
	}
	var key string
	var err error
	for {
		if i >= len(b) || b[i] != '"' {
			return errSlowPath
		}
		key, i, err = readString(b, i)
		if err != nil {
			return err
		}
		i = skipSpace(b, i)
		if i >= len(b) || b[i] != ':' {
			return errSlowPath
		}
		i = skipSpace(b, i+1)
		if i >= len(b) {
			return errSlowPath
		}
		var dst *string
		switch {
		case equalFoldASCII(key, "id"):
			dst = &in.ID
		case equalFoldASCII(key, "title"):
			dst = &in.Title
		case equalFoldASCII(key, "text"):
			dst = &in.Text
		case equalFoldASCII(key, "language"):
			dst = &in.Language
		case equalFoldASCII(key, "html"):
			switch {
			case hasLiteral(b, i, "true"):
				in.HTML, i = true, i+4
			case hasLiteral(b, i, "false"):
				in.HTML, i = false, i+5
			case hasLiteral(b, i, "null"):
				i += 4
			default:
				return errSlowPath
			}
		}
		if dst != nil {
			switch {
			case b[i] == '"':
				*dst, i, err = readString(b, i)
				if err != nil {
					return err
				}
			case hasLiteral(b, i, "null"):
				i += 4
			default:
				return errSlowPath
			}
		} else if !equalFoldASCII(key, "html") {
			if i, err = skipScalar(b, i); err != nil {
				return err
			}
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return errSlowPath
		}
		if b[i] == '}' {
			if skipSpace(b, i+1) != len(b) {
				return errSlowPath
			}
			return nil
		}
		if b[i] != ',' {
			return errSlowPath
		}
		i = skipSpace(b, i+1)
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

func hasLiteral(b []byte, i int, lit string) bool {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return false
	}
	j := i + len(lit)
	return j == len(b) || !isLetterOrDigit(b[j])
}

func isLetterOrDigit(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		c := a[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != b[i] {
			return false
		}
	}
	return true
}

// skipScalar skips a string, a number, true, false or null.
func skipScalar(b []byte, i int) (int, error) {
	switch c := b[i]; {
	case c == '"':
		_, j, err := readString(b, i)
		return j, err
	case c == 't' && hasLiteral(b, i, "true"):
		return i + 4, nil
	case c == 'f' && hasLiteral(b, i, "false"):
		return i + 5, nil
	case c == 'n' && hasLiteral(b, i, "null"):
		return i + 4, nil
	case c == '-' || '0' <= c && c <= '9':
		j := i
		for j < len(b) && (b[j] == '-' || b[j] == '+' || b[j] == '.' || b[j] == 'e' || b[j] == 'E' || '0' <= b[j] && b[j] <= '9') {
			j++
		}
		if !json.Valid(b[i:j]) {
			return 0, errSlowPath
		}
		return j, nil
	}
	return 0, errSlowPath
}

// readString reads the JSON string starting at b[i] == '"' and returns it
// unescaped and the index after its closing quote.
func readString(b []byte, i int) (string, int, error) {
	start := i + 1
	j := start
	for j < len(b) && b[j] != '"' && b[j] != '\\' && b[j] >= 0x20 {
		j++
	}
	if j < len(b) && b[j] == '"' {
		return string(b[start:j]), j + 1, nil // no escapes
	}
	out := make([]byte, 0, j-start+64)
	out = append(out, b[start:j]...)
	for j < len(b) {
		c := b[j]
		switch {
		case c == '"':
			return string(out), j + 1, nil
		case c < 0x20:
			return "", 0, errSlowPath
		case c != '\\':
			k := j + 1
			for k < len(b) && b[k] != '"' && b[k] != '\\' && b[k] >= 0x20 {
				k++
			}
			out = append(out, b[j:k]...)
			j = k
			continue
		}
		if j+1 >= len(b) {
			return "", 0, errSlowPath
		}
		switch e := b[j+1]; e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(b, j+2)
			if !ok {
				return "", 0, errSlowPath
			}
			j += 6
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4(b, j+2); ok && j+1 < len(b) && b[j] == '\\' && b[j+1] == 'u' {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						out = utf8.AppendRune(out, dec)
						j += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
			continue
		default:
			return "", 0, errSlowPath
		}
		j += 2
	}
	return "", 0, errSlowPath
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(b[i:i+4]), 16, 32)
	return rune(v), err == nil
}

// appendJSONString appends s as a JSON string exactly as encoding/json
// writes it (HTML characters, U+2028 and U+2029 escaped, invalid UTF-8 as
// U+FFFD).
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendJSONOut appends o as json.Marshal writes it, and a newline.
func appendJSONOut(dst []byte, o *jsonlOut) []byte {
	dst = append(dst, `{"id":`...)
	dst = appendJSONString(dst, o.ID)
	dst = append(dst, `,"sentences":[`...)
	for i, s := range o.Sentences {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, s)
	}
	dst = append(dst, ']')
	if o.Error != "" {
		dst = append(dst, `,"error":`...)
		dst = appendJSONString(dst, o.Error)
	}
	return append(dst, '}', '\n')
}
