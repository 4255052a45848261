package bot

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/bwmarrin/discordgo"

	"newsbot/store"
)

func (b *Bot) latest(ctx context.Context, r *request) (*reply, error) {
	topic := strings.TrimSpace(r.str("topic"))
	count := min(max(r.integer("count", 3), 1), 5)
	if topic == "" {
		return nil, userErrorf("Tell me a topic, such as `/latest topic:elections`.")
	}
	settings, err := b.store.GuildSettings(ctx, r.guildID, b.cfg.DefaultSentences)
	if err != nil {
		return nil, err
	}
	limit := count
	if settings.Stories {
		limit = count * searchPerStory // room for several outlets of each story
	}
	found, err := b.store.SearchArticles(ctx, r.guildID, topic, limit)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", topic, err)
	}
	if len(found) == 0 {
		return &reply{Content: fmt.Sprintf("Nothing on **%s** yet in this server's feeds. Try other words, or add feeds that cover it.", escapeMarkdown(topic))}, nil
	}
	settings.Format = store.FormatEmbed
	settings.ShowStats = false
	rep := &reply{Content: fmt.Sprintf("The latest on **%s**:", escapeMarkdown(topic))}
	for _, g := range groupStories(found, settings.Stories, count) {
		e := render(g.first, "", settings).Embed
		if g.outlets > 1 {
			e.Footer = &discordgo.MessageEmbedFooter{Text: fmt.Sprintf("Covered by %d outlets", g.outlets)}
		}
		rep.Embeds = append(rep.Embeds, e)
	}
	// All embeds of a message share 6,000 characters: fitLimits, on the
	// way out, shortens the summaries evenly to fit.
	return rep, nil
}

func (b *Bot) summarize(ctx context.Context, r *request) (*reply, error) {
	raw, note, err := userURL(r.str("url"))
	if err != nil {
		return nil, err
	}
	settings, err := b.store.GuildSettings(ctx, r.guildID, b.cfg.DefaultSentences)
	if err != nil {
		return nil, fmt.Errorf("summarize: guild settings: %w", err)
	}
	n := min(max(r.integer("sentences", settings.Sentences), 1), 10)
	a, err := b.sources.SummarizeURL(ctx, raw, n)
	if err != nil {
		return nil, withNote(note, fetchError(err))
	}
	settings.Sentences = n
	settings.Format = store.FormatEmbed
	host := ""
	if u, err := url.Parse(a.Link); err == nil {
		host = u.Hostname()
	}
	return &reply{Content: note, Embeds: []*discordgo.MessageEmbed{render(a, host, settings).Embed}}, nil
}

func (b *Bot) settings(ctx context.Context, r *request) (*reply, error) {
	s, err := b.store.GuildSettings(ctx, r.guildID, b.cfg.DefaultSentences)
	if err != nil {
		return nil, err
	}
	changed := false
	if o := r.option("sentences"); o != nil {
		s.Sentences = min(max(int(o.IntValue()), 1), 10)
		changed = true
	}
	if f := r.str("format"); f != "" {
		if f != string(store.FormatEmbed) && f != string(store.FormatText) {
			return nil, userErrorf("Format must be embed or text.")
		}
		s.Format = store.Format(f)
		changed = true
	}
	if v, ok := r.boolean("footer"); ok {
		s.ShowStats = v
		changed = true
	}
	if v, ok := r.boolean("stories"); ok {
		s.Stories = v
		changed = true
	}
	if changed {
		if err := b.store.SaveGuildSettings(ctx, s); err != nil {
			return nil, err
		}
		b.log.Info("settings changed", "guild", r.guildID, "by", r.userID, "sentences", s.Sentences, "format", s.Format, "footer", s.ShowStats, "stories", s.Stories)
	}
	head := "This server's settings:"
	if changed {
		head = "Saved. This server's settings are now:"
	}
	footer := "shown"
	if !s.ShowStats {
		footer = "hidden"
	}
	stories := "on: one post per story, edited as more outlets cover it"
	if !s.Stories {
		stories = "off: every article is posted"
	}
	return &reply{Content: fmt.Sprintf("%s\n• sentences per summary: **%d**\n• format: **%s**\n• footer (\"3 of 41 sentences · 87%% shorter\"): **%s**\n• stories: **%s**",
		head, s.Sentences, s.Format, footer, stories)}, nil
}
