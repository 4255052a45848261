package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"newsbot/bot/discordtest"
	"newsbot/internal/pgtest"
)

// TestScaleThreeProcesses follows README.md's "Running at scale": three bot
// processes, one PostgreSQL, three gateway shards (one each). 500 feeds are
// subscribed across three servers; items appear while one process is killed
// and restarted; every item must reach every subscribed channel exactly
// once, and the killed process's leases must move to the others.
func TestScaleThreeProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("scale test skipped in -short mode")
	}
	dbURL := pgtest.Fresh(t)
	ctx := deadline(t)
	ctx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()
	dc := discordtest.New(t, discordtest.WithMessageRateLimit(50, 100*time.Millisecond))
	fs := newFeedServer(t)

	const shards, feeds = 3, 500
	var worlds []*world
	for i := range shards {
		g := dc.AddGuildForShard(fmt.Sprintf("Server %d", i), i, shards)
		worlds = append(worlds, &world{dc: dc, fs: fs, guild: g, channel: dc.AddChannel(g.ID, "news")})
	}
	procs := make([]*botProcess, shards)
	envs := make([]env, shards)
	for i := range shards {
		e := baseEnv(dc, dbURL+"&pool_max_conns=4")
		e["POLL_INTERVAL"] = "2s"
		e["LEASE_DURATION"] = "4s"
		e["SHARD_COUNT"] = strconv.Itoa(shards)
		e["SHARD_ID"] = strconv.Itoa(i)
		e["INSTANCE_ID"] = fmt.Sprintf("proc-%d", i)
		e["LOG_LEVEL"] = "warn"
		e["MAX_POSTS_PER_INTERVAL"] = "20"
		envs[i] = e
		procs[i] = startProcess(t, e)
	}
	if err := dc.WaitReady(ctx, shards); err != nil {
		t.Fatalf("not every shard connected: %v", err)
	}
	if _, err := dc.WaitCommands(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if n, want := len(dc.Commands("")), 5; n != want {
		t.Errorf("%d global commands, want %d (registered once, by shard 0)", n, want)
	}
	// Five hundred feeds publish the same 64 fixture texts, which the story
	// matcher rightly groups into a few stories; this test counts posts.
	for _, w := range worlds {
		if m := w.admin(t, "settings", discordtest.BoolOpt("stories", false)); !strings.Contains(m.Content, "stories: **off") {
			t.Fatalf("/settings stories:false in %s: %q", w.guild.Name, m.Content)
		}
	}

	// Feed i goes to server i%3; the first 10 feeds to every server too.
	want := map[string][]string{} // feed name -> channels subscribed
	for i := range feeds {
		name := fmt.Sprintf("f%03d", i)
		targets := []*world{worlds[i%shards]}
		if i < 10 {
			targets = worlds
		}
		for _, w := range targets {
			url := fs.srv.URL + "/feeds/" + name + ".xml"
			if _, ok := want[name]; !ok {
				fs.addFeed(name, "Feed "+name)
			}
			m := w.admin(t, "feed", discordtest.SubCommand("add", discordtest.StringOpt("url", url)))
			if !strings.Contains(m.Content, "is now subscribed") {
				t.Fatalf("/feed add %s in %s: %q", name, w.guild.Name, m.Content)
			}
			want[name] = append(want[name], w.channel)
		}
	}

	// Round 1 while all three run.
	var items []testItem
	for i := 0; i < feeds; i += 5 {
		items = append(items, fs.publish(fmt.Sprintf("f%03d", i), 1, false)...)
	}

	// Kill process 1 while it holds leases.
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var held []int64
	waitFor(ctx, t, "process 1 to hold feed leases", func() bool {
		rows, err := conn.Query(ctx, `SELECT id FROM feeds WHERE lease_owner = 'proc-1' AND lease_until > now()`)
		if err != nil {
			return false
		}
		held, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		return err == nil && len(held) > 0
	})
	procs[1].kill()
	killedAt := time.Now()
	for i := 1; i < feeds; i += 7 {
		items = append(items, fs.publish(fmt.Sprintf("f%03d", i), 1, false)...)
	}
	// Its leases expire and the others poll those feeds.
	waitFor(ctx, t, "the killed process's feeds to be polled by the others", func() bool {
		var left int
		err := conn.QueryRow(ctx, `SELECT count(*) FROM feeds WHERE id = ANY($1) AND (last_polled_at IS NULL OR last_polled_at < $2)`,
			held, killedAt.Add(time.Second)).Scan(&left)
		return err == nil && left == 0
	})
	var stale int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM feeds WHERE lease_owner = 'proc-1' AND lease_until > now()`).Scan(&stale); err != nil || stale != 0 {
		t.Errorf("process 1 still holds %d live leases after its death (err %v)", stale, err)
	}

	envs[1]["INSTANCE_ID"] = "proc-1-restarted"
	procs[1] = startProcess(t, envs[1])
	if err := dc.WaitReady(ctx, shards); err != nil {
		t.Fatal(err)
	}
	for i := 3; i < feeds; i += 11 {
		items = append(items, fs.publish(fmt.Sprintf("f%03d", i), 1, false)...)
	}

	// Every item to every channel subscribed to its feed, exactly once.
	expected := map[string]map[string]bool{} // channel -> links
	total := 0
	for _, it := range items {
		name := it.GUID[len("urn:test:"):len("urn:test:f000")]
		for _, ch := range want[name] {
			if expected[ch] == nil {
				expected[ch] = map[string]bool{}
			}
			expected[ch][it.Link] = true
			total++
		}
	}
	posted := func() int {
		n := 0
		for ch, links := range expected {
			got := postedLinks(dc.Messages(ch))
			for l := range links {
				if got[l] > 0 {
					n++
				}
			}
		}
		return n
	}
	waitFor(ctx, t, fmt.Sprintf("all %d posts", total), func() bool { return posted() == total })
	// Let every feed be polled again: still nothing extra.
	hits := fs.hitsOf("/feeds/f499.xml")
	waitFor(ctx, t, "two more polls", func() bool { return fs.hitsOf("/feeds/f499.xml") >= hits+2 })
	for ch, links := range expected {
		msgs := dc.Messages(ch)
		got := postedLinks(msgs)
		for l := range links {
			if got[l] != 1 {
				t.Errorf("channel %s: %s posted %d times, want 1", ch, l, got[l])
			}
		}
		if len(msgs) != len(links) {
			t.Errorf("channel %s has %d messages, want %d", ch, len(msgs), len(links))
		}
	}
	t.Logf("%d feeds, %d items, %d posts; process 1 held %d feed leases when killed", feeds, len(items), total, len(held))
}
