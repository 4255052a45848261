package bot

import (
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
	"golang.org/x/net/idna"
)

// Discord's limits on one message
// (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
// Lengths are counted in characters (code points), as Discord counts them.
const (
	maxContent     = 2000
	maxEmbeds      = 10
	maxTitle       = 256
	maxDescription = 4096
	maxFields      = 25
	maxFieldName   = 256
	maxFieldValue  = 1024
	maxFooter      = 2048
	maxAuthorName  = 256
	// maxEmbedsTotal is shared by the title, description, field names and
	// values, footer text and author name of all embeds of a message.
	maxEmbedsTotal = 6000
	// maxURL is the longest URL an embed field takes, measured in the
	// ASCII form Discord stores (punycode host, percent-encoded rest).
	maxURL = 2048
)

// fitLimits is the one gate every reply and post goes through on its way to
// Discord: it returns content and embeds trimmed to Discord's limits. A
// message over any limit is refused whole (400), which left members on
// "thinking…" and posts undelivered, so this trims instead of failing: text
// is cut on a word boundary with an ellipsis, and a URL too long to send is
// dropped (a cut URL would link somewhere else). Embeds are copied, never
// changed in place.
func fitLimits(content string, embeds []*discordgo.MessageEmbed) (string, []*discordgo.MessageEmbed) {
	content = truncate(content, maxContent)
	if embeds == nil {
		return content, nil
	}
	out := make([]*discordgo.MessageEmbed, 0, min(len(embeds), maxEmbeds))
	for _, e := range embeds {
		if e == nil {
			continue
		}
		if len(out) == maxEmbeds {
			break
		}
		out = append(out, fitEmbed(e))
	}
	fitTotal(out)
	return content, out
}

// fitEmbed copies e within the limits of one embed.
func fitEmbed(src *discordgo.MessageEmbed) *discordgo.MessageEmbed {
	e := *src
	e.Title = truncate(e.Title, maxTitle)
	e.Description = truncate(e.Description, maxDescription)
	e.URL = fitURL(e.URL)
	if a := src.Author; a != nil {
		c := *a
		c.Name = truncate(c.Name, maxAuthorName)
		c.URL, c.IconURL = fitURL(c.URL), fitURL(c.IconURL)
		e.Author = &c
		if c.Name == "" { // Discord requires the name of an author
			e.Author = nil
		}
	}
	if f := src.Footer; f != nil {
		c := *f
		c.Text = truncate(c.Text, maxFooter)
		c.IconURL = fitURL(c.IconURL)
		e.Footer = &c
		if c.Text == "" { // and the text of a footer
			e.Footer = nil
		}
	}
	if img := src.Image; img != nil {
		c := *img
		c.URL = fitURL(c.URL)
		e.Image = &c
		if c.URL == "" {
			e.Image = nil
		}
	}
	if th := src.Thumbnail; th != nil {
		c := *th
		c.URL = fitURL(c.URL)
		e.Thumbnail = &c
		if c.URL == "" {
			e.Thumbnail = nil
		}
	}
	e.Fields = nil
	for _, f := range src.Fields {
		if f == nil || len(e.Fields) == maxFields {
			continue
		}
		c := *f
		c.Name, c.Value = truncate(c.Name, maxFieldName), truncate(c.Value, maxFieldValue)
		if c.Name != "" && c.Value != "" { // both required
			e.Fields = append(e.Fields, &c)
		}
	}
	return &e
}

// fitTotal trims the embeds (already copies) to 6,000 characters together.
// Descriptions give way first, all shrinking to the same length so five
// /latest results stay alike; then field values, footers, author names,
// field names and, last, titles.
func fitTotal(embeds []*discordgo.MessageEmbed) {
	groups := []func(e *discordgo.MessageEmbed) []*string{
		func(e *discordgo.MessageEmbed) []*string { return []*string{&e.Description} },
		func(e *discordgo.MessageEmbed) []*string {
			var s []*string
			for _, f := range e.Fields {
				s = append(s, &f.Value)
			}
			return s
		},
		func(e *discordgo.MessageEmbed) []*string {
			if e.Footer == nil {
				return nil
			}
			return []*string{&e.Footer.Text}
		},
		func(e *discordgo.MessageEmbed) []*string {
			if e.Author == nil {
				return nil
			}
			return []*string{&e.Author.Name}
		},
		func(e *discordgo.MessageEmbed) []*string {
			var s []*string
			for _, f := range e.Fields {
				s = append(s, &f.Name)
			}
			return s
		},
		func(e *discordgo.MessageEmbed) []*string { return []*string{&e.Title} },
	}
	for _, group := range groups {
		excess := embedsLength(embeds) - maxEmbedsTotal
		if excess <= 0 {
			break
		}
		var slots []*string
		for _, e := range embeds {
			slots = append(slots, group(e)...)
		}
		shrinkEvenly(slots, excess)
		dropEmptyParts(embeds)
	}
}

// embedsLength is what Discord counts against the 6,000 of a message.
func embedsLength(embeds []*discordgo.MessageEmbed) int {
	n := 0
	for _, e := range embeds {
		n += utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Description)
		for _, f := range e.Fields {
			n += utf8.RuneCountInString(f.Name) + utf8.RuneCountInString(f.Value)
		}
		if e.Footer != nil {
			n += utf8.RuneCountInString(e.Footer.Text)
		}
		if e.Author != nil {
			n += utf8.RuneCountInString(e.Author.Name)
		}
	}
	return n
}

// shrinkEvenly cuts the longest texts first, to one common cap, until at
// least excess characters are gone (or all are empty).
func shrinkEvenly(slots []*string, excess int) {
	lens := make([]int, len(slots))
	sum, longest := 0, 0
	for i, s := range slots {
		lens[i] = utf8.RuneCountInString(*s)
		sum += lens[i]
		longest = max(longest, lens[i])
	}
	target := sum - excess
	within := func(c int) bool {
		n := 0
		for _, l := range lens {
			n += min(l, c)
		}
		return n <= target
	}
	// The largest cap that removes enough; 0 when nothing short of
	// emptying them all does.
	lo, hi := 0, longest
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if within(mid) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	for i, s := range slots {
		if lens[i] > lo {
			*s = truncate(*s, lo)
		}
	}
}

// dropEmptyParts removes the parts Discord refuses when empty, which
// shrinking may have emptied.
func dropEmptyParts(embeds []*discordgo.MessageEmbed) {
	for _, e := range embeds {
		if e.Footer != nil && e.Footer.Text == "" {
			e.Footer = nil
		}
		if e.Author != nil && e.Author.Name == "" {
			e.Author = nil
		}
		kept := e.Fields[:0]
		for _, f := range e.Fields {
			if f.Name != "" && f.Value != "" {
				kept = append(kept, f)
			}
		}
		e.Fields = kept
	}
}

// fitURL returns u in the form Discord measures and stores (an IDN host in
// punycode, non-ASCII bytes elsewhere percent-encoded), or "" when that is
// over Discord's 2,048 characters, or is not an absolute http(s) URL.
func fitURL(u string) string {
	if u == "" {
		return ""
	}
	if strings.HasPrefix(u, "attachment://") {
		return u
	}
	ascii, ok := asciiURL(u)
	if !ok || len(ascii) > maxURL {
		return ""
	}
	return ascii
}

// asciiURL is u with its host in punycode and every non-ASCII byte
// percent-encoded; an ASCII URL comes back as it was.
func asciiURL(u string) (string, bool) {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return "", false
	}
	if isASCII(u) {
		return u, true
	}
	host, err := idna.Lookup.ToASCII(p.Hostname())
	if err != nil {
		return "", false
	}
	if port := p.Port(); port != "" {
		host += ":" + port
	}
	p.Host = host
	// String escapes a non-ASCII path; the query and fragment are kept as
	// given, so escape what is left byte by byte.
	return escapeNonASCII(p.String()), true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func escapeNonASCII(s string) string {
	if isASCII(s) {
		return s
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < utf8.RuneSelf {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
