package discordtest

// Webhook is a channel webhook (type 1, Incoming).
type Webhook struct {
	ID        string
	ChannelID string
	GuildID   string
	Name      string
	Avatar    string // the avatar as sent at creation (image data), if any
	Token     string
	// ApplicationID is the bot's application for the webhooks it created,
	// "" for those of AddWebhook (made by a member).
	ApplicationID string
	CreatorID     string
}
