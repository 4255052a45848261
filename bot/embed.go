package bot

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"newsbot/store"
)

// message is what the deliverer and the commands send: either an embed or
// plain text, never both, with mentions disabled (but for MentionUsers).
type message struct {
	Content string
	Embed   *discordgo.MessageEmbed
	// MentionUsers and MentionRoles may be pinged by the message; nobody
	// else ever is.
	MentionUsers []string
	MentionRoles []string
}

// render turns an article into a post as the guild's settings want it.
func render(a store.Article, source string, s store.GuildSettings) message {
	sents := pickSentences(a, s.Sentences)
	// An item with no text at all posts its headline and link alone.
	summary := strings.Join(sents, " ")
	a.Summary = sents // the footer counts what is shown
	if s.Format == store.FormatText {
		return message{Content: renderText(a, source, summary, s)}
	}
	return message{Embed: renderEmbed(a, source, summary, s)}
}

func renderEmbed(a store.Article, source, summary string, s store.GuildSettings) *discordgo.MessageEmbed {
	e := &discordgo.MessageEmbed{
		Type:        discordgo.EmbedTypeRich,
		Title:       truncate(escapeMarkdown(orUntitled(a.Title)), maxTitle),
		URL:         safeURL(a.Link),
		Description: truncate(escapeMarkdown(summary), maxDescription),
		Color:       0x2b6cb0,
	}
	if source != "" {
		e.Author = &discordgo.MessageEmbedAuthor{Name: truncate(source, maxAuthorName)}
	}
	if author := strings.TrimSpace(a.Author); author != "" {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{
			Name: "Author", Value: truncate(escapeMarkdown(author), maxAuthorName), Inline: true,
		})
	}
	if !a.Published.IsZero() {
		e.Timestamp = a.Published.UTC().Format(time.RFC3339)
	}
	if img := safeURL(a.ImageURL); img != "" {
		e.Image = &discordgo.MessageEmbedImage{URL: img}
	}
	if s.ShowStats {
		if f := statsLine(a); f != "" {
			e.Footer = &discordgo.MessageEmbedFooter{Text: f}
		}
	}
	return e
}

func renderText(a store.Article, source, summary string, s store.GuildSettings) string {
	var b strings.Builder
	b.WriteString("**" + escapeMarkdown(orUntitled(a.Title)) + "**")
	if source != "" {
		b.WriteString(" · " + escapeMarkdown(source))
	}
	if author := strings.TrimSpace(a.Author); author != "" {
		b.WriteString(" · by " + escapeMarkdown(author))
	}
	tail := ""
	if link := safeURL(a.Link); link != "" {
		tail = "\n<" + link + ">" // angle brackets: no link preview under our post
	}
	if s.ShowStats {
		if f := statsLine(a); f != "" {
			tail += "\n-# " + f
		}
	}
	head := b.String() + "\n"
	if summary == "" {
		head = b.String()
	}
	room := maxContent - len([]rune(head)) - len([]rune(tail))
	if room < 1 {
		return truncate(head+tail, maxContent)
	}
	return head + truncate(escapeMarkdown(summary), room) + tail
}

// pickSentences returns the article's best n sentences in article order:
// any length from 1 to store.MaxRanked, more than the bot's default
// included, from the ranking stored with the article.
func pickSentences(a store.Article, n int) []string {
	if n <= 0 {
		return a.Summary
	}
	return a.Best(n)
}

// statsLine is the footer, e.g. "3 of 41 sentences · 87% shorter", counting
// the sentences shown (a.Summary as render sets it).
func statsLine(a store.Article) string {
	if a.SentencesTotal == 0 || a.WordsBefore == 0 {
		return ""
	}
	kept, words := len(a.Summary), 0
	for _, s := range a.Summary {
		words += len(strings.Fields(s))
	}
	line := fmt.Sprintf("%d of %d sentences", kept, max(a.SentencesTotal, kept))
	if words < a.WordsBefore {
		line += fmt.Sprintf(" · %d%% shorter", 100-words*100/a.WordsBefore)
	}
	return line
}

func orUntitled(t string) string {
	if t = strings.TrimSpace(t); t == "" {
		return "(untitled)"
	}
	return t
}

// safeURL returns u only if it is an absolute http(s) URL, in the form
// fitLimits sends (see fitURL); Discord rejects the whole message for a bad
// embed URL, and other schemes have no business in a post. Rendering the
// final form here keeps a post equal to what was sent, which is how an
// unrecorded earlier post is recognised.
func safeURL(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return fitURL(p.String())
}
