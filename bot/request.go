package bot

import (
	"bytes"
	"context"
	"errors"

	"github.com/bwmarrin/discordgo"

	"newsbot/store"
)

// request is one slash command as the handlers see it.
type request struct {
	s         *discordgo.Session
	ic        *discordgo.InteractionCreate
	guildID   string
	channelID string
	userID    string
	sub       string // subcommand name, if any
}

func newRequest(s *discordgo.Session, ic *discordgo.InteractionCreate) *request {
	r := &request{s: s, ic: ic, guildID: ic.GuildID, channelID: ic.ChannelID}
	switch {
	case ic.Member != nil && ic.Member.User != nil:
		r.userID = ic.Member.User.ID
	case ic.User != nil:
		r.userID = ic.User.ID
	}
	return r
}

// canManage reports whether the member has Manage Server (or is an
// administrator). Discord computes member.permissions on its side, including
// channel overwrites, so this is the server-side check.
func (r *request) canManage() bool {
	if r.ic.Member == nil {
		return false
	}
	p := r.ic.Member.Permissions
	return p&discordgo.PermissionManageGuild != 0 || p&discordgo.PermissionAdministrator != 0
}

// options returns the options of the command, or of its subcommand.
func (r *request) options() []*discordgo.ApplicationCommandInteractionDataOption {
	opts := r.ic.ApplicationCommandData().Options
	if r.sub != "" && len(opts) > 0 {
		return opts[0].Options
	}
	return opts
}

func (r *request) option(name string) *discordgo.ApplicationCommandInteractionDataOption {
	for _, o := range r.options() {
		if o.Name == name {
			return o
		}
	}
	return nil
}

func (r *request) str(name string) string {
	if o := r.option(name); o != nil && o.Type == discordgo.ApplicationCommandOptionString {
		return o.StringValue()
	}
	return ""
}

func (r *request) integer(name string, def int) int {
	if o := r.option(name); o != nil && o.Type == discordgo.ApplicationCommandOptionInteger {
		return int(o.IntValue())
	}
	return def
}

func (r *request) boolean(name string) (value, ok bool) {
	if o := r.option(name); o != nil && o.Type == discordgo.ApplicationCommandOptionBoolean {
		return o.BoolValue(), true
	}
	return false, false
}

// focused returns the option the member is typing, for autocomplete.
func (r *request) focused() string {
	for _, o := range r.options() {
		if o.Focused {
			if v, ok := o.Value.(string); ok {
				return v
			}
		}
	}
	return ""
}

// reply is what a command answers.
type reply struct {
	Content   string
	Embeds    []*discordgo.MessageEmbed
	File      *discordgo.File
	Ephemeral bool
}

func (rep *reply) flags() discordgo.MessageFlags {
	if rep.Ephemeral {
		return discordgo.MessageFlagsEphemeral
	}
	return 0
}

func (b *Bot) respondNow(s *discordgo.Session, ic *discordgo.InteractionCreate, rep *reply) error {
	data := &discordgo.InteractionResponseData{
		Content: rep.Content, Embeds: rep.Embeds, Flags: rep.flags(), AllowedMentions: noMentions,
	}
	if rep.File != nil {
		data.Files = []*discordgo.File{rep.File}
	}
	return s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource, Data: data,
	})
}

// deferReply acknowledges the command at once ("newsbot is thinking…"); the
// answer is edited in later, however long fetching takes.
func (b *Bot) deferReply(s *discordgo.Session, ic *discordgo.InteractionCreate, ephemeral bool) error {
	var flags discordgo.MessageFlags
	if ephemeral {
		flags = discordgo.MessageFlagsEphemeral
	}
	return s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: flags},
	})
}

func (b *Bot) editReply(s *discordgo.Session, ic *discordgo.InteractionCreate, rep *reply) error {
	content := rep.Content
	embeds := rep.Embeds
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	edit := &discordgo.WebhookEdit{Content: &content, Embeds: &embeds, AllowedMentions: noMentions}
	if rep.File != nil {
		edit.Files = []*discordgo.File{rep.File}
	}
	_, err := s.InteractionResponseEdit(ic.Interaction, edit)
	return err
}

// userMessage turns an error from a command into a sentence for the member.
func userMessage(err error) string {
	var ue userError
	switch {
	case errors.As(err, &ue):
		return ue.msg
	case errors.Is(err, store.ErrConflict):
		return "That channel is already subscribed to this feed."
	case errors.Is(err, store.ErrNotFound):
		return "I couldn't find that on this server."
	case errors.Is(err, context.DeadlineExceeded):
		return "That took too long; please try again in a moment."
	}
	return "Something went wrong on my side; the operator can find the details in the bot's log."
}

func fileReply(name, contentType string, data []byte) *discordgo.File {
	return &discordgo.File{Name: name, ContentType: contentType, Reader: bytes.NewReader(data)}
}
