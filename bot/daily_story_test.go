package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"newsbot/store"
)

// TestDailyLimitCountsMessagesNotStoryJoins: a subscription at its daily
// limit still joins a story another outlet posted in the channel (that
// edits the story's post, no new message), and the join does not use up
// the limit; a story of its own over the limit is dropped. The real store,
// the real discordgo client and the Discord double are used.
func TestDailyLimitCountsMessagesNotStoryJoins(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	dc, guild, channel, session, clk, st := r.dc, r.guild, r.channel, r.session, r.clk, r.st

	subs := map[string]store.Subscription{}
	for _, name := range []string{"wire", "daily"} {
		sub, err := st.Subscribe(ctx, store.NewSubscription{GuildID: guild.ID, ChannelID: channel,
			Feed: store.Feed{URL: "https://" + name + ".example/rss", Title: "The " + name}})
		if err != nil {
			t.Fatal(err)
		}
		subs[name] = sub
	}
	if _, err := st.SaveRules(ctx, guild.ID, subs["daily"].ID, store.Rules{DailyLimit: 1}); err != nil {
		t.Fatal(err)
	}
	publish := func(feed, id, title, story string) {
		t.Helper()
		a := store.Article{Identity: feed + "-" + id, Link: "https://" + feed + ".example/" + id, Title: title,
			Summary: []string{title + "."}, Published: clk.Now(), Story: story}
		if _, err := st.RecordPoll(ctx, store.PollResult{FeedID: subs[feed].FeedID, Articles: []store.Article{a}, PolledAt: clk.Now(), NextPollAt: clk.Now()}); err != nil {
			t.Fatal(err)
		}
		if _, err := newStoryDeliverer(st, session, clk, "p").DeliverOnce(ctx); err != nil {
			t.Fatal(err)
		}
		clk.Add(time.Minute)
	}
	publish("daily", "local", "Council opens a library", "")    // the daily's one post today
	publish("wire", "quake", "Quake hits the coast", "s/quake") // the story's post
	publish("daily", "quake", "Earthquake on the coast", "s/quake")
	publish("daily", "fair", "Town fair opens", "") // over the limit

	msgs := dc.Messages(channel)
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want 2 (the daily's first post and the story's)", len(msgs))
	}
	edits := dc.Edits(channel)
	if len(edits) != 1 || edits[0].MessageID != msgs[1].ID {
		t.Fatalf("edits %+v, want one of the story's post", edits)
	}
	if f := edits[0].Message.Embeds[0].Fields; len(f) == 0 || f[len(f)-1].Name != outletsField || !strings.Contains(f[len(f)-1].Value, "The daily") {
		t.Errorf("story post after the join: fields %+v", f)
	}
	if n, err := st.PostedSince(ctx, subs["daily"].ID, clk.Now().Add(-time.Hour)); err != nil || n != 1 {
		t.Errorf("daily's posts = %d, %v; want 1 (the join made no message)", n, err)
	}
	list, err := st.ListSubscriptions(ctx, guild.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		if want := map[int64]int{subs["daily"].ID: 1}[s.ID]; s.DroppedDaily != want {
			t.Errorf("subscription %d dropped %d over the daily limit, want %d", s.ID, s.DroppedDaily, want)
		}
	}
}
