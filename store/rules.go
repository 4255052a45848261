package store

// Rules are one subscription's own rules (issue 11), set with /feed edit.
// The zero Rules posts every item as the guild's settings say.
//
// Text rules are kept in the canonical form of package rules (bot parses
// them when they are set, so what is stored always parses again); the store
// neither parses nor checks them. Backends keep a subscription's Rules as one
// JSON document: they are always read and written whole, never queried by
// field, and the JSON names below are also those of /feed export format:json,
// so a backup restores into any backend and any later version.
type Rules struct {
	// Include and Exclude are term lists: an item is posted when it matches
	// an include term (or there is none) and no exclude term.
	Include string `json:"include,omitempty"`
	Exclude string `json:"exclude,omitempty"`
	// MentionRole is the id of the role pinged in the post's content; with
	// MentionWhen (a term list) only for the items that match it.
	MentionRole string `json:"mention_role,omitempty"`
	MentionWhen string `json:"mention_when,omitempty"`

	// The look, each overriding the guild's /settings when set.
	Format    Format `json:"format,omitempty"`    // "" = the guild's
	Sentences int    `json:"sentences,omitempty"` // 0 = the guild's; else 1-10
	Color     int    `json:"color,omitempty"`     // 0xRRGGBB; 0 = the default color
	// Image: nil shows the article's image as usual, false hides it.
	Image    *bool  `json:"image,omitempty"`
	Template string `json:"template,omitempty"` // text posts; "" = the usual text

	// Where and how posts go (the webhook, thread and forum parts of issue
	// 11). WebhookName and WebhookAvatar ("" = the feed's title, no avatar)
	// ask for posts through a channel webhook; the webhook's id and token
	// are not rules and live elsewhere.
	WebhookName   string `json:"webhook_name,omitempty"`
	WebhookAvatar string `json:"webhook_avatar,omitempty"`
	Thread        bool   `json:"thread,omitempty"`    // start a thread on each post
	ForumTag      string `json:"forum_tag,omitempty"` // a forum post's tag: its name (or id), looked up at each post

	// DailyLimit caps posts per rolling 24 hours; items over it are dropped
	// and counted. 0 = no limit.
	DailyLimit int `json:"daily_limit,omitempty"`
}

// IsZero reports whether r sets nothing.
func (r Rules) IsZero() bool {
	return r.Include == "" && r.Exclude == "" && r.MentionRole == "" && r.MentionWhen == "" &&
		r.Format == "" && r.Sentences == 0 && r.Color == 0 && r.Image == nil && r.Template == "" &&
		r.WebhookName == "" && r.WebhookAvatar == "" && !r.Thread && r.ForumTag == "" && r.DailyLimit == 0
}

// DropReason is why a subscription's rule kept a delivery from posting.
type DropReason string

const (
	// DropFiltered: the include or exclude terms refused the item.
	DropFiltered DropReason = "filtered"
	// DropDaily: the subscription had posted its daily limit.
	DropDaily DropReason = "daily limit"
)

// DroppedPrefix starts the Error of a delivery a rule dropped. Such a
// delivery is settled as DeliveryFailed (so it is never retried and later
// posts of its subscription go on) and is told apart from a post Discord
// refused by this prefix, e.g. `dropped (filtered): excluded by "sponsored"`.
const DroppedPrefix = "dropped ("
