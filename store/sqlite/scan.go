package sqlite

import (
	"database/sql"
	"encoding/json"
	"strings"

	"newsbot/store"
)

// Column lists and their scanners, one per domain type. Queries alias the
// tables f (feeds), s (subscriptions), a (articles) and d (deliveries).
const (
	feedCols = `f.id, f.url, f.title, f.site_url, f.etag, f.last_modified, f.next_poll_at,
		f.last_polled_at, f.last_success_at, f.error_count, f.last_error, f.skipped_items, f.created_at`
	subCols = `s.id, s.guild_id, s.channel_id, s.feed_id, s.created_by, s.created_at,
		s.paused, s.pause_reason, s.failing_notified, s.rules, s.dropped_filtered, s.dropped_daily`
	articleCols = `a.id, a.feed_id, a.identity, a.link_key, a.link, a.title, a.author, a.image_url,
		a.published_at, a.summary, a.ranked, a.keywords, a.sentences_total, a.words_before, a.words_after, a.created_at, a.story, a.fingerprint, a.categories`
	deliveryCols = `d.id, d.subscription_id, d.article_id, d.state, d.message_id, d.error, d.attempts, d.created_at, d.attempted_at, d.kind`
)

// RETURNING clauses take unqualified column names.
var (
	feedReturning = strings.ReplaceAll(feedCols, "f.", "")
	subReturning  = strings.ReplaceAll(subCols, "s.", "")
)

type feedRow struct {
	f                                store.Feed
	next, polled, succeeded, created sql.NullInt64
}

func (r *feedRow) dest() []any {
	return []any{&r.f.ID, &r.f.URL, &r.f.Title, &r.f.SiteURL, &r.f.ETag, &r.f.LastModified, &r.next,
		&r.polled, &r.succeeded, &r.f.ErrorCount, &r.f.LastError, &r.f.SkippedItems, &r.created}
}

func (r *feedRow) feed() store.Feed {
	f := r.f
	f.NextPollAt, f.LastPolledAt, f.LastSuccessAt, f.CreatedAt = fromTS(r.next), fromTS(r.polled), fromTS(r.succeeded), fromTS(r.created)
	return f
}

type subRow struct {
	s       store.Subscription
	created sql.NullInt64
}

func (r *subRow) dest() []any {
	return []any{&r.s.ID, &r.s.GuildID, &r.s.ChannelID, &r.s.FeedID, &r.s.CreatedBy, &r.created,
		&r.s.Paused, &r.s.PauseReason, &r.s.FailingNotified, rulesColumn{&r.s.Rules}, &r.s.DroppedFiltered, &r.s.DroppedDaily}
}

func (r *subRow) sub() store.Subscription {
	s := r.s
	s.CreatedAt = fromTS(r.created)
	return s
}

// subFeedRow scans subCols followed by feedCols.
type subFeedRow struct {
	s subRow
	f feedRow
}

func (r *subFeedRow) dest() []any { return append(r.s.dest(), r.f.dest()...) }

func (r *subFeedRow) sub() store.Subscription {
	s := r.s.sub()
	s.Feed = r.f.feed()
	return s
}

type articleRow struct {
	a                         store.Article
	published, created        sql.NullInt64
	summary, ranked, keywords string
	categories                string
}

func (r *articleRow) dest() []any {
	return []any{&r.a.ID, &r.a.FeedID, &r.a.Identity, &r.a.LinkKey, &r.a.Link, &r.a.Title, &r.a.Author, &r.a.ImageURL,
		&r.published, &r.summary, &r.ranked, &r.keywords, &r.a.SentencesTotal, &r.a.WordsBefore, &r.a.WordsAfter, &r.created, &r.a.Story, &r.a.Fingerprint, &r.categories}
}

func (r *articleRow) article() (store.Article, error) {
	a := r.a
	a.Published, a.CreatedAt = fromTS(r.published), fromTS(r.created)
	var err error
	if a.Summary, err = decodeList(r.summary); err != nil {
		return a, err
	}
	if a.Ranked, err = decodeRanked(r.ranked); err != nil {
		return a, err
	}
	if a.Categories, err = decodeList(r.categories); err != nil {
		return a, err
	}
	a.Keywords, err = decodeList(r.keywords)
	return a, err
}

type deliveryRow struct {
	d                  store.Delivery
	state, kind        string
	created, attempted sql.NullInt64
}

func (r *deliveryRow) dest() []any {
	return []any{&r.d.ID, &r.d.SubscriptionID, &r.d.ArticleID, &r.state, &r.d.MessageID, &r.d.Error, &r.d.Attempts, &r.created, &r.attempted, &r.kind}
}

func (r *deliveryRow) delivery() store.Delivery {
	d := r.d
	d.State, d.Kind = store.DeliveryState(r.state), store.DeliveryKind(r.kind)
	d.CreatedAt, d.AttemptedAt = fromTS(r.created), fromTS(r.attempted)
	return d
}

// encodeList stores a list of strings as a JSON array.
func encodeList(l []string) string {
	if len(l) == 0 {
		return "[]"
	}
	b, err := json.Marshal(l)
	if err != nil { // cannot happen for []string
		return "[]"
	}
	return string(b)
}

func decodeList(s string) ([]string, error) {
	if s == "" || s == "[]" {
		return nil, nil
	}
	var l []string
	err := json.Unmarshal([]byte(s), &l)
	return l, err
}

// encodeRanked stores ranked sentences as a JSON array.
func encodeRanked(r []store.RankedSentence) string {
	if len(r) == 0 {
		return "[]"
	}
	b, err := json.Marshal(r)
	if err != nil { // cannot happen for this type
		return "[]"
	}
	return string(b)
}

func decodeRanked(s string) ([]store.RankedSentence, error) {
	if s == "" || s == "[]" {
		return nil, nil
	}
	var r []store.RankedSentence
	err := json.Unmarshal([]byte(s), &r)
	return r, err
}
