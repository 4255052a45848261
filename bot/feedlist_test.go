package bot

import (
	"strings"
	"testing"
	"time"

	"newsbot/store"
)

// TestListLineShowsFeedHealth: /feed list tells floods, warnings and
// failures apart.
func TestListLineShowsFeedHealth(t *testing.T) {
	ok := store.Feed{Title: "Wire", URL: "https://wire.example/rss", LastSuccessAt: time.Unix(1_700_000_000, 0)}
	tests := []struct {
		name string
		feed store.Feed
		want []string
		not  []string
	}{
		{"healthy", ok, []string{"**Wire**", "last success <t:1700000000:R>"}, []string{"⚠️", "skipped"}},
		{"flooded", func() store.Feed { f := ok; f.SkippedItems = 295; return f }(), []string{"295 items skipped in floods"}, []string{"⚠️"}},
		{"truncated", func() store.Feed { f := ok; f.LastError = "The feed was cut off before its end."; return f }(),
			[]string{"⚠️ The feed was cut off"}, []string{"errors"}},
		{"failing", func() store.Feed {
			f := ok
			f.ErrorCount, f.LastError = store.FailingThreshold, "The site could not be reached."
			return f
		}(), []string{"10 errors (The site could not be reached", "failing, polled hourly"}, nil},
	}
	for _, tc := range tests {
		line := listLine(store.Subscription{ChannelID: "1", Feed: tc.feed})
		for _, w := range tc.want {
			if !strings.Contains(line, w) {
				t.Errorf("%s: %q lacks %q", tc.name, line, w)
			}
		}
		for _, w := range tc.not {
			if strings.Contains(line, w) {
				t.Errorf("%s: %q has %q", tc.name, line, w)
			}
		}
	}
}
