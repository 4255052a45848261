package discordtest

import (
	"testing"

	"github.com/bwmarrin/discordgo"
)

func TestRolesAndMentions(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	s := New(t)
	g := s.AddGuild("g")
	ch := s.AddChannel(g.ID, "news")
	c := newClient(t, s, s.Token, 0, 1)
	roleCreated := make(chan *discordgo.GuildRoleCreate, 10)
	c.AddHandler(func(_ *discordgo.Session, e *discordgo.GuildRoleCreate) { roleCreated <- e })
	c.open(t)
	recv(t, ctx, c.guilds)

	breaking := s.AddRole(g.ID, "breaking", true)
	staff := s.AddRole(g.ID, "staff", false)
	recv(t, ctx, roleCreated)
	recv(t, ctx, roleCreated)
	if r, err := c.State.Role(g.ID, staff.ID); err != nil || r.Mentionable || r.Name != "staff" {
		t.Fatalf("state role %+v, %v", r, err)
	}
	roles, err := c.GuildRoles(g.ID)
	if err != nil || len(roles) != 4 || roles[0].ID != g.EveryoneRoleID || !roles[1].Managed || roles[2].ID != breaking.ID || !roles[2].Mentionable {
		t.Fatalf("GET roles = %+v, %v", roles, err)
	}
	if rs := s.Roles(g.ID); len(rs) != 4 || rs[3].ID != staff.ID {
		t.Fatalf("Roles %+v", rs)
	}

	// A slash command with a role option: resolved.roles carries it.
	if _, err := c.ApplicationCommandBulkOverwrite(s.AppID, g.ID, []*discordgo.ApplicationCommand{{Name: "feed", Description: "Feeds",
		Options: []*discordgo.ApplicationCommandOption{{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "edit", Description: "Edit",
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "feed", Description: "Feed", Required: true},
				{Type: discordgo.ApplicationCommandOptionRole, Name: "mention", Description: "Role"},
				{Type: discordgo.ApplicationCommandOptionChannel, Name: "channel", Description: "Where"},
			}}}}}); err != nil {
		t.Fatal(err)
	}
	forum := s.AddForum(g.ID, "stories", "World")
	if _, err := s.Interact(ctx, InteractionSpec{GuildID: g.ID, ChannelID: ch, Command: "feed",
		Permissions: MemberPermissions | discordgo.PermissionManageGuild,
		Options: []*discordgo.ApplicationCommandInteractionDataOption{
			SubCommand("edit", StringOpt("feed", "1"), RoleOpt("mention", staff.ID), ChannelOpt("channel", forum.ID))}}); err != nil {
		t.Fatal(err)
	}
	ic := recv(t, ctx, c.interactions)
	data := ic.ApplicationCommandData()
	opt := data.Options[0].GetOption("mention")
	if opt == nil || opt.Type != discordgo.ApplicationCommandOptionRole || opt.RoleValue(nil, "").ID != staff.ID {
		t.Fatalf("role option %+v", opt)
	}
	if r := data.Resolved.Roles[staff.ID]; r == nil || r.Name != "staff" || r.Mentionable || r.Managed {
		t.Fatalf("resolved role %+v", r)
	}
	if rv := opt.RoleValue(c.Session, g.ID); rv.Name != "staff" {
		t.Fatalf("RoleValue %+v", rv)
	}
	if rc := data.Resolved.Channels[forum.ID]; rc == nil || rc.Type != discordgo.ChannelTypeGuildForum {
		t.Fatalf("resolved forum %+v", rc)
	}

	// Pings: a mentionable role pings when allowed; a role that is not
	// needs Mention Everyone; @everyone never pings without it.
	only := func(ids ...string) *discordgo.MessageAllowedMentions {
		return &discordgo.MessageAllowedMentions{Roles: ids}
	}
	content := "<@&" + breaking.ID + "> <@&" + staff.ID + "> @everyone"
	m, err := c.ChannelMessageSendComplex(ch, &discordgo.MessageSend{Content: content, AllowedMentions: only(breaking.ID, staff.ID)})
	if err != nil || len(m.MentionRoles) != 1 || m.MentionRoles[0] != breaking.ID || m.MentionEveryone {
		t.Fatalf("post = %+v, %v", m, err)
	}
	if m, err = c.ChannelMessageSendComplex(ch, &discordgo.MessageSend{Content: content,
		AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}}); err != nil || len(m.MentionRoles) != 0 {
		t.Fatalf("no mentions allowed = %+v, %v", m, err)
	}
	s.SetBotPermissions(g.ID, BotPermissions|discordgo.PermissionMentionEveryone)
	if s.BotChannelPermissions(ch)&discordgo.PermissionMentionEveryone == 0 {
		t.Fatal("Mention Everyone not granted")
	}
	if m, err = c.ChannelMessageSendComplex(ch, &discordgo.MessageSend{Content: content, AllowedMentions: only(staff.ID)}); err != nil ||
		len(m.MentionRoles) != 1 || m.MentionRoles[0] != staff.ID || m.MentionEveryone {
		t.Fatalf("with Mention Everyone = %+v, %v", m, err)
	}
	if m, err = c.ChannelMessageSend(ch, content); err != nil || len(m.MentionRoles) != 2 || !m.MentionEveryone {
		t.Fatalf("default allowed mentions = %+v, %v", m, err)
	}
	msgs := s.Messages(ch)
	if len(msgs) != 4 || len(msgs[0].MentionRoles) != 1 || len(msgs[3].MentionRoles) != 2 || !msgs[3].MentionEveryone {
		t.Fatalf("stored %+v", msgs)
	}
}
