package bot

import "strings"

// markdownEscaper backslash-escapes every character Discord's markdown gives
// meaning to, so feed text shows as written and can't format or link.
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, `*`, `\*`, `_`, `\_`, "`", "\\`", `~`, `\~`, `|`, `\|`,
	`>`, `\>`, `#`, `\#`, `[`, `\[`, `]`, `\]`, `(`, `\(`, `)`, `\)`,
	`-`, `\-`, `@`, "@\u200b", `<`, `\<`, `:`, `\:`,
)

// escapeMarkdown makes untrusted feed text inert: no formatting, no masked
// links, no mentions. The zero-width space after @ breaks @everyone and @here
// even where a client ignores allowed_mentions; we send those too.
func escapeMarkdown(s string) string {
	return markdownEscaper.Replace(s)
}

// truncate cuts s to at most n runes on a word boundary when it can,
// adding an ellipsis; it never splits a rune.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n <= 1 {
		return string(r[:n])
	}
	cut := string(r[:n-1])
	if i := strings.LastIndexAny(cut, " \n"); i > len(cut)/2 {
		cut = cut[:i]
	}
	// An escape backslash left dangling at the end would eat the ellipsis.
	for strings.HasSuffix(cut, `\`) && !strings.HasSuffix(cut, `\\`) {
		cut = cut[:len(cut)-1]
	}
	return strings.TrimRight(cut, " \n") + "…"
}
