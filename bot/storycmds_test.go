package bot

import (
	"testing"

	"newsbot/store"
)

func TestGroupStories(t *testing.T) {
	found := []store.Article{
		{ID: 1, FeedID: 1, Story: "1/a", Title: "a"},
		{ID: 2, FeedID: 2, Story: "1/a", Title: "a again"},
		{ID: 3, FeedID: 2, Story: "3/c", Title: "c"},
		{ID: 4, FeedID: 3, Story: "1/a", Title: "a thrice"},
		{ID: 5, FeedID: 1, Story: "1/a", Title: "a, same feed"},
		{ID: 6, FeedID: 4, Title: "no story"},
		{ID: 7, FeedID: 4, Title: "no story either"},
	}
	tests := []struct {
		name    string
		stories bool
		n       int
		want    []string
		outlets []int
	}{
		{"grouped", true, 5, []string{"a", "c", "no story", "no story either"}, []int{3, 1, 1, 1}},
		{"grouped, two", true, 2, []string{"a", "c"}, []int{3, 1}},
		{"off", false, 3, []string{"a", "a again", "c"}, []int{1, 1, 1}},
	}
	for _, tc := range tests {
		got := groupStories(found, tc.stories, tc.n)
		if len(got) != len(tc.want) {
			t.Fatalf("%s: %d groups, want %d", tc.name, len(got), len(tc.want))
		}
		for i, g := range got {
			if g.first.Title != tc.want[i] || g.outlets != tc.outlets[i] {
				t.Errorf("%s: group %d = %q with %d outlets, want %q with %d", tc.name, i, g.first.Title, g.outlets, tc.want[i], tc.outlets[i])
			}
		}
	}
}
