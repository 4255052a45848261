package stories

import (
	"fmt"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// background is a day of unrelated news, so that idf can tell rare words
// from common ones as it does in a bot's window.
var background = []Article{
	{Title: "Central bank holds interest rates steady as inflation cools", Text: "The central bank left its main interest rate unchanged on Thursday, saying inflation had cooled faster than expected over the winter."},
	{Title: "Storm brings heavy snow and power cuts to the north", Text: "Thousands of homes were without power after a storm brought heavy snow and strong winds to northern regions overnight."},
	{Title: "City council approves new budget after long debate", Text: "The city council approved a new budget on Tuesday after a long debate over spending on roads, schools and public transport."},
	{Title: "Football club sacks manager after poor run of results", Text: "The club said on Monday it had parted ways with its manager after a run of seven games without a win left the team near the bottom of the table."},
	{Title: "Tech company reports record quarterly profit", Text: "The company said its profit rose to a record in the last quarter as sales of its phones and cloud services grew strongly."},
	{Title: "Hospital waiting times rise again, figures show", Text: "Waiting times at hospitals rose again last month, official figures showed on Wednesday, as staff shortages continued to weigh on the health service."},
	{Title: "Oil prices fall on weak demand outlook", Text: "Oil prices fell on Friday after a report pointed to weaker demand from factories and airlines in the months ahead."},
	{Title: "Police appeal for witnesses after robbery at jewellery shop", Text: "Police are appealing for witnesses after two men robbed a jewellery shop in the town centre on Saturday afternoon."},
	{Title: "Government unveils plan to build more homes", Text: "The government unveiled a plan on Monday to build hundreds of thousands of new homes over the next decade, easing planning rules."},
	{Title: "Scientists find new species of frog in rainforest", Text: "Researchers have discovered a new species of tiny frog in a remote rainforest, a study published on Tuesday said."},
	{Title: "Airline cancels flights as pilots strike", Text: "The airline cancelled hundreds of flights on Thursday as pilots walked out in a dispute over pay and working hours."},
	{Title: "Election campaign enters final week", Text: "Candidates made their final pitch to voters as the election campaign entered its last week, with polls showing a close race."},
}

// seeded returns a matcher whose window holds the background, from feeds of
// its own, published over the day before t0.
func seeded(t testing.TB) *Matcher {
	t.Helper()
	m := NewMatcher(Options{})
	for i, a := range background {
		a.ID = fmt.Sprintf("bg%d", i)
		a.Feed = fmt.Sprintf("background feed %d", i)
		a.Published = t0.Add(-time.Duration(len(background)-i) * time.Hour)
		if r := m.Assign(a); r.Kind != New {
			t.Fatalf("background article %d: %v %s, want a new story", i, r.Kind, r.Story)
		}
	}
	return m
}

func TestAssign(t *testing.T) {
	tests := []struct {
		name   string
		first  Article
		second Article
		kind   Kind // of the second
	}{
		{
			name: "same story reworded by another outlet",
			first: Article{Feed: "reuters", Title: "Volcano erupts on Iceland's Reykjanes peninsula, Grindavik evacuated",
				Text: "A volcano erupted on Iceland's Reykjanes peninsula on Sunday, sending lava towards the fishing town of Grindavik, which was evacuated hours earlier."},
			second: Article{Feed: "bbc", Title: "Iceland: lava flows towards evacuated town of Grindavik after eruption",
				Text: "Lava from an eruption on the Reykjanes peninsula in Iceland reached the edge of Grindavik on Sunday; the town's residents had been evacuated."},
			kind: Joined,
		},
		{
			name: "different stories sharing names",
			first: Article{Feed: "reuters", Title: "Microsoft to buy Activision Blizzard in $69 billion deal",
				Text: "Microsoft agreed to buy the video game maker Activision Blizzard for $69 billion in cash, its largest deal ever."},
			second: Article{Feed: "bbc", Title: "Microsoft cuts 10,000 jobs as cloud growth slows",
				Text: "Microsoft will cut 10,000 jobs by the end of March as growth in its cloud business slows and customers rein in spending."},
			kind: New,
		},
		{
			name:   "headline only",
			first:  Article{Feed: "ap", Title: "Sbarro pizza chain files for bankruptcy again"},
			second: Article{Feed: "wdrb", Title: "Sbarro files for bankruptcy protection for the second time"},
			kind:   Joined,
		},
		{
			name:   "headline only, different stories",
			first:  Article{Feed: "ap", Title: "Sbarro pizza chain files for bankruptcy again"},
			second: Article{Feed: "wdrb", Title: "Mt. Gox files for US bankruptcy protection"},
			kind:   New,
		},
		{
			name: "German",
			first: Article{Feed: "spiegel", Title: "Lufthansa streicht wegen Pilotenstreik Hunderte Flüge in Frankfurt",
				Text: "Die Lufthansa hat wegen eines Streiks der Piloten am Mittwoch Hunderte Flüge in Frankfurt und München gestrichen. Die Vereinigung Cockpit hatte zum Ausstand aufgerufen."},
			second: Article{Feed: "zeit", Title: "Pilotenstreik: Lufthansa sagt Hunderte Flüge ab",
				Text: "Wegen des Streiks der Vereinigung Cockpit fallen bei der Lufthansa am Mittwoch Hunderte Flüge aus, vor allem in Frankfurt und München."},
			kind: Joined,
		},
		{
			name: "Chinese",
			first: Article{Feed: "xinhua", Title: "缅因州男子赢得强力球100万美元大奖",
				Text: "一名缅因州男子在新年前夜的强力球抽奖中赢得100万美元，成为强力球十年来的第一位百万富翁。"},
			second: Article{Feed: "chinanews", Title: "缅因州人成为第一个百万美元强力球赢家",
				Text: "缅因州男子赢得了强力球100万美元，他是300名强力球赢家之一，计划将奖金用于投资。"},
			kind: Joined,
		},
		{
			name: "Chinese, different stories",
			first: Article{Feed: "xinhua", Title: "缅因州男子赢得强力球100万美元大奖",
				Text: "一名缅因州男子在新年前夜的强力球抽奖中赢得100万美元，成为强力球十年来的第一位百万富翁。"},
			second: Article{Feed: "chinanews", Title: "南苏丹边境发生冲突造成32人死亡",
				Text: "南苏丹官员周三表示，边境地区发生武装冲突，造成至少32人死亡，数十人受伤。"},
			kind: New,
		},
		{
			name:   "same feed republishes the same link",
			first:  Article{Feed: "reuters", Link: "https://example.com/a", Title: "Quake hits Japan's west coast"},
			second: Article{Feed: "reuters", Link: "https://example.com/a", Title: "Magnitude 7.5 quake hits Japan's west coast, tsunami warning issued"},
			kind:   Update,
		},
		{
			name: "same feed republishes near-identical text under a new link",
			first: Article{Feed: "reuters", Link: "https://example.com/a?utm=1", Title: "Magnitude 7.5 quake hits Japan's west coast, tsunami warning issued",
				Text: "A magnitude 7.5 earthquake struck Japan's Noto peninsula on Monday, and a tsunami warning was issued for the west coast."},
			second: Article{Feed: "reuters", Link: "https://example.com/b", Title: "Magnitude 7.5 quake hits Japan's west coast, tsunami warning issued",
				Text: "A magnitude 7.5 earthquake struck Japan's Noto peninsula on Monday and a tsunami warning was issued for the west coast, officials said."},
			kind: Update,
		},
		{
			name: "same feed, different story",
			first: Article{Feed: "reuters", Title: "Magnitude 7.5 quake hits Japan's west coast, tsunami warning issued",
				Text: "A magnitude 7.5 earthquake struck Japan's Noto peninsula on Monday, and a tsunami warning was issued for the west coast."},
			second: Article{Feed: "reuters", Title: "Japan's Noto peninsula: rescuers search collapsed homes after quake",
				Text: "Rescuers searched collapsed homes on Japan's Noto peninsula on Tuesday, a day after the magnitude 7.5 earthquake, as the death toll rose."},
			kind: New,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := seeded(t)
			first, second := tt.first, tt.second
			first.ID, second.ID = "first", "second"
			first.Published, second.Published = t0, t0.Add(2*time.Hour)
			if r := m.Assign(first); r.Kind != New || r.Story != "first" {
				t.Fatalf("first: %+v, want a new story", r)
			}
			r := m.Assign(second)
			t.Logf("%v, score %.3f", r.Kind, r.Score)
			if r.Kind != tt.kind {
				t.Fatalf("second: %v (score %.3f), want %v", r.Kind, r.Score, tt.kind)
			}
			want := "first"
			if tt.kind == New {
				want = "second"
			}
			if r.Story != want {
				t.Errorf("second: story %q, want %q", r.Story, want)
			}
		})
	}
}

func TestAssignOutsideWindow(t *testing.T) {
	m := NewMatcher(Options{Window: 36 * time.Hour})
	a := Article{ID: "a", Feed: "ap", Title: "Sbarro pizza chain files for bankruptcy again", Published: t0}
	b := Article{ID: "b", Feed: "wdrb", Title: "Sbarro pizza chain files for bankruptcy again", Published: t0.Add(37 * time.Hour)}
	m.Assign(a)
	if r := m.Assign(b); r.Kind != New {
		t.Errorf("37 hours later: %+v, want a new story", r)
	}
	// An article arriving late, published within the window of one that
	// has expired, must not join it either.
	c := Article{ID: "c", Feed: "kcra", Title: "Sbarro pizza chain files for bankruptcy again", Published: t0.Add(time.Hour)}
	if r := m.Assign(c); r.Story == "a" {
		t.Errorf("late article joined an expired story: %+v", r)
	}
}

func TestAddSeedsWindow(t *testing.T) {
	m := seeded(t)
	m.Add(Article{ID: "x1", Feed: "reuters", Title: "Volcano erupts on Iceland's Reykjanes peninsula, Grindavik evacuated", Published: t0}, "x0")
	r := m.Assign(Article{ID: "x2", Feed: "bbc", Title: "Iceland volcano: Grindavik evacuated as Reykjanes eruption begins", Published: t0.Add(time.Hour)})
	if r.Kind != Joined || r.Story != "x0" || r.Article != "x1" {
		t.Errorf("got %+v, want to join story x0 through x1", r)
	}
	m.Remove("x1")
	r = m.Assign(Article{ID: "x3", Feed: "ap", Title: "Iceland volcano erupts on Reykjanes peninsula near Grindavik", Published: t0.Add(time.Hour)})
	if r.Story != "x0" {
		t.Errorf("after removing x1: %+v, want story x0 through x2", r)
	}
}

// A second article of a feed already in a story is not another outlet, even
// when it resembles another outlet's article of the story.
func TestSameFeedNeverJoinsAsAnotherOutlet(t *testing.T) {
	m := seeded(t)
	m.Assign(Article{ID: "r1", Feed: "reuters", Title: "Volcano erupts on Iceland's Reykjanes peninsula", Published: t0})
	if r := m.Assign(Article{ID: "b1", Feed: "bbc", Title: "Iceland volcano erupts on Reykjanes peninsula, Grindavik evacuated", Published: t0}); r.Kind != Joined {
		t.Fatalf("bbc: %+v, want joined", r)
	}
	r := m.Assign(Article{ID: "r2", Feed: "reuters", Title: "Grindavik evacuated as Iceland volcano erupts", Published: t0})
	if r.Kind == Joined {
		t.Errorf("reuters' second article joined its own story as another outlet: %+v", r)
	}
}

// The window forgets what is older than Window before the newest article, so
// memory follows the window, not the history.
func TestWindowBoundsMemory(t *testing.T) {
	m := NewMatcher(Options{Window: time.Hour})
	g := newGenerator(1)
	const perHour = 300
	var maxLen, maxTerms int
	for i := 0; i < 20*perHour; i++ {
		a := g.article(i, t0.Add(time.Duration(i)*time.Hour/perHour))
		m.Assign(a)
		maxLen = max(maxLen, m.Len())
		maxTerms = max(maxTerms, m.Terms())
	}
	if maxLen > perHour+1 {
		t.Errorf("window held %d articles, want at most %d (one hour's)", maxLen, perHour+1)
	}
	if n := m.Len(); n < perHour-1 {
		t.Errorf("window holds %d articles at the end, want about %d", n, perHour)
	}
	// The vocabulary of 20 hours is far larger than that of one; the idf
	// table must have shed the expired articles' terms.
	all := make(map[string]bool)
	for i := 0; i < 20*perHour; i++ {
		for _, f := range m.features(g.article(i, t0)) {
			all[f.key] = true
		}
	}
	if maxTerms*3 > len(all) {
		t.Errorf("idf table peaked at %d terms of %d in the whole history: not shed", maxTerms, len(all))
	}
}

func TestMaxArticlesWithoutTimes(t *testing.T) {
	m := NewMatcher(Options{MaxArticles: 100})
	g := newGenerator(2)
	for i := 0; i < 1000; i++ {
		m.Assign(g.article(i, time.Time{}))
	}
	if n := m.Len(); n > 100 {
		t.Errorf("window holds %d articles without publication times, want at most 100", n)
	}
	if n := len(m.byTime); n > 2*100+1 {
		t.Errorf("time heap holds %d entries, want at most about 200", n)
	}
}

func TestReassignSameID(t *testing.T) {
	m := NewMatcher(Options{})
	a := Article{ID: "a", Feed: "f", Title: "Volcano erupts on Iceland's Reykjanes peninsula", Published: t0}
	m.Assign(a)
	m.Add(a, "a")
	if n := m.Len(); n != 1 {
		t.Errorf("window holds %d articles after adding one id twice, want 1", n)
	}
}

func TestEmptyArticle(t *testing.T) {
	m := seeded(t)
	if r := m.Assign(Article{ID: "e", Feed: "f", Published: t0}); r.Kind != New || r.Story != "e" {
		t.Errorf("empty article: %+v, want a new story", r)
	}
	if r := m.Assign(Article{ID: "e2", Feed: "g", Published: t0}); r.Kind != New {
		t.Errorf("second empty article: %+v, want a new story", r)
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{New: "new", Joined: "joined", Update: "update", Kind(9): "unknown"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d) = %q, want %q", int(k), got, want)
		}
	}
}

// The idf table must stay equal to a recount of the window through joins,
// updates, removals and expiry, or rarity drifts as the bot runs.
func TestIndexConsistent(t *testing.T) {
	m := NewMatcher(Options{Window: time.Hour})
	g := newGenerator(3)
	for i := 0; i < 3000; i++ {
		a := g.article(i, t0.Add(time.Duration(i)*time.Second*3))
		switch i % 10 {
		case 3: // a republished article: same feed and link
			prev := g.article(i-1, a.Published)
			a.Feed, a.Link = prev.Feed, prev.Link
		case 7:
			m.Remove(fmt.Sprintf("g%d", i-2))
		}
		if i%50 == 49 {
			m.Add(a, fmt.Sprintf("g%d", i-5))
			continue
		}
		m.Assign(a)
	}
	df := make(map[*term]int32)
	storyTerms := make(map[string]map[*term]bool)
	for id, d := range m.docs {
		if d.dead || d.id != id {
			t.Fatalf("docs[%q] is %+v", id, d)
		}
		if storyTerms[d.story] == nil {
			storyTerms[d.story] = make(map[*term]bool)
		}
		for _, dt := range d.terms {
			df[dt.t]++
			storyTerms[d.story][dt.t] = true
		}
	}
	sdf := make(map[*term]int32)
	for _, ts := range storyTerms {
		for tm := range ts {
			sdf[tm]++
		}
	}
	if len(m.terms) != len(df) {
		t.Errorf("idf table has %d terms, the window %d", len(m.terms), len(df))
	}
	refs := make([]int32, len(m.slots))
	for key, tm := range m.terms {
		if tm.df != df[tm] || tm.sdf != sdf[tm] {
			t.Errorf("term %q: df %d sdf %d, recount %d %d", key, tm.df, tm.sdf, df[tm], sdf[tm])
		}
		live := 0
		for _, p := range tm.post {
			refs[p.slot]++
			if d := m.slots[p.slot].d; d != nil {
				live++
				if d.slot != p.slot {
					t.Errorf("term %q: posting of slot %d, whose article has slot %d", key, p.slot, d.slot)
				}
			}
		}
		if live != int(tm.df) || len(tm.post) > 2*int(tm.df)+8 {
			t.Errorf("term %q: %d postings, %d live, df %d", key, len(tm.post), live, tm.df)
		}
	}
	free := make(map[int32]bool)
	for _, i := range m.free {
		if free[i] {
			t.Errorf("slot %d is free twice", i)
		}
		free[i] = true
	}
	for i, sl := range m.slots {
		if sl.refs != refs[i] || free[int32(i)] != (sl.d == nil && sl.refs == 0) {
			t.Errorf("slot %d: %d refs, %d postings, free %v, article %v", i, sl.refs, refs[i], free[int32(i)], sl.d != nil)
		}
	}
	joined := 0
	for _, s := range m.stories {
		if s.n > 1 {
			joined++
		}
	}
	if joined == 0 {
		t.Error("no story has two articles: the test does not exercise joins")
	}
	if len(m.stories) != len(storyTerms) {
		t.Errorf("%d stories, the window's articles are in %d", len(m.stories), len(storyTerms))
	}
}

func TestNoFeedIsAFeedOfItsOwn(t *testing.T) {
	m := seeded(t)
	m.Assign(Article{ID: "a", Title: "Sbarro pizza chain files for bankruptcy again", Published: t0})
	r := m.Assign(Article{ID: "b", Title: "Sbarro files for bankruptcy protection for the second time", Published: t0})
	if r.Kind != Joined || r.Story != "a" {
		t.Errorf("articles without feeds: %+v, want b to join a", r)
	}
}

// A Matcher guards itself: the bot's pollers assign from several goroutines
// (run with -race).
func TestConcurrentUse(t *testing.T) {
	m := NewMatcher(Options{})
	g := newGenerator(4)
	done := make(chan bool)
	for w := 0; w < 4; w++ {
		go func() {
			for i := w; i < 400; i += 4 {
				m.Assign(g.article(i, t0.Add(time.Duration(i)*time.Second)))
				if i%10 == 0 {
					m.Remove(fmt.Sprintf("g%d", i-4))
				}
				_ = m.Len()
			}
			done <- true
		}()
	}
	for w := 0; w < 4; w++ {
		<-done
	}
	if n := m.Len(); n < 300 {
		t.Errorf("window holds %d articles, want about 360", n)
	}
}

// A story whose first article is older than MaxStoryAge is not joined, even
// through a recent article of it.
func TestMaxStoryAge(t *testing.T) {
	m := NewMatcher(Options{Window: 36 * time.Hour, MaxStoryAge: 48 * time.Hour})
	title := "Sbarro pizza chain files for bankruptcy again"
	for i, h := range []int{0, 30, 47} {
		r := m.Assign(Article{ID: fmt.Sprint("a", i), Feed: fmt.Sprint("feed", i), Title: title, Published: t0.Add(time.Duration(h) * time.Hour)})
		if i > 0 && r.Story != "a0" {
			t.Fatalf("after %dh: %+v, want story a0", h, r)
		}
	}
	r := m.Assign(Article{ID: "late", Feed: "feed9", Title: title, Published: t0.Add(49 * time.Hour)})
	if r.Kind != New {
		t.Errorf("49h after the story began: %+v, want a new story", r)
	}
}

func TestTokenizeDropsSuffixAfterApostrophe(t *testing.T) {
	var words []string
	for _, tok := range tokenize(nil, "Kahramanmaraş'ta ABD'nin Trump’s l'homme dell'Italia rock'n'roll Ankara'daki", false, 100) {
		words = append(words, tok.word)
	}
	got := fmt.Sprint(words)
	// A suffix of up to three lower-case letters after a name goes; an
	// elided article stays a word of its own, as does a longer suffix.
	want := "[kahramanmaraş abd trump l homme dell italia rock roll ankara daki]"
	if got != want {
		t.Errorf("tokenize = %s, want %s", got, want)
	}
}

func TestHeadlinesMustAgree(t *testing.T) {
	// Two texts of one press office share its name, place and contact
	// lines; their headlines tell different events.
	m := seeded(t)
	office := " Police headquarters Aalen, press office, telephone 07361 580-105, email aalen.press@police.example. Original content from Police headquarters Aalen, distributed by news aktuell."
	first := Article{ID: "a", Feed: "police aalen", Published: t0, Title: "Ostalbkreis: hedge fire in Westhausen",
		Text: "Westhausen (ots) A thuja hedge caught fire on Monday afternoon while a resident burned weeds with a gas burner." + office}
	second := Article{ID: "b", Feed: "police aalen wire", Published: t0.Add(time.Hour), Title: "Ostalbkreis: cyclist injured at Oberkochen crossing",
		Text: "Oberkochen (ots) A cyclist was slightly injured on Tuesday morning when a van turned into the crossing." + office}
	m.Assign(first)
	if r := m.Assign(second); r.Kind != New {
		t.Errorf("second release: %v %s (score %.2f), want a new story", r.Kind, r.Story, r.Score)
	}
}
