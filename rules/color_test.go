package rules

import "testing"

func TestParseColor(t *testing.T) {
	tests := []struct {
		in   string
		want int
		err  string
	}{
		{"#2B6CB0", 0x2B6CB0, ""},
		{"2b6cb0", 0x2B6CB0, ""},
		{"  #ffffff ", 0xFFFFFF, ""},
		{"#000000", 0, ""},
		{"#f00", 0xFF0000, ""},
		{"", 0, "give a color as #RRGGBB, for example #2B6CB0"},
		{"#", 0, "give a color as #RRGGBB, for example #2B6CB0"},
		{"#12345", 0, `color "#12345" has 5 hex digits; give six, as #RRGGBB, for example #2B6CB0`},
		{"#1234567", 0, `color "#1234567" has 7 hex digits; give six, as #RRGGBB, for example #2B6CB0`},
		{"#GG0000", 0, `color "#GG0000": 'G' is not a hex digit (0-9, A-F); give a color as #RRGGBB, for example #2B6CB0`},
		{"red", 0, `color "red": 'r' is not a hex digit (0-9, A-F); give a color as #RRGGBB, for example #2B6CB0`},
		{"0x2B6CB0", 0, `color "0x2B6CB0": 'x' is not a hex digit (0-9, A-F); give a color as #RRGGBB, for example #2B6CB0`},
		{"##2B6CB0", 0, `color "##2B6CB0": '#' is not a hex digit (0-9, A-F); give a color as #RRGGBB, for example #2B6CB0`},
		{"#２B6CB0", 0, `color "#２B6CB0": '２' is not a hex digit (0-9, A-F); give a color as #RRGGBB, for example #2B6CB0`},
	}
	for _, tt := range tests {
		got, err := ParseColor(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("ParseColor(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseColor(%q) = %#x, %v; want %#x", tt.in, got, err, tt.want)
		}
		if back, _ := ParseColor(FormatColor(got)); back != got {
			t.Errorf("FormatColor(%#x) = %q does not parse back", got, FormatColor(got))
		}
	}
	if got := FormatColor(0x2B6CB0); got != "#2B6CB0" {
		t.Errorf("FormatColor = %q", got)
	}
}
