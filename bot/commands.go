package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/bwmarrin/discordgo"

	"newsbot/feeds"
)

// handler runs one slash command (or subcommand) and returns the reply.
// Errors it returns are shown to the user as an ephemeral message, so they
// must read as sentences (see userError).
type handler func(ctx context.Context, r *request) (*reply, error)

// command is one slash command declared as data: the same list builds the
// registration sent to Discord and the dispatch table, so they can't drift.
type command struct {
	def *discordgo.ApplicationCommand
	// run handles a command without subcommands; sub handles each subcommand.
	run handler
	sub map[string]handler
	// admin commands need Manage Server; checked here too, not only by Discord.
	admin bool
	// defer: the command fetches or may be slow, so acknowledge first and
	// edit the answer in, within Discord's 3-second limit.
	deferred bool
	// ephemeral replies are seen only by the member who ran the command.
	ephemeral    bool
	autocomplete func(ctx context.Context, r *request) []*discordgo.ApplicationCommandOptionChoice
	// timeout bounds the command: 0 means commandTimeout; negative, none
	// but shutdown (the command bounds its own steps).
	timeout time.Duration
}

// commandTimeout bounds a command's work; its reply can be edited for
// longer (replyWindow), so a slow site ends in a message, not silence.
const commandTimeout = 2 * time.Minute

var manageGuild = int64(discordgo.PermissionManageGuild)

// guildOnly keeps every command out of DMs: they all act on a server's data.
var guildOnly = &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild}

// commands builds the bot's slash commands.
func (b *Bot) commands() []*command {
	// Discord's min_value is a pointer so that 0 can be told from unset.
	minOne := float64(1)
	feed := &command{
		admin: true, deferred: true, ephemeral: true,
		def: &discordgo.ApplicationCommand{
			Name: "feed", Description: "Manage this server's news feeds",
			DefaultMemberPermissions: &manageGuild, Contexts: guildOnly,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "add", Description: "Subscribe a channel to a feed or a website",
					Options: []*discordgo.ApplicationCommandOption{
						{Type: discordgo.ApplicationCommandOptionString, Name: "url", Description: "Feed or website URL", Required: true, MaxLength: 2000},
						{Type: discordgo.ApplicationCommandOptionChannel, Name: "channel", Description: "Where to post (default: this channel)",
							ChannelTypes: []discordgo.ChannelType{discordgo.ChannelTypeGuildText, discordgo.ChannelTypeGuildNews, discordgo.ChannelTypeGuildForum}},
					}},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "remove", Description: "Unsubscribe a feed",
					Options: []*discordgo.ApplicationCommandOption{
						{Type: discordgo.ApplicationCommandOptionString, Name: "feed", Description: "The subscription to remove", Required: true, Autocomplete: true},
					}},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "list", Description: "This server's subscriptions and their health"},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "preview", Description: "Show how posts from a feed would look, without subscribing",
					Options: []*discordgo.ApplicationCommandOption{
						{Type: discordgo.ApplicationCommandOptionString, Name: "url", Description: "Feed or website URL", Required: true, MaxLength: 2000},
					}},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "import", Description: "Subscribe this channel to every feed in an OPML file",
					Options: []*discordgo.ApplicationCommandOption{
						{Type: discordgo.ApplicationCommandOptionAttachment, Name: "file", Description: "An OPML file exported from a feed reader", Required: true},
					}},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "export", Description: "Download this server's feeds as an OPML file"},
			},
		},
		sub: map[string]handler{
			"add": b.feedAdd, "remove": b.feedRemove, "list": b.feedList,
			"preview": b.feedPreview, "import": b.feedImport, "export": b.feedExport,
		},
		autocomplete: b.feedAutocomplete,
		// /feed import bounds each feed instead: it finishes every feed
		// it accepted, however long the whole file takes.
		timeout: -1,
	}
	b.addRuleCommands(feed)
	latest := &command{
		deferred: true,
		def: &discordgo.ApplicationCommand{
			Name: "latest", Description: "The freshest summaries on a topic from this server's feeds", Contexts: guildOnly,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "topic", Description: "Words to look for", Required: true, MaxLength: 200},
				{Type: discordgo.ApplicationCommandOptionInteger, Name: "count", Description: "How many articles (1-5)", MinValue: &minOne, MaxValue: 5},
			},
		},
		run: b.latest,
	}
	summarizeCmd := &command{
		deferred: true,
		def: &discordgo.ApplicationCommand{
			Name: "summarize", Description: "Summarize any article", Contexts: guildOnly,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "url", Description: "The article's URL", Required: true, MaxLength: 2000},
				{Type: discordgo.ApplicationCommandOptionInteger, Name: "sentences", Description: "Summary length (1-10)", MinValue: &minOne, MaxValue: 10},
			},
		},
		run: b.summarize,
	}
	settings := &command{
		admin: true, ephemeral: true,
		def: &discordgo.ApplicationCommand{
			Name: "settings", Description: "This server's defaults for posts", DefaultMemberPermissions: &manageGuild, Contexts: guildOnly,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionInteger, Name: "sentences", Description: "Sentences per summary (1-10)", MinValue: &minOne, MaxValue: 10},
				{Type: discordgo.ApplicationCommandOptionString, Name: "format", Description: "Post as embeds or plain text",
					Choices: []*discordgo.ApplicationCommandOptionChoice{{Name: "embed", Value: "embed"}, {Name: "text", Value: "text"}}},
				{Type: discordgo.ApplicationCommandOptionBoolean, Name: "footer", Description: "Show the \"3 of 41 sentences · 87% shorter\" line"},
				{Type: discordgo.ApplicationCommandOptionBoolean, Name: "stories", Description: "One post per story, listing every outlet that covers it"},
			},
		},
		run: b.settings,
	}
	top := &command{
		def: &discordgo.ApplicationCommand{
			Name: "top", Description: "The stories most of this server's feeds are covering", Contexts: guildOnly,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionInteger, Name: "hours", Description: "How many hours back to look (1-72); default 24", MinValue: &minOne, MaxValue: 72},
			},
		},
		run: b.top,
	}
	return []*command{feed, latest, summarizeCmd, settings, top}
}

// definitions is what the bulk overwrite registers.
func definitions(cmds []*command) []*discordgo.ApplicationCommand {
	defs := make([]*discordgo.ApplicationCommand, len(cmds))
	for i, c := range cmds {
		defs[i] = c.def
	}
	return defs
}

// onInteraction is the one gateway handler for interactions. discordgo runs
// it in its own goroutine; a panic here would kill the process, so recover.
func (b *Bot) onInteraction(s *discordgo.Session, ic *discordgo.InteractionCreate) {
	defer func() {
		if p := recover(); p != nil {
			b.log.Error("command panicked", "panic", p, "stack", string(debug.Stack()))
		}
	}()
	switch ic.Type {
	case discordgo.InteractionApplicationCommand:
		b.dispatch(b.ctx, s, ic)
	case discordgo.InteractionApplicationCommandAutocomplete:
		ctx, cancel := context.WithTimeout(b.ctx, commandTimeout)
		defer cancel()
		b.autocomplete(ctx, s, ic)
	}
}

func (b *Bot) dispatch(ctx context.Context, s *discordgo.Session, ic *discordgo.InteractionCreate) {
	start := time.Now()
	data := ic.ApplicationCommandData()
	cmd, ok := b.byName[data.Name]
	if !ok {
		b.respondNow(s, ic, &reply{Content: "I don't know that command any more; it may take a minute for Discord to update the list.", Ephemeral: true})
		return
	}
	r := newRequest(s, ic)
	r.received = b.now()
	name, run := data.Name, cmd.run
	if cmd.sub != nil {
		r.sub = subcommand(data.Options)
		name += " " + r.sub
		run = cmd.sub[r.sub]
	}
	r.name = name
	log := b.log.With("command", name, "guild", r.guildID, "user", r.userID)
	if ic.GuildID == "" {
		b.respondNow(s, ic, &reply{Content: "These commands work in servers only.", Ephemeral: true})
		return
	}
	if cmd.admin && !r.canManage() {
		// Discord hides admin commands by default, but that default can be
		// changed per server and clients can't be trusted: check here too.
		log.Info("refused: missing Manage Server")
		b.respondNow(s, ic, &reply{Content: "You need the **Manage Server** permission to use `/" + name + "`.", Ephemeral: true})
		b.metrics.command(name, "forbidden", time.Since(start))
		return
	}
	if run == nil {
		b.respondNow(s, ic, &reply{Content: "Unknown subcommand.", Ephemeral: true})
		return
	}
	if cmd.deferred {
		if err := b.deferReply(s, ic, cmd.ephemeral); err != nil {
			log.Warn("could not acknowledge the command", "err", err)
			return
		}
	}
	timeout := cmd.timeout
	if timeout == 0 {
		timeout = commandTimeout
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	rep, err := run(ctx, r)
	result := "ok"
	if err != nil {
		result = "error"
		rep = &reply{Content: userMessage(err), Ephemeral: true}
		log.Info("command failed", "err", err)
	}
	rep.Ephemeral = rep.Ephemeral || cmd.ephemeral
	if cmd.deferred {
		err = b.finish(r, rep)
	} else {
		err = b.respondNow(s, ic, rep)
	}
	if err != nil {
		log.Warn("could not send the reply", "err", err)
		result = "reply-error"
	}
	b.metrics.command(name, result, time.Since(start))
	log.Debug("command done", slog.Duration("took", time.Since(start)), "result", result)
}

func (b *Bot) autocomplete(ctx context.Context, s *discordgo.Session, ic *discordgo.InteractionCreate) {
	data := ic.ApplicationCommandData()
	cmd, ok := b.byName[data.Name]
	if !ok || cmd.autocomplete == nil || ic.GuildID == "" {
		return
	}
	r := newRequest(s, ic)
	if cmd.sub != nil {
		r.sub = subcommand(data.Options)
	}
	var choices []*discordgo.ApplicationCommandOptionChoice
	if !cmd.admin || r.canManage() {
		choices = cmd.autocomplete(ctx, r)
	}
	if choices == nil {
		choices = []*discordgo.ApplicationCommandOptionChoice{}
	}
	err := s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
		Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices},
	}, discordgo.WithContext(ctx))
	if err != nil {
		b.log.Debug("autocomplete reply", "err", err)
	}
}

// subcommand returns the name of the chosen subcommand.
func subcommand(opts []*discordgo.ApplicationCommandInteractionDataOption) string {
	if len(opts) > 0 && opts[0].Type == discordgo.ApplicationCommandOptionSubCommand {
		return opts[0].Name
	}
	return ""
}

// userError is an error whose text is meant for the member who ran the
// command; cause, if any, is what the log shows.
type userError struct {
	msg   string
	cause error
}

func (e userError) Error() string {
	if e.cause != nil {
		return e.msg + ": " + e.cause.Error()
	}
	return e.msg
}

func (e userError) Unwrap() error { return e.cause }

// isUserError reports whether err already explains itself to the member.
func isUserError(err error) bool {
	var ue userError
	return errors.As(err, &ue)
}

func userErrorf(format string, args ...any) error {
	return userError{msg: fmt.Sprintf(format, args...)}
}

// fetchError explains a failure to fetch a feed or page in the member's terms.
func fetchError(err error) error {
	if err == nil {
		return nil
	}
	return userError{msg: feeds.Message(err), cause: err}
}
