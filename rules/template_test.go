package rules

import (
	"strings"
	"testing"
)

var sample = Values{
	Title:     "Quake hits coast",
	Summary:   "A strong quake struck. No tsunami.",
	Link:      "https://example.com/quake",
	Source:    "Reuters",
	Author:    "Jane Doe",
	Published: "<t:1700000000:R>",
	Mention:   "<@&123456789012345678>",
}

func TestRender(t *testing.T) {
	tests := []struct {
		name, tmpl string
		v          Values
		want       string
	}{
		{"all placeholders",
			"{mention} **{title}** · {source} · by {author} · {published}\n{summary}\n<{link}>", sample,
			"<@&123456789012345678> **Quake hits coast** · Reuters · by Jane Doe · <t:1700000000:R>\nA strong quake struck. No tsunami.\n<https://example.com/quake>"},
		{"placeholder twice", "{title} / {title}", sample, "Quake hits coast / Quake hits coast"},
		{"any case, inner spaces", "{TITLE} { Link }", sample, "Quake hits coast https://example.com/quake"},
		{"other braces kept", "{ } {1,2} {:)} {title} {", sample, "{ } {1,2} {:)} Quake hits coast {"},
		{"markdown of the template kept", "__**{title}**__", sample, "__**Quake hits coast**__"},
		{"escaping left to the caller", "{title}", Values{Title: `\*not bold\*`}, `\*not bold\*`},
		{"values not re-escaped", "{summary}", Values{Summary: "**bold** @everyone"}, "**bold** @everyone"},
		{"empty mention trimmed", "{mention} {title}", Values{Title: "T"}, "T"},
		{"no placeholders", "Hello", sample, "Hello"},
		{"empty link drops its brackets", "{title} <{link}> ({link})", Values{Title: "T"}, "T"},
		{"brackets kept around a value", "({source})", sample, "(Reuters)"},
		{"unicode literal", "📰 {title} — {source}", sample, "📰 Quake hits coast — Reuters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := mustTemplate(t, tt.tmpl)
			if got := tmpl.Render(tt.v, MaxContent); got != tt.want {
				t.Errorf("Render = %q, want %q", got, tt.want)
			}
			if tmpl.String() != tt.tmpl || tmpl.Empty() {
				t.Errorf("String() = %q, Empty() = %v", tmpl.String(), tmpl.Empty())
			}
		})
	}
}

func TestParseTemplateErrors(t *testing.T) {
	valid := "valid placeholders are {title} {summary} {link} {source} {author} {published} {mention}"
	tests := []struct{ name, in, want string }{
		{"unknown", "{titel}", "unknown placeholder {titel}; " + valid},
		{"unknown among known", "{title} {url}", "unknown placeholder {url}; " + valid},
		{"non-ASCII name", "{titre}", "unknown placeholder {titre}; " + valid},
		{"double braces", "{{title}}", "write {title} with single braces, not {{title}}"},
		{"empty", "  \n ", "the template is empty"},
		{"too long", strings.Repeat("x", MaxContent+1), "the template is 2001 characters; a message is at most 2000"},
		{"too long in UTF-16", strings.Repeat("😀", MaxContent/2+1), "the template is 2002 characters; a message is at most 2000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTemplate(tt.in)
			if err == nil || err.Error() != tt.want {
				t.Errorf("ParseTemplate(%q) error = %v, want %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestTemplateUses(t *testing.T) {
	tmpl := mustTemplate(t, "{title} <{link}>")
	for name, want := range map[string]bool{"title": true, "{link}": true, "mention": false, "nope": false, "": false} {
		if got := tmpl.Uses(name); got != want {
			t.Errorf("Uses(%q) = %v, want %v", name, got, want)
		}
	}
	if !(Template{}).Empty() || (Template{}).Uses("title") {
		t.Error("the zero Template is not empty")
	}
}

func TestRenderTruncation(t *testing.T) {
	long := strings.Repeat("The harbour was closed again. ", 100) // 3,000 characters
	emoji := strings.Repeat("Alerte 🚨 séisme à Tōkyō. ", 120)
	tests := []struct {
		name, tmpl string
		v          Values
		limit      int
		want       string // the end of the post
		wantStart  string
	}{
		{"summary cut at a sentence, link kept",
			"{mention} **{title}**\n{summary}\n<{link}>", Values{Title: "Harbour", Summary: long, Link: sample.Link, Mention: sample.Mention},
			MaxContent, "closed again. …\n<https://example.com/quake>", "<@&123456789012345678> **Harbour**\n"},
		{"multi-byte summary and emoji",
			"{title}: {summary} ({link})", Values{Title: "Tōkyō", Summary: emoji, Link: sample.Link},
			MaxContent, "Tōkyō. … (https://example.com/quake)", "Tōkyō: Alerte 🚨"},
		{"summary dropped before a tiny stub is left",
			"{title} {summary}", Values{Title: strings.Repeat("word ", 20), Summary: "A long enough summary sentence here."},
			105, "word word", "word"},
		{"title cut when there is no summary",
			"**{title}** <{link}>", Values{Title: strings.Repeat("headline words ", 200), Link: sample.Link},
			MaxContent, "headline words…** <https://example.com/quake>", "**headline"},
		{"whole post cut before the link, not inside it",
			"{source} {author} {link}", Values{Source: strings.Repeat("s", 30), Author: "a", Link: "https://example.com/" + strings.Repeat("p", 40)},
			50, "sss a…", "sss"},
		{"whole post cut before the mention",
			"{author} {mention}", Values{Author: "by Jane Doe and others", Mention: sample.Mention},
			30, "by Jane Doe and others…", "by"},
		{"cut inside a link rather than post nothing",
			"{link}", Values{Link: "https://example.com/" + strings.Repeat("p", 40)},
			20, "https://example.com…", "https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustTemplate(t, tt.tmpl).Render(tt.v, tt.limit)
			if Width(got) > tt.limit {
				t.Errorf("Render is %d wide, over %d", Width(got), tt.limit)
			}
			if !strings.HasSuffix(got, tt.want) || !strings.HasPrefix(got, tt.wantStart) {
				t.Errorf("Render = %q\nwant it to start %q and end %q", got, tt.wantStart, tt.want)
			}
		})
	}
}

func mustTemplate(t testing.TB, s string) Template {
	t.Helper()
	tmpl, err := ParseTemplate(s)
	if err != nil {
		t.Fatalf("ParseTemplate(%q): %v", s, err)
	}
	return tmpl
}
