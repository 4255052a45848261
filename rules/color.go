package rules

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseColor reads an embed color written as #RRGGBB or RRGGBB, or the
// short #RGB, in either case: "#2B6CB0" is 0x2B6CB0. Discord treats 0 as
// unset, so #000000 shows the default color rather than black.
func ParseColor(s string) (int, error) {
	hex := strings.TrimPrefix(strings.TrimSpace(s), "#")
	if hex == "" {
		return 0, fmt.Errorf("give a color as #RRGGBB, for example #2B6CB0")
	}
	for _, r := range hex {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return 0, fmt.Errorf("color %q: %q is not a hex digit (0-9, A-F); give a color as #RRGGBB, for example #2B6CB0", s, r)
		}
	}
	switch len(hex) {
	case 3: // #RGB is #RRGGBB with each digit doubled, as in CSS
		hex = string([]byte{hex[0], hex[0], hex[1], hex[1], hex[2], hex[2]})
	case 6:
	default:
		return 0, fmt.Errorf("color %q has %d hex digits; give six, as #RRGGBB, for example #2B6CB0", s, len(hex))
	}
	c, err := strconv.ParseUint(hex, 16, 32)
	if err != nil { // cannot happen after the checks above
		return 0, fmt.Errorf("color %q: %w", s, err)
	}
	return int(c), nil
}

// FormatColor writes c as ParseColor reads it, "#2B6CB0".
func FormatColor(c int) string {
	return fmt.Sprintf("#%06X", c&0xFFFFFF)
}
