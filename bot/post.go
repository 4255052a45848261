package bot

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/bwmarrin/discordgo"
)

// noMentions is sent with every message: feed text must never ping anyone,
// whatever it contains.
var noMentions = &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}

// createMessage is Discord's message-create body. discordgo's MessageSend has
// no nonce, so the deliverer sends this with a raw request.
type createMessage struct {
	Content         string                            `json:"content,omitempty"`
	Embeds          []*discordgo.MessageEmbed         `json:"embeds,omitempty"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
	Nonce           string                            `json:"nonce,omitempty"`
	EnforceNonce    bool                              `json:"enforce_nonce,omitempty"`
}

// sessionPoster posts through a discordgo session, so its rate-limit buckets
// and 429 handling apply.
type sessionPoster struct{ s *discordgo.Session }

func (p sessionPoster) post(ctx context.Context, channelID string, m message, nonce string) (string, error) {
	var embeds []*discordgo.MessageEmbed
	if m.Embed != nil {
		embeds = []*discordgo.MessageEmbed{m.Embed}
	}
	content, embeds := fitLimits(m.Content, embeds)
	body := createMessage{Content: content, Embeds: embeds, AllowedMentions: noMentions, Nonce: nonce, EnforceNonce: nonce != ""}
	if len(m.MentionUsers) > 0 || len(m.MentionRoles) > 0 {
		body.AllowedMentions = &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}, Users: m.MentionUsers, Roles: m.MentionRoles}
	}
	endpoint := discordgo.EndpointChannelMessages(channelID)
	resp, err := p.s.RequestWithBucketID("POST", endpoint, body, endpoint, discordgo.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("post to channel %s: %w", channelID, err)
	}
	var msg discordgo.Message
	if err := json.Unmarshal(resp, &msg); err != nil {
		return "", fmt.Errorf("post to channel %s: decode reply: %w", channelID, err)
	}
	return msg.ID, nil
}
