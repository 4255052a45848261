package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"

	"newsbot/store"
)

// replyWindow is how long after a command its reply can still be edited.
// Discord's interaction tokens last 15 minutes; the margin covers clock
// differences and the edit's own round trip.
const replyWindow = 14 * time.Minute

// request is one slash command as the handlers see it.
type request struct {
	s         *discordgo.Session
	ic        *discordgo.InteractionCreate
	guildID   string
	channelID string
	userID    string
	sub       string    // subcommand name, if any
	name      string    // the command as typed, e.g. "feed import"
	received  time.Time // when the interaction arrived, by the bot's clock
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
	// PostIfLate: when the command outlasts the reply window (a large
	// /feed import), post the answer in the command's channel, mentioning
	// the member, instead of dropping it.
	PostIfLate bool
}

func (rep *reply) flags() discordgo.MessageFlags {
	if rep.Ephemeral {
		return discordgo.MessageFlagsEphemeral
	}
	return 0
}

func (b *Bot) respondNow(s *discordgo.Session, ic *discordgo.InteractionCreate, rep *reply) error {
	content, embeds := fitLimits(rep.Content, rep.Embeds)
	data := &discordgo.InteractionResponseData{
		Content: content, Embeds: embeds, Flags: rep.flags(), AllowedMentions: noMentions,
	}
	if rep.File != nil {
		data.Files = []*discordgo.File{rep.File}
	}
	err := s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource, Data: data,
	})
	if err != nil {
		return fmt.Errorf("answer the interaction: %w", err)
	}
	return nil
}

// deferReply acknowledges the command at once ("newsbot is thinking…"); the
// answer is edited in later, however long fetching takes.
func (b *Bot) deferReply(s *discordgo.Session, ic *discordgo.InteractionCreate, ephemeral bool) error {
	var flags discordgo.MessageFlags
	if ephemeral {
		flags = discordgo.MessageFlagsEphemeral
	}
	err := s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: flags},
	})
	if err != nil {
		return fmt.Errorf("defer the answer: %w", err)
	}
	return nil
}

func (b *Bot) editReply(s *discordgo.Session, ic *discordgo.InteractionCreate, rep *reply) error {
	content, embeds := fitLimits(rep.Content, rep.Embeds)
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	edit := &discordgo.WebhookEdit{Content: &content, Embeds: &embeds, AllowedMentions: noMentions}
	if rep.File != nil {
		edit.Files = []*discordgo.File{rep.File}
	}
	if _, err := s.InteractionResponseEdit(ic.Interaction, edit); err != nil {
		return fmt.Errorf("edit the answer: %w", err)
	}
	return nil
}

// errTooLate: the answer came after the reply window and was not meant for
// the channel; only the log has it.
var errTooLate = errors.New("the answer came after Discord's 15 minutes for editing the reply")

// finish delivers a deferred command's answer: as the edit of its reply
// while the interaction token lasts, afterwards (PostIfLate) as a message in
// the command's channel that mentions the member.
func (b *Bot) finish(r *request, rep *reply) error {
	if b.now().Sub(r.received) >= replyWindow {
		if !rep.PostIfLate {
			return errTooLate
		}
		return b.postLate(r, rep)
	}
	err := b.editReply(r.s, r.ic, rep)
	var rest *discordgo.RESTError
	if errors.As(err, &rest) && rest.Response != nil && rest.Response.StatusCode == http.StatusBadRequest {
		// Discord refused the answer itself. Never leave the member on
		// "thinking…": say so in a message it can't refuse.
		if err2 := b.editReply(r.s, r.ic, &reply{Content: "I couldn't show the answer: Discord refused it. The operator can find the details in the bot's log."}); err2 != nil {
			return errors.Join(err, err2)
		}
	}
	return err
}

// postLate posts an answer that outlasted the reply window in the
// command's channel. The member is mentioned (and only them) so they hear of
// it; the channel is the one the command ran in, where the bot was checked
// to be allowed to post.
func (b *Bot) postLate(r *request, rep *reply) error {
	text := fmt.Sprintf("<@%s> your `/%s` has finished:\n%s", r.userID, r.name, rep.Content)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(b.ctx), 30*time.Second)
	defer cancel()
	_, err := sessionPoster{r.s}.post(ctx, r.channelID, message{Content: text, MentionUsers: []string{r.userID}}, "")
	if err != nil {
		return fmt.Errorf("post the late answer: %w", err)
	}
	return nil
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
