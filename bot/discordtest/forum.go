package discordtest

import (
	"net/http"
	"strconv"

	"github.com/bwmarrin/discordgo"
)

// Forum is a forum channel (type 15, GUILD_FORUM) added with AddForum.
type Forum struct {
	ID   string
	Tags []discordgo.ForumTag // its available_tags
}

// TagID returns the id of the forum's tag of that name, or "".
func (f Forum) TagID(name string) string {
	for _, t := range f.Tags {
		if t.Name == name {
			return t.ID
		}
	}
	return ""
}

// AddForum adds a forum channel with the given tags to a guild. Messages
// cannot be posted in it (400, code 50008): each post is a thread started
// with POST /channels/{forum}/threads and a first message, or by a webhook
// execute with thread_name.
func (s *Server) AddForum(guildID, name string, tags ...string) Forum {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.guilds[guildID]
	if !ok {
		s.t.Fatalf("discordtest: AddForum: unknown guild %s", guildID)
	}
	c := &channel{id: s.newIDLocked(), guildID: guildID, name: name, typ: discordgo.ChannelTypeGuildForum}
	for _, t := range tags {
		c.tags = append(c.tags, discordgo.ForumTag{ID: s.newIDLocked(), Name: t})
	}
	s.channels[c.id] = c
	g.channels = append(g.channels, c.id)
	s.broadcastLocked(guildID, "CHANNEL_CREATE", s.channelJSON(c, true))
	s.notify()
	return Forum{ID: c.id, Tags: append([]discordgo.ForumTag(nil), c.tags...)}
}

// SetForumRequireTag sets the forum's REQUIRE_TAG flag: a post without a
// tag is then refused (400, code 40067), as Discord does.
func (s *Server) SetForumRequireTag(forumID string, require bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.mustChannel(forumID)
	if c.typ != discordgo.ChannelTypeGuildForum {
		s.t.Fatalf("discordtest: SetForumRequireTag: %s is not a forum", forumID)
	}
	if require {
		c.flags |= discordgo.ChannelFlagRequireTag
	} else {
		c.flags &^= discordgo.ChannelFlagRequireTag
	}
	s.broadcastLocked(c.guildID, "CHANNEL_UPDATE", s.channelJSON(c, true))
	s.notify()
}

// validateTags checks the applied_tags of a post in forum f.
func validateTags(f *channel, tags []string) *apiError {
	if len(tags) > 5 {
		return invalidForm("applied_tags", "Must be 5 or fewer in length.")
	}
	for i, id := range tags {
		known := false
		for _, t := range f.tags {
			known = known || t.ID == id
		}
		if !known {
			return invalidForm("applied_tags."+strconv.Itoa(i), "Unknown tag "+id+" for this channel.")
		}
	}
	if len(tags) == 0 && f.flags&discordgo.ChannelFlagRequireTag != 0 {
		return &apiError{http.StatusBadRequest, codeTagRequired, "A tag is required to create a forum post in this channel", nil}
	}
	return nil
}
