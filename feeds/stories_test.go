package feeds

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"newsbot/store"
	"newsbot/store/sqlite"
)

// TestStoryIndexLearnsFromTheStore: a process that starts (or another
// process's poll) sees the stories already recorded, so a new outlet's
// article joins the story another process assigned.
func TestStoryIndexLearnsFromTheStore(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "stories.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Now()
	st.Now = func() time.Time { return now }
	var feedIDs []int64
	for _, u := range []string{"https://wire.example/rss", "https://daily.example/rss"} {
		sub, err := st.Subscribe(ctx, store.NewSubscription{GuildID: "g", ChannelID: "c", Feed: store.Feed{URL: u}})
		if err != nil {
			t.Fatal(err)
		}
		feedIDs = append(feedIDs, sub.FeedID)
	}
	first := store.Article{Identity: "quake-1", LinkKey: "wire.example/quake", Title: "Magnitude 7.1 earthquake strikes Hokkaido, tsunami warning issued",
		Summary:   []string{"A magnitude 7.1 earthquake struck off Hokkaido on Tuesday, triggering a tsunami warning for Kushiro and Nemuro."},
		Published: now, Story: store.StoryKey(feedIDs[0], "quake-1")}
	if _, err := st.RecordPoll(ctx, store.PollResult{FeedID: feedIDs[0], Articles: []store.Article{first}, PolledAt: now, NextPollAt: now}); err != nil {
		t.Fatal(err)
	}
	x := &StoryIndex{Store: st, Now: func() time.Time { return now }}
	if err := x.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	second := store.Article{Identity: "hokkaido-quake", LinkKey: "daily.example/hokkaido", Title: "Hokkaido earthquake: tsunami warning after magnitude 7.1 quake",
		Summary:   []string{"A tsunami warning was issued for Kushiro and Nemuro after a magnitude 7.1 earthquake struck off Hokkaido on Tuesday."},
		Published: now.Add(10 * time.Minute)}
	if got := x.Assign(feedIDs[1], second); got != first.Story {
		t.Errorf("second outlet's article assigned to %q, want the recorded story %q", got, first.Story)
	}
	other := store.Article{Identity: "rates", Title: "Central bank holds rates at 4.5% as inflation cools",
		Summary: []string{"The central bank kept its main rate at 4.5 percent on Thursday."}, Published: now.Add(20 * time.Minute)}
	if got := x.Assign(feedIDs[1], other); got != store.StoryKey(feedIDs[1], "rates") {
		t.Errorf("an unrelated article joined %q", got)
	}
}
