package discordtest

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"

	"github.com/bwmarrin/discordgo"
)

// Role is a guild role.
type Role struct {
	ID   string
	Name string
	// Mentionable is "Allow anyone to @mention this role": without it only
	// an author with Mention Everyone (or a webhook) pings the role.
	Mentionable bool
	// Managed roles belong to an integration, such as the bot's own role.
	Managed     bool
	Permissions int64
	Color       int
}

// AddRole adds a role to a guild (no permissions); connected shards get a
// GUILD_ROLE_CREATE. Use RoleOpt to pass it in a slash command.
func (s *Server) AddRole(guildID, name string, mentionable bool) Role {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.guilds[guildID]
	if !ok {
		s.t.Fatalf("discordtest: AddRole: unknown guild %s", guildID)
	}
	r := &Role{ID: s.newIDLocked(), Name: name, Mentionable: mentionable}
	g.roles = append(g.roles, r)
	s.broadcastLocked(guildID, "GUILD_ROLE_CREATE", map[string]any{"guild_id": guildID, "role": s.roleJSON(r, len(g.roles)-1)})
	s.notify()
	return *r
}

// Roles returns a guild's roles: @everyone (id = guild id), the bot's
// managed role, then those of AddRole.
func (s *Server) Roles(guildID string) []Role {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.guilds[guildID]
	if !ok {
		return nil
	}
	out := make([]Role, 0, len(g.roles))
	for _, r := range g.roles {
		out = append(out, *r)
	}
	return out
}

// SetBotPermissions sets the permissions of the bot's managed role in a
// guild (BotPermissions by default), for instance
// BotPermissions|discordgo.PermissionMentionEveryone, or
// BotPermissions&^discordgo.PermissionManageWebhooks. Connected shards get a
// GUILD_ROLE_UPDATE; channel overwrites (SetBotOverwrite) still apply.
func (s *Server) SetBotPermissions(guildID string, perms int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.guilds[guildID]
	if !ok {
		s.t.Fatalf("discordtest: SetBotPermissions: unknown guild %s", guildID)
	}
	g.roles[1].Permissions = perms
	s.broadcastLocked(guildID, "GUILD_ROLE_UPDATE", map[string]any{"guild_id": guildID, "role": s.roleJSON(g.roles[1], 1)})
	s.notify()
}

// BotChannelPermissions returns the bot's permissions in a channel or
// thread, as the double checks them.
func (s *Server) BotChannelPermissions(channelID string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.botPermsLocked(s.mustChannel(channelID))
}

func (s *Server) roleJSON(r *Role, position int) map[string]any {
	m := map[string]any{
		"id": r.ID, "name": r.Name, "permissions": strconv.FormatInt(r.Permissions, 10), "position": position,
		"color": r.Color, "hoist": false, "managed": r.Managed, "mentionable": r.Mentionable, "flags": 0,
		"icon": nil, "unicode_emoji": nil, "description": nil,
	}
	if r.Managed && position == 1 {
		m["tags"] = map[string]any{"bot_id": s.BotUserID}
	}
	return m
}

func (s *Server) getRoles(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	g, ok := s.guilds[r.PathValue("guild")]
	var out []map[string]any
	if ok {
		for i, role := range g.roles {
			out = append(out, s.roleJSON(role, i))
		}
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, &apiError{http.StatusNotFound, codeUnknownGuild, "Unknown Guild", nil})
		return
	}
	writeJSON(w, 200, out)
}

func (s *Server) getBotMember(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	g, ok := s.guilds[r.PathValue("guild")]
	var body map[string]any
	if ok {
		body = s.botMemberJSON(g)
	}
	s.mu.Unlock()
	switch {
	case !ok:
		writeError(w, &apiError{http.StatusNotFound, codeUnknownGuild, "Unknown Guild", nil})
	case r.PathValue("user") != "@me" && r.PathValue("user") != s.BotUserID:
		writeError(w, &apiError{http.StatusNotFound, codeUnknownMember, "Unknown Member", nil})
	default:
		writeJSON(w, 200, body)
	}
}

var (
	roleMention     = regexp.MustCompile(`<@&([0-9]+)>`)
	userMention     = regexp.MustCompile(`<@!?([0-9]+)>`)
	everyoneMention = regexp.MustCompile(`@(everyone|here)\b`)
)

// mentionsLocked computes whom m pings: canEveryone is the author's Mention
// Everyone (true for webhooks).
func (s *Server) mentionsLocked(m *Message, canEveryone bool) {
	am := m.AllowedMentions
	allowed := func(kind discordgo.AllowedMentionType, ids []string, id string) bool {
		return am == nil || slices.Contains(am.Parse, kind) || slices.Contains(ids, id)
	}
	m.MentionRoles, m.MentionUsers, m.MentionEveryone = nil, nil, false
	var roles []*Role
	if g := s.guilds[m.GuildID]; g != nil {
		roles = g.roles
	}
	for _, sm := range roleMention.FindAllStringSubmatch(m.Content, -1) {
		id := sm[1]
		if slices.Contains(m.MentionRoles, id) || !allowed(discordgo.AllowedMentionTypeRoles, rolesOf(am), id) {
			continue
		}
		for _, r := range roles[min(1, len(roles)):] { // not @everyone
			if r.ID == id && (r.Mentionable || canEveryone) {
				m.MentionRoles = append(m.MentionRoles, id)
			}
		}
	}
	for _, sm := range userMention.FindAllStringSubmatch(m.Content, -1) {
		id := sm[1]
		if !slices.Contains(m.MentionUsers, id) && allowed(discordgo.AllowedMentionTypeUsers, usersOf(am), id) {
			m.MentionUsers = append(m.MentionUsers, id)
		}
	}
	m.MentionEveryone = canEveryone && everyoneMention.MatchString(m.Content) &&
		(am == nil || slices.Contains(am.Parse, discordgo.AllowedMentionTypeEveryone))
}

func rolesOf(am *discordgo.MessageAllowedMentions) []string {
	if am == nil {
		return nil
	}
	return am.Roles
}

func usersOf(am *discordgo.MessageAllowedMentions) []string {
	if am == nil {
		return nil
	}
	return am.Users
}
