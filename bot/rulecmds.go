package bot

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"golang.org/x/sync/errgroup"

	"newsbot/feeds"
	"newsbot/rules"
	"newsbot/store"
)

// The rule subcommands of /feed (issue 11): edit, test and resume. They
// are declared here and added to /feed by addRuleCommands, so the command
// list in commands.go stays one place for everything else.

// ruleSubcommands take a feed:<subscription> option that autocompletes like
// /feed remove's.
var ruleSubcommands = []string{"edit", "test", "resume"}

// addRuleCommands adds /feed edit, test and resume, and the format option of
// /feed export, to the /feed command.
func (b *Bot) addRuleCommands(feed *command) {
	minOne, maxSent, maxDaily := float64(1), float64(maxSentences), float64(maxDailyLimit)
	str := discordgo.ApplicationCommandOptionString
	feedOpt := func(desc string) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{Type: str, Name: "feed", Description: desc, Required: true, Autocomplete: true}
	}
	choices := func(names ...string) []*discordgo.ApplicationCommandOptionChoice {
		out := make([]*discordgo.ApplicationCommandOptionChoice, len(names))
		for i, n := range names {
			out[i] = &discordgo.ApplicationCommandOptionChoice{Name: n, Value: n}
		}
		return out
	}
	edit := &discordgo.ApplicationCommandOption{
		Type: discordgo.ApplicationCommandOptionSubCommand, Name: "edit",
		Description: "Show or change a subscription's rules: filters, mention, look, daily limit",
		Options: []*discordgo.ApplicationCommandOption{
			feedOpt("The subscription to show or change"),
			{Type: str, Name: "include", Description: `Post only items matching a term: word, "phrase", /regex/, title:word…`, MaxLength: rules.MaxTermsText},
			{Type: str, Name: "exclude", Description: "Never post items matching a term (exclude wins over include)", MaxLength: rules.MaxTermsText},
			{Type: discordgo.ApplicationCommandOptionRole, Name: "mention", Description: "Ping this role in the posts"},
			{Type: str, Name: "mention_when", Description: "Ping the role only for items matching a term", MaxLength: rules.MaxTermsText},
			{Type: str, Name: "format", Description: "Post as embeds or plain text (overrides /settings)", Choices: choices("embed", "text")},
			{Type: discordgo.ApplicationCommandOptionInteger, Name: "sentences", Description: "Summary length (1-10), overriding /settings", MinValue: &minOne, MaxValue: maxSent},
			{Type: str, Name: "color", Description: "Embed color, as #RRGGBB", MaxLength: 16},
			{Type: discordgo.ApplicationCommandOptionBoolean, Name: "image", Description: "Show the article's image in embeds"},
			{Type: str, Name: "template", Description: `Text posts: {mention} **{title}**\n{summary}\n<{link}> ("\n" starts a line)`, MaxLength: rules.MaxContent},
			{Type: str, Name: "webhook_name", Description: "Post through a webhook under this name", MaxLength: maxWebhookName},
			{Type: str, Name: "webhook_avatar", Description: "The webhook's avatar, an https URL", MaxLength: maxWebhookAvatarURL},
			{Type: discordgo.ApplicationCommandOptionBoolean, Name: "thread", Description: "Start a thread on each post, for discussion"},
			{Type: str, Name: "tag", Description: "Forum channels: the tag (name or id) each post gets", MaxLength: maxForumTag},
			{Type: discordgo.ApplicationCommandOptionInteger, Name: "daily_limit", Description: "At most this many posts per 24 hours (1-1000); the rest are dropped", MinValue: &minOne, MaxValue: maxDaily},
			{Type: str, Name: "clear", Description: "Remove a rule", Choices: choices("include", "exclude", "mention", "template", "webhook", "thread", "tag", "daily_limit", "all")},
		},
	}
	test := &discordgo.ApplicationCommandOption{
		Type: discordgo.ApplicationCommandOptionSubCommand, Name: "test",
		Description: "Show what the rules would do with the feed's current items, without posting",
		Options:     []*discordgo.ApplicationCommandOption{feedOpt("The subscription to test")},
	}
	resume := &discordgo.ApplicationCommandOption{
		Type: discordgo.ApplicationCommandOptionSubCommand, Name: "resume",
		Description: "Resume a paused subscription once the bot can post in its channel again",
		Options:     []*discordgo.ApplicationCommandOption{feedOpt("The paused subscription")},
	}
	feed.def.Options = append(feed.def.Options, edit, test, resume)
	for _, o := range feed.def.Options {
		if o.Name == "export" {
			o.Options = append(o.Options, &discordgo.ApplicationCommandOption{
				Type: str, Name: "format", Description: "opml: the feeds, for any feed reader (default); json: a backup with the rules",
				Choices: choices("opml", "json"),
			})
		}
	}
	feed.sub["edit"], feed.sub["test"], feed.sub["resume"] = b.feedEdit, b.feedTest, b.feedResume
}

// findSubscription is the subscription the feed option names: its id, as
// autocomplete gives it, or its feed's URL or title when only one channel
// has it, exactly as /feed remove reads it.
func (b *Bot) findSubscription(ctx context.Context, r *request) (store.Subscription, error) {
	subs, err := b.store.ListSubscriptions(ctx, r.guildID)
	if err != nil {
		return store.Subscription{}, fmt.Errorf("list subscriptions: %w", err)
	}
	want := strings.TrimSpace(r.str("feed"))
	var match []store.Subscription
	for _, s := range subs {
		if strconv.FormatInt(s.ID, 10) == want {
			return s, nil
		}
		if strings.EqualFold(s.Feed.URL, want) || strings.EqualFold(s.Feed.Title, want) {
			match = append(match, s)
		}
	}
	switch len(match) {
	case 0:
		return store.Subscription{}, userErrorf("This server has no subscription matching %q. Pick one from the list as you type, or see `/feed list`.", truncate(feeds.Redact(want), 200))
	case 1:
		return match[0], nil
	}
	return store.Subscription{}, userErrorf("%d channels subscribe to that feed; pick one from the list as you type.", len(match))
}

// --- /feed edit ---

func (b *Bot) feedEdit(ctx context.Context, r *request) (*reply, error) {
	sub, err := b.findSubscription(ctx, r)
	if err != nil {
		return nil, err
	}
	if !r.anyOption("feed") {
		return b.showRules(ctx, r, sub, "The rules of this subscription:", nil)
	}
	next, err := b.editedRules(r, sub.Rules)
	if err != nil {
		return nil, err
	}
	if err := b.checkTargetRules(ctx, r, sub, &next); err != nil {
		return nil, err
	}
	if _, err := compileRules(next); err != nil {
		// Each option was checked as it was read; this catches a stored
		// rule that no longer parses, which the admin can clear.
		return nil, userError{msg: "These rules can't be used: " + err.Error() + ". Change that rule, or use `clear`.", cause: err}
	}
	saved, err := b.store.SaveRules(ctx, r.guildID, sub.ID, next)
	if err != nil {
		return nil, fmt.Errorf("save rules of subscription %d: %w", sub.ID, err)
	}
	b.log.Info("rules changed", "guild", r.guildID, "subscription", sub.ID, "by", r.userID)
	return b.showRules(ctx, r, saved, "Saved. The rules of this subscription are now:", b.ruleNotes(ctx, r, saved, next))
}

// anyOption reports whether the command has an option besides the named
// ones.
func (r *request) anyOption(except ...string) bool {
	for _, o := range r.options() {
		if !slices.Contains(except, o.Name) {
			return true
		}
	}
	return false
}

// editedRules applies the command's options to the current rules: clear
// first, so "clear:all include:x" starts afresh, then each option given.
// Every value is checked here, and refused in the admin's words.
func (b *Bot) editedRules(r *request, cur store.Rules) (store.Rules, error) {
	next := cur
	switch r.str("clear") {
	case "":
	case "include":
		next.Include = ""
	case "exclude":
		next.Exclude = ""
	case "mention":
		next.MentionRole, next.MentionWhen = "", ""
	case "template":
		next.Template = ""
	case "webhook":
		next.WebhookName, next.WebhookAvatar = "", ""
	case "thread":
		next.Thread = false
	case "tag":
		next.ForumTag = ""
	case "daily_limit":
		next.DailyLimit = 0
	case "all":
		next = store.Rules{}
	default:
		return cur, userErrorf("`clear` takes include, exclude, mention, template, webhook, thread, tag, daily_limit or all.")
	}
	terms := func(name string, dst *string) error {
		o := r.option(name)
		if o == nil {
			return nil
		}
		t, err := rules.ParseTerms(o.StringValue())
		if err != nil {
			return userError{msg: fmt.Sprintf("I couldn't use `%s`: %s. Nothing was changed.", name, err), cause: err}
		}
		*dst = t.String()
		return nil
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"include", &next.Include}, {"exclude", &next.Exclude}, {"mention_when", &next.MentionWhen}} {
		if err := terms(f.name, f.dst); err != nil {
			return cur, err
		}
	}
	if o := r.option("mention"); o != nil {
		id := fmt.Sprint(o.Value)
		if id == r.guildID {
			return cur, userErrorf("Pick a role to ping: feeds never ping @everyone.")
		}
		if !isSnowflake(id) {
			return cur, userErrorf("`mention` takes a role.")
		}
		next.MentionRole = id
	}
	if f := r.str("format"); f != "" {
		if f != string(store.FormatEmbed) && f != string(store.FormatText) {
			return cur, userErrorf("`format` is embed or text.")
		}
		next.Format = store.Format(f)
	}
	if o := r.option("sentences"); o != nil {
		n := int(o.IntValue())
		if n < 1 || n > maxSentences {
			return cur, userErrorf("`sentences` is a number from 1 to %d.", maxSentences)
		}
		next.Sentences = n
	}
	if o := r.option("color"); o != nil {
		c, err := rules.ParseColor(o.StringValue())
		if err != nil {
			return cur, userError{msg: fmt.Sprintf("I couldn't use `color`: %s.", err), cause: err}
		}
		next.Color = c
	}
	if v, ok := r.boolean("image"); ok {
		next.Image = &v
	}
	if o := r.option("template"); o != nil {
		// A slash command option is one line: "\n" is how an admin writes
		// a line break.
		src := strings.ReplaceAll(o.StringValue(), `\n`, "\n")
		t, err := rules.ParseTemplate(src)
		if err != nil {
			return cur, userError{msg: fmt.Sprintf("I couldn't use `template`: %s. Nothing was changed.", err), cause: err}
		}
		next.Template = t.String()
	}
	if o := r.option("webhook_name"); o != nil {
		name := strings.TrimSpace(o.StringValue())
		if err := checkWebhookName(name); err != nil {
			return cur, err
		}
		next.WebhookName = name
	}
	if o := r.option("webhook_avatar"); o != nil {
		u, err := checkAvatarURL(o.StringValue())
		if err != nil {
			return cur, err
		}
		next.WebhookAvatar = u
	}
	if v, ok := r.boolean("thread"); ok {
		next.Thread = v
	}
	if o := r.option("tag"); o != nil {
		tag := strings.TrimSpace(o.StringValue())
		if tag == "" || len([]rune(tag)) > maxForumTag {
			return cur, userErrorf("`tag` is the name or id of one of the forum's tags.")
		}
		next.ForumTag = tag
	}
	if o := r.option("daily_limit"); o != nil {
		n := int(o.IntValue())
		if n < 1 || n > maxDailyLimit {
			return cur, userErrorf("`daily_limit` is a number from 1 to %d.", maxDailyLimit)
		}
		next.DailyLimit = n
	}
	return next, nil
}

// checkWebhookName refuses a name Discord would refuse for a webhook.
func checkWebhookName(name string) error {
	n := len([]rune(name))
	lower := strings.ToLower(name)
	switch {
	case n == 0 || n > maxWebhookName:
		return userErrorf("`webhook_name` is 1 to %d characters.", maxWebhookName)
	case strings.Contains(lower, "clyde") || strings.Contains(lower, "discord"):
		return userErrorf("Discord doesn't allow \"clyde\" or \"discord\" in a webhook's name.")
	}
	return nil
}

// checkAvatarURL accepts an absolute https URL only: Discord fetches the
// avatar itself, and anything else is refused there or a tracking risk.
func checkAvatarURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || len(raw) > maxWebhookAvatarURL {
		return "", userErrorf("`webhook_avatar` must be an https:// address of an image, such as https://example.com/logo.png.")
	}
	return u.String(), nil
}

// ruleNotes are warnings about rules that were saved but will not work as
// the admin may expect: a role the bot cannot ping, a webhook it cannot
// create, a template for embeds, category terms.
func (b *Bot) ruleNotes(ctx context.Context, r *request, sub store.Subscription, rl store.Rules) []string {
	var notes []string
	if rl.MentionRole != "" {
		if n := b.mentionProblem(ctx, r, sub.ChannelID, rl.MentionRole); n != "" {
			notes = append(notes, n)
		}
	} else if rl.MentionWhen != "" {
		notes = append(notes, "`mention_when` takes effect once a role is set with `mention`.")
	}
	notes = append(notes, b.targetNotes(ctx, r, sub, rl)...) // webhook, thread, forum (targetcmds.go)
	if rl.Template != "" {
		g, err := b.store.GuildSettings(ctx, r.guildID, b.cfg.DefaultSentences)
		if err == nil && compiledSettings(rl, g).Format != store.FormatText {
			notes = append(notes, "The template shapes text posts; this subscription posts embeds. Add `format:text` to use it.")
		}
	}
	return notes
}

// compiledSettings is the guild's settings with rl's overrides.
func compiledSettings(rl store.Rules, g store.GuildSettings) store.GuildSettings {
	return ruleSet{r: rl}.settings(g)
}

// mentionProblem says why the bot's posts would not ping the role, or "".
// A role that is not mentionable is pinged only by an author with Mention
// Everyone (or Administrator).
func (b *Bot) mentionProblem(ctx context.Context, r *request, channelID, roleID string) string {
	role := b.role(ctx, r, roleID)
	if role == nil {
		return fmt.Sprintf("⚠️ I can't find the role <@&%s> on this server; posts won't ping anyone until `mention` names an existing role.", roleID)
	}
	if role.Mentionable {
		return ""
	}
	perms, err := b.botPermissions(ctx, r, channelID)
	if err != nil {
		b.log.Debug("bot permissions for a mention", "channel", channelID, "err", err)
		return fmt.Sprintf("⚠️ <@&%s> can't be mentioned by everyone, and I couldn't check whether I may ping it. If posts don't ping it, turn on **Allow anyone to @mention this role** (Server Settings → Roles) or give me **Mention Everyone**.", roleID)
	}
	if perms&(discordgo.PermissionMentionEveryone|discordgo.PermissionAdministrator) != 0 {
		return ""
	}
	return fmt.Sprintf("⚠️ <@&%s> can't be mentioned by everyone and I lack **Mention Everyone** in <#%s>, so posts will name the role without pinging it. Turn on **Allow anyone to @mention this role** (Server Settings → Roles), or give me Mention Everyone.", roleID, channelID)
}

// role finds a role: in the command's resolved data (a role option), else
// in the gateway state, else through REST.
func (b *Bot) role(ctx context.Context, r *request, roleID string) *discordgo.Role {
	if data := r.ic.ApplicationCommandData(); data.Resolved != nil && data.Resolved.Roles[roleID] != nil {
		return data.Resolved.Roles[roleID]
	}
	if role, err := r.s.State.Role(r.guildID, roleID); err == nil {
		return role
	}
	roles, err := r.s.GuildRoles(r.guildID, discordgo.WithContext(ctx))
	if err != nil {
		b.log.Debug("guild roles", "guild", r.guildID, "err", err)
		return nil
	}
	for _, role := range roles {
		if role.ID == roleID {
			return role
		}
	}
	return nil
}

// botPermissions are the bot's permissions in a channel, from the gateway
// state, else its server-wide permissions through REST (its member's
// roles), which ignores channel overwrites but beats guessing.
func (b *Bot) botPermissions(ctx context.Context, r *request, channelID string) (int64, error) {
	if channelID == r.channelID && r.ic.AppPermissions != 0 {
		return r.ic.AppPermissions, nil
	}
	if p, err := r.s.State.UserChannelPermissions(r.s.State.User.ID, channelID); err == nil {
		return p, nil
	}
	member, err := r.s.GuildMember(r.guildID, r.s.State.User.ID, discordgo.WithContext(ctx))
	if err != nil {
		return 0, fmt.Errorf("the bot's member: %w", err)
	}
	roles, err := r.s.GuildRoles(r.guildID, discordgo.WithContext(ctx))
	if err != nil {
		return 0, fmt.Errorf("guild roles: %w", err)
	}
	var perms int64
	for _, role := range roles {
		if role.ID == r.guildID || slices.Contains(member.Roles, role.ID) {
			perms |= role.Permissions
		}
	}
	return perms, nil
}

// showRules answers with a subscription's rules.
func (b *Bot) showRules(ctx context.Context, r *request, sub store.Subscription, head string, notes []string) (*reply, error) {
	posted := -1
	if sub.Rules.DailyLimit > 0 {
		if n, err := b.store.PostedSince(ctx, sub.ID, b.now().Add(-dailyWindow)); err == nil {
			posted = n
		}
	}
	lines := ruleLines(sub, posted)
	if sub.Rules.IsZero() {
		lines = append([]string{"No rules: every new item is posted as `/settings` says. Add some with the options of `/feed edit`."}, lines...)
	}
	content := head
	if len(notes) > 0 {
		content += "\n" + strings.Join(notes, "\n")
	}
	content, embeds := fitLimits(content, []*discordgo.MessageEmbed{{
		Title:       truncate(orUntitled(sub.Feed.Title), maxTitle-20) + " → #" + b.channelName(r.s, sub.ChannelID),
		Description: strings.Join(lines, "\n"),
	}})
	return &reply{Content: content, Embeds: embeds}, nil
}

// ruleLines describe every rule set, one per line; posted is the posts
// of the last 24 hours (-1: unknown).
func ruleLines(sub store.Subscription, posted int) []string {
	rl := sub.Rules
	var lines []string
	add := func(format string, args ...any) { lines = append(lines, "• "+fmt.Sprintf(format, args...)) }
	if rl.Include != "" {
		add("include: %s", code(rl.Include))
	}
	if rl.Exclude != "" {
		add("exclude: %s", code(rl.Exclude))
	}
	switch {
	case rl.MentionRole != "" && rl.MentionWhen != "":
		add("mention: <@&%s> when %s", rl.MentionRole, code(rl.MentionWhen))
	case rl.MentionRole != "":
		add("mention: <@&%s> on every post", rl.MentionRole)
	case rl.MentionWhen != "":
		add("mention_when: %s (no role set)", code(rl.MentionWhen))
	}
	var look []string
	if rl.Format != "" {
		look = append(look, "format "+string(rl.Format))
	}
	if rl.Sentences > 0 {
		look = append(look, fmt.Sprintf("%d sentences", rl.Sentences))
	}
	if rl.Color != 0 {
		look = append(look, "color "+rules.FormatColor(rl.Color))
	}
	if rl.Image != nil {
		look = append(look, map[bool]string{true: "image shown", false: "image hidden"}[*rl.Image])
	}
	if len(look) > 0 {
		add("look: %s", strings.Join(look, " · "))
	}
	if rl.Template != "" {
		add("template:\n%s", codeBlock(rl.Template))
	}
	if rl.WebhookName != "" || rl.WebhookAvatar != "" {
		name, avatar := "the feed's title", "none" // feeds keep no icon (target.go)
		if rl.WebhookName != "" {
			name = "**" + escapeMarkdown(rl.WebhookName) + "**"
		}
		if rl.WebhookAvatar != "" {
			avatar = "<" + rl.WebhookAvatar + ">"
		}
		add("webhook: posts as %s with avatar %s", name, avatar)
	}
	if rl.Thread {
		add("thread: a thread is started on each post")
	}
	if rl.ForumTag != "" {
		add("forum tag: %s", code(rl.ForumTag))
	}
	if rl.DailyLimit > 0 {
		if posted >= 0 {
			add("daily limit: %d posts per 24 hours (%d in the last 24 hours)", rl.DailyLimit, posted)
		} else {
			add("daily limit: %d posts per 24 hours", rl.DailyLimit)
		}
	}
	if d := droppedText(sub); d != "" {
		add("%s", d)
	}
	return lines
}

// droppedText is "dropped: 3 filtered, 2 over the daily limit", or "".
func droppedText(sub store.Subscription) string {
	var parts []string
	if sub.DroppedFiltered > 0 {
		parts = append(parts, fmt.Sprintf("%d filtered", sub.DroppedFiltered))
	}
	if sub.DroppedDaily > 0 {
		parts = append(parts, fmt.Sprintf("%d over the daily limit", sub.DroppedDaily))
	}
	if len(parts) == 0 {
		return ""
	}
	return "dropped: " + strings.Join(parts, ", ")
}

// rulesSummary is a subscription's rules in a few words for /feed list,
// e.g. " · rules: include `quake`, 🔔 @role, text, 25/day · dropped: 3
// filtered", or "" when it has none.
func rulesSummary(sub store.Subscription) string {
	rl := sub.Rules
	var parts []string
	if rl.Include != "" {
		parts = append(parts, "include "+code(truncate(rl.Include, 40)))
	}
	if rl.Exclude != "" {
		parts = append(parts, "exclude "+code(truncate(rl.Exclude, 40)))
	}
	if rl.MentionRole != "" {
		p := "🔔 <@&" + rl.MentionRole + ">"
		if rl.MentionWhen != "" {
			p += " when " + code(truncate(rl.MentionWhen, 30))
		}
		parts = append(parts, p)
	}
	if rl.Format != "" {
		parts = append(parts, string(rl.Format))
	}
	if rl.Sentences > 0 {
		parts = append(parts, fmt.Sprintf("%d sentences", rl.Sentences))
	}
	if rl.Color != 0 {
		parts = append(parts, rules.FormatColor(rl.Color))
	}
	if rl.Image != nil && !*rl.Image {
		parts = append(parts, "no image")
	}
	if rl.Template != "" {
		parts = append(parts, "template")
	}
	if rl.WebhookName != "" || rl.WebhookAvatar != "" {
		parts = append(parts, "webhook")
	}
	if rl.Thread {
		parts = append(parts, "threads")
	}
	if rl.ForumTag != "" {
		parts = append(parts, "tag "+code(truncate(rl.ForumTag, 30)))
	}
	if rl.DailyLimit > 0 {
		parts = append(parts, fmt.Sprintf("%d/day", rl.DailyLimit))
	}
	out := ""
	if len(parts) > 0 {
		out = " · rules: " + strings.Join(parts, ", ")
	}
	if d := droppedText(sub); d != "" {
		out += " · " + d
	}
	return out
}

// code shows admin-typed text as inline code, which needs no escaping; a
// text with backticks gets a longer fence, or is escaped when it has both.
func code(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	switch {
	case !strings.Contains(s, "`"):
		return "`" + s + "`"
	case !strings.Contains(s, "``"):
		return "`` " + s + " ``"
	}
	return escapeMarkdown(s)
}

// codeBlock shows a template as written, line breaks included.
func codeBlock(s string) string {
	return "```\n" + strings.ReplaceAll(s, "```", "`\u200b``") + "\n```"
}

// --- /feed test ---

// Bounds of /feed test: the newest items of the feed, built a few at a time
// (a teaser's page is fetched, as the poller would), all within testBuild.
const (
	testItems      = 10
	testConcurrent = 4
	testBuild      = 60 * time.Second
)

func (b *Bot) feedTest(ctx context.Context, r *request) (*reply, error) {
	sub, err := b.findSubscription(ctx, r)
	if err != nil {
		return nil, err
	}
	rs, err := compileRules(sub.Rules)
	if err != nil {
		return nil, userError{msg: "This subscription's rules can't be read (" + err.Error() + "); fix them with `/feed edit`.", cause: err}
	}
	g, err := b.store.GuildSettings(ctx, r.guildID, b.cfg.DefaultSentences)
	if err != nil {
		return nil, fmt.Errorf("feed test: guild settings: %w", err)
	}
	res, err := b.sources.Discover(ctx, sub.Feed.URL)
	if err != nil {
		return nil, fetchError(err)
	}
	items := newestItems(res.Feed.Items, testItems)
	articles := make([]store.Article, len(items))
	bctx, cancel := context.WithTimeout(ctx, testBuild)
	defer cancel()
	var eg errgroup.Group
	eg.SetLimit(testConcurrent)
	sentences := rs.settings(g).Sentences
	for i, it := range items {
		eg.Go(func() error {
			articles[i] = b.sources.Article(bctx, it, sentences)
			return nil
		})
	}
	_ = eg.Wait()

	// The daily limit counts in publication order, oldest first; the
	// items are listed newest first.
	left := -1
	head := fmt.Sprintf("What the rules of **%s** → <#%s> would do with its %d newest items (of %d). Nothing was posted.",
		escapeMarkdown(truncate(orUntitled(sub.Feed.Title), 100)), sub.ChannelID, len(items), len(res.Feed.Items))
	if sub.Rules.DailyLimit > 0 {
		n, err := b.store.PostedSince(ctx, sub.ID, b.now().Add(-dailyWindow))
		if err != nil {
			return nil, fmt.Errorf("feed test: posts of the last 24 hours: %w", err)
		}
		left = max(sub.Rules.DailyLimit-n, 0)
		head += fmt.Sprintf("\nDaily limit %d: %d posted in the last 24 hours, so %d more may post now.", sub.Rules.DailyLimit, n, left)
	}
	verdicts := make([]verdict, len(articles))
	overLimit := make([]bool, len(articles))
	for i := len(articles) - 1; i >= 0; i-- {
		verdicts[i] = rs.decide(articles[i], sub.Feed.Title, g)
		if verdicts[i].post && left >= 0 {
			if left == 0 {
				overLimit[i] = true
			} else {
				left--
			}
		}
	}
	var lines []string
	for i, a := range articles {
		lines = append(lines, testLine(a, verdicts[i], overLimit[i], sub.Rules.MentionRole))
	}
	if len(lines) == 0 {
		lines = []string{"(The feed has no items right now.)"}
	}
	// Every reply passes through fitLimits on its way out; trimming here
	// too keeps the cut where this answer wants it (the last items).
	content, embeds := fitLimits(head, []*discordgo.MessageEmbed{{
		Title: "/feed test", Description: strings.Join(lines, "\n"),
	}})
	return &reply{Content: content, Embeds: embeds}, nil
}

// testLine is one item's fate, e.g.
// "🔔 **post + ping <@&1>** · Quake hits coast — matched include "quake"; matched mention_when "tsunami"".
func testLine(a store.Article, v verdict, overLimit bool, role string) string {
	title := escapeMarkdown(truncate(orUntitled(a.Title), 120))
	switch {
	case !v.post:
		return fmt.Sprintf("🚫 **drop** · %s — %s", title, escapeMarkdown(v.why))
	case overLimit:
		return fmt.Sprintf("⏳ **drop: daily limit** · %s — %s", title, escapeMarkdown(v.why))
	case v.mention:
		return fmt.Sprintf("🔔 **post + ping <@&%s>** · %s — %s; %s", role, title, escapeMarkdown(v.why), escapeMarkdown(v.whyPing))
	}
	return fmt.Sprintf("✅ **post** · %s — %s", title, escapeMarkdown(v.why))
}

// newestItems are the feed's n newest items, newest first; undated items
// keep the feed's order (newest first by convention) after dated ones.
func newestItems(items []feeds.Item, n int) []feeds.Item {
	sorted := slices.Clone(items)
	slices.SortStableFunc(sorted, func(x, y feeds.Item) int {
		if x.Published.IsZero() || y.Published.IsZero() {
			return cmp.Compare(boolInt(x.Published.IsZero()), boolInt(y.Published.IsZero()))
		}
		return y.Published.Compare(x.Published)
	})
	return sorted[:min(n, len(sorted))]
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// --- /feed resume ---

func (b *Bot) feedResume(ctx context.Context, r *request) (*reply, error) {
	sub, err := b.findSubscription(ctx, r)
	if err != nil {
		return nil, err
	}
	title := escapeMarkdown(truncate(orUntitled(sub.Feed.Title), 100))
	if !sub.Paused {
		return &reply{Content: fmt.Sprintf("**%s** in <#%s> isn't paused: it posts as usual.", title, sub.ChannelID)}, nil
	}
	// Discord answers for the channel itself: gone, or hidden from the bot.
	if _, err := r.s.Channel(sub.ChannelID, discordgo.WithContext(ctx)); err != nil {
		kind, reason := classify(err)
		if kind != postPause {
			return nil, userError{msg: fmt.Sprintf("I couldn't check <#%s> just now (%s); please try again in a moment.", sub.ChannelID, reason), cause: err}
		}
		return nil, userError{msg: fmt.Sprintf("I still can't reach <#%s> (%s). Give me View Channel, Send Messages and Embed Links there, then run `/feed resume` again.", sub.ChannelID, reason), cause: err}
	}
	if err := b.checkCanPost(r, sub.ChannelID); err != nil {
		return nil, err
	}
	if err := b.store.ResumeSubscription(ctx, r.guildID, sub.ID); err != nil {
		return nil, fmt.Errorf("resume subscription %d: %w", sub.ID, err)
	}
	waiting := 0
	if ds, err := b.store.Deliveries(ctx, sub.ID); err == nil {
		for _, d := range ds {
			if d.State == store.DeliveryPending {
				waiting++
			}
		}
	}
	b.log.Info("subscription resumed", "guild", r.guildID, "subscription", sub.ID, "was", sub.PauseReason, "waiting", waiting, "by", r.userID)
	b.Wake()
	text := fmt.Sprintf("▶️ Resumed **%s** in <#%s> (it was paused: %s).", title, sub.ChannelID, escapeMarkdown(sub.PauseReason))
	switch waiting {
	case 0:
		text += " New items will be posted from the next poll on."
	case 1:
		text += " The post that waited goes out now."
	default:
		text += fmt.Sprintf(" The %d posts that waited go out now, in order.", waiting)
	}
	return &reply{Content: text}, nil
}
