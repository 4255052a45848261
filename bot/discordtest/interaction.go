package discordtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

// InteractionSpec describes an interaction to inject with Server.Interact.
type InteractionSpec struct {
	// Type is discordgo.InteractionApplicationCommand (the default),
	// InteractionApplicationCommandAutocomplete or InteractionMessageComponent.
	Type      discordgo.InteractionType
	GuildID   string
	ChannelID string
	// Command is the name of a registered command (guild commands first,
	// then global ones); Interact fails when no such command is registered.
	Command string
	// Options are the invoked options, nested for subcommands; see
	// StringOpt, IntOpt, RoleOpt, SubCommand and friends. For
	// autocomplete, mark the option being typed with Focused. Channel,
	// role, mentionable (roles) and attachment options are resolved
	// (data.resolved) automatically.
	Options []*discordgo.ApplicationCommandInteractionDataOption
	// UserID and Username of the invoking member (defaults: a fresh id, "member").
	UserID   string
	Username string
	Roles    []string
	// Permissions of the member in the channel; 0 means MemberPermissions.
	// Use NoPermissions for a member with none.
	Permissions int64
	// NoPermissions sends permissions "0".
	NoPermissions bool
	// AppPermissions overrides the bot's permissions in the channel
	// (default: computed from the channel's overwrites).
	AppPermissions int64
	Locale         string // default "en-US"
	// CustomID, ComponentType and MessageID describe a component
	// interaction (Type InteractionMessageComponent) on a message the bot
	// posted (a channel message id).
	CustomID      string
	ComponentType discordgo.ComponentType
	MessageID     string
}

// Callback is the initial response to an interaction.
type Callback struct {
	Type            discordgo.InteractionResponseType
	Content         string
	Embeds          []*discordgo.MessageEmbed
	Flags           discordgo.MessageFlags
	AllowedMentions *discordgo.MessageAllowedMentions
	Choices         []*discordgo.ApplicationCommandOptionChoice // autocomplete result (type 8)
	Title, CustomID string                                      // modal (type 9)
	Files           []File
	Data            json.RawMessage // data as sent
	At              time.Time
}

// Ephemeral reports whether the callback asked for an ephemeral message.
func (c *Callback) Ephemeral() bool { return c.Flags&discordgo.MessageFlagsEphemeral != 0 }

// Interaction is an injected interaction; its methods observe how the bot
// answered it.
type Interaction struct {
	ID        string
	Token     string
	Type      discordgo.InteractionType
	GuildID   string
	ChannelID string
	UserID    string
	// Payload is the INTERACTION_CREATE data as sent over the gateway.
	Payload json.RawMessage

	s         *Server
	created   time.Time
	callback  *Callback
	original  *Message
	followups []*Message
	message   *Message // component interactions: the message clicked
}

// Interact sends an INTERACTION_CREATE over the gateway session of the shard
// that owns spec.GuildID, waiting (up to ctx) for such a session to exist.
func (s *Server) Interact(ctx context.Context, spec InteractionSpec) (*Interaction, error) {
	if spec.Type == 0 {
		spec.Type = discordgo.InteractionApplicationCommand
	}
	var se *session
	err := s.Wait(ctx, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		se = s.sessionForLocked(spec.GuildID)
		return se != nil
	})
	if err != nil {
		return nil, fmt.Errorf("discordtest: no gateway session owns guild %s: %w", spec.GuildID, err)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	se = s.sessionForLocked(spec.GuildID)
	g, ok := s.guilds[spec.GuildID]
	if !ok {
		return nil, fmt.Errorf("discordtest: unknown guild %s", spec.GuildID)
	}
	c, ok := s.channels[spec.ChannelID]
	if !ok || c.guildID != g.ID {
		return nil, fmt.Errorf("discordtest: unknown channel %s in guild %s", spec.ChannelID, g.ID)
	}
	in := &Interaction{ID: s.newIDLocked(), Token: "aW50ZXJhY3Rpb24" + randHex(32), Type: spec.Type,
		GuildID: g.ID, ChannelID: c.id, UserID: spec.UserID, s: s, created: time.Now()}
	if in.UserID == "" {
		in.UserID = s.newIDLocked()
	}
	if spec.Username == "" {
		spec.Username = "member"
	}
	perms := spec.Permissions
	if perms == 0 {
		perms = MemberPermissions
	}
	if spec.NoPermissions {
		perms = 0
	}
	appPerms := spec.AppPermissions
	if appPerms == 0 {
		appPerms = s.botPermsLocked(c)
	}
	locale := spec.Locale
	if locale == "" {
		locale = "en-US"
	}
	roles := spec.Roles
	if roles == nil {
		roles = []string{}
	}
	user := map[string]any{"id": in.UserID, "username": spec.Username, "discriminator": "0",
		"global_name": spec.Username, "avatar": nil, "public_flags": 0}

	var data map[string]any
	switch spec.Type {
	case discordgo.InteractionApplicationCommand, discordgo.InteractionApplicationCommandAutocomplete:
		cmd := s.findCommandLocked(g.ID, spec.Command)
		if cmd == nil {
			return nil, fmt.Errorf("discordtest: command %q is not registered (globally or in guild %s)", spec.Command, g.ID)
		}
		data = map[string]any{"id": cmd.ID, "name": cmd.Name, "type": cmd.Type}
		if cmd.GuildID != "" {
			data["guild_id"] = cmd.GuildID
		}
		if len(spec.Options) > 0 {
			data["options"] = spec.Options
		}
		if res := s.resolveLocked(g.ID, spec.Options, perms); res != nil {
			data["resolved"] = res
		}
	case discordgo.InteractionMessageComponent:
		ct := spec.ComponentType
		if ct == 0 {
			ct = discordgo.ButtonComponent
		}
		data = map[string]any{"custom_id": spec.CustomID, "component_type": ct}
		for _, m := range s.messages[c.id] {
			if m.ID == spec.MessageID {
				in.message = m
			}
		}
		if in.message == nil {
			return nil, fmt.Errorf("discordtest: component interaction: no message %s in channel %s", spec.MessageID, c.id)
		}
	default:
		return nil, fmt.Errorf("discordtest: unsupported interaction type %d", spec.Type)
	}

	body := map[string]any{
		"id": in.ID, "application_id": s.AppID, "type": spec.Type, "data": data, "token": in.Token,
		"version": 1, "guild_id": g.ID, "channel_id": c.id,
		"channel": s.channelJSON(c, true),
		"member": map[string]any{
			"user": user, "roles": roles, "joined_at": time.Now().UTC().Format(time.RFC3339Nano),
			"permissions": strconv.FormatInt(perms, 10), "nick": nil, "avatar": nil, "deaf": false,
			"mute": false, "flags": 0, "pending": false, "premium_since": nil,
			"communication_disabled_until": nil,
		},
		"app_permissions": strconv.FormatInt(appPerms, 10),
		"locale":          locale, "guild_locale": "en-US",
		"entitlements": []any{}, "authorizing_integration_owners": map[string]string{"0": g.ID},
		"context": 0,
	}
	if in.message != nil {
		body["message"] = s.messageJSON(in.message, false)
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("discordtest: %w", err)
	}
	in.Payload = raw
	s.inters[in.Token] = in
	s.dispatchLocked(se, "INTERACTION_CREATE", json.RawMessage(raw))
	s.notify()
	return in, nil
}

func (s *Server) findCommandLocked(guildID, name string) *discordgo.ApplicationCommand {
	for _, scope := range []string{guildID, ""} {
		for _, c := range s.commands[scope] {
			if c.Name == name {
				return c
			}
		}
	}
	return nil
}

// resolveLocked fills data.resolved for channel, role, mentionable and
// attachment options, as Discord does.
func (s *Server) resolveLocked(guildID string, opts []*discordgo.ApplicationCommandInteractionDataOption, perms int64) map[string]any {
	chans := map[string]any{}
	atts := map[string]any{}
	roles := map[string]any{}
	var guildRoles []*Role
	if g := s.guilds[guildID]; g != nil {
		guildRoles = g.roles
	}
	resolveRole := func(id string) bool {
		for i, r := range guildRoles {
			if r.ID == id {
				roles[id] = s.roleJSON(r, i)
				return true
			}
		}
		return false
	}
	var walk func([]*discordgo.ApplicationCommandInteractionDataOption)
	walk = func(opts []*discordgo.ApplicationCommandInteractionDataOption) {
		for _, o := range opts {
			walk(o.Options)
			id, _ := o.Value.(string)
			if o.Focused {
				continue
			}
			switch o.Type {
			case discordgo.ApplicationCommandOptionChannel:
				if c, ok := s.channels[id]; ok {
					ch := map[string]any{"id": c.id, "name": c.name, "type": c.typ,
						"guild_id": c.guildID, "permissions": strconv.FormatInt(perms, 10), "parent_id": nil, "flags": c.flags}
					if c.isThread() {
						th := s.threadJSON(c)
						ch["parent_id"], ch["thread_metadata"] = c.parentID, th["thread_metadata"]
					}
					chans[id] = ch
				}
			case discordgo.ApplicationCommandOptionRole:
				resolveRole(id)
			case discordgo.ApplicationCommandOptionMentionable:
				resolveRole(id) // a user id is left unresolved: the double has no members
			case discordgo.ApplicationCommandOptionAttachment:
				if f, ok := s.files[id]; ok {
					atts[id] = attachmentOf(*f)
				}
			}
		}
	}
	walk(opts)
	res := map[string]any{}
	if len(chans) > 0 {
		res["channels"] = chans
	}
	if len(roles) > 0 {
		res["roles"] = roles
	}
	if len(atts) > 0 {
		res["attachments"] = atts
	}
	if len(res) == 0 {
		return nil
	}
	return res
}

// errExpired reports an interaction that got no callback in time.
var errExpired = errors.New("discordtest: the interaction got no callback within the deadline (Discord shows \"The application did not respond\")")

// Callback returns the initial response, if any.
func (in *Interaction) Callback() (*Callback, bool) {
	in.s.mu.Lock()
	defer in.s.mu.Unlock()
	return in.callback, in.callback != nil
}

// WaitCallback waits for the initial response (interaction callback). It
// fails early once the callback deadline has passed without one.
func (in *Interaction) WaitCallback(ctx context.Context) (*Callback, error) {
	deadline, cancel := context.WithDeadline(ctx, in.created.Add(in.s.cfg.callbackDeadline))
	defer cancel()
	var cb *Callback
	err := in.s.Wait(deadline, func() bool {
		cb, _ = in.Callback()
		return cb != nil
	})
	if err != nil {
		if ctx.Err() == nil {
			return nil, errExpired
		}
		return nil, fmt.Errorf("discordtest: waiting for the callback of %s: %w", in.ID, err)
	}
	return cb, nil
}

// Original returns the original response as it stands.
func (in *Interaction) Original() (Message, bool) {
	in.s.mu.Lock()
	defer in.s.mu.Unlock()
	if in.original == nil {
		return Message{}, false
	}
	return in.original.clone(), true
}

// WaitOriginal waits until the original response exists and cond (nil =
// any) holds for it.
func (in *Interaction) WaitOriginal(ctx context.Context, cond func(Message) bool) (Message, error) {
	var m Message
	err := in.s.Wait(ctx, func() bool {
		var ok bool
		m, ok = in.Original()
		return ok && (cond == nil || cond(m))
	})
	if err != nil {
		return m, fmt.Errorf("discordtest: waiting for the original response of %s (now %+v): %w", in.ID, m, err)
	}
	return m, nil
}

// WaitResponse waits for the bot's visible answer: the message of a type 4
// callback, or a deferred (type 5) response once it has been edited.
func (in *Interaction) WaitResponse(ctx context.Context) (Message, error) {
	if _, err := in.WaitCallback(ctx); err != nil {
		return Message{}, err
	}
	return in.WaitOriginal(ctx, func(m Message) bool { return !m.Deferred })
}

// Followups returns the follow-up messages, oldest first.
func (in *Interaction) Followups() []Message {
	in.s.mu.Lock()
	defer in.s.mu.Unlock()
	out := make([]Message, 0, len(in.followups))
	for _, m := range in.followups {
		out = append(out, m.clone())
	}
	return out
}

// WaitFollowups waits until there are at least n follow-ups.
func (in *Interaction) WaitFollowups(ctx context.Context, n int) ([]Message, error) {
	var ms []Message
	err := in.s.Wait(ctx, func() bool {
		ms = in.Followups()
		return len(ms) >= n
	})
	return ms, err
}

// Option helpers build the options of an InteractionSpec.

// StringOpt is a string option.
func StringOpt(name, value string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionString, Value: value}
}

// IntOpt is an integer option.
func IntOpt(name string, value int64) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionInteger, Value: value}
}

// BoolOpt is a boolean option.
func BoolOpt(name string, value bool) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionBoolean, Value: value}
}

// ChannelOpt is a channel option (resolved automatically).
func ChannelOpt(name, channelID string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionChannel, Value: channelID}
}

// RoleOpt is a role option (type 8), with an id from AddRole or a Guild's
// role ids; data.resolved.roles carries the role, as Discord sends it.
func RoleOpt(name, roleID string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionRole, Value: roleID}
}

// MentionableOpt is a mentionable option (type 9) naming a role or a user;
// a role is resolved like RoleOpt's.
func MentionableOpt(name, id string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionMentionable, Value: id}
}

// AttachmentOpt is an attachment option, with an id from AddAttachment
// (resolved automatically).
func AttachmentOpt(name, attachmentID string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionAttachment, Value: attachmentID}
}

// Focused marks an option as the one being typed (autocomplete); its value
// is the partial text, always a string.
func Focused(o *discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataOption {
	o.Focused = true
	if _, ok := o.Value.(string); !ok {
		o.Value = fmt.Sprint(o.Value)
	}
	return o
}

// SubCommand is a subcommand with its options.
func SubCommand(name string, opts ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionSubCommand, Options: opts}
}

// SubCommandGroup is a group of subcommands.
func SubCommandGroup(name string, sub ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionSubCommandGroup, Options: sub}
}
