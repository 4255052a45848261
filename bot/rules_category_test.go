package bot

import (
	"testing"

	"newsbot/store"
)

// TestCategoryTermsMatchTheFeedsCategories: category: terms look at the
// categories the feed gave the item.
func TestCategoryTermsMatchTheFeedsCategories(t *testing.T) {
	rs, err := compileRules(store.Rules{Include: "category:world", Exclude: "category:opinion"})
	if err != nil {
		t.Fatal(err)
	}
	g := store.DefaultGuildSettings("g", 3)
	tests := []struct {
		cats []string
		post bool
	}{
		{[]string{"World", "Asia"}, true},
		{[]string{"World", "Opinion"}, false},
		{[]string{"Sport"}, false},
		{nil, false},
	}
	for _, tc := range tests {
		a := store.Article{Title: "World leaders meet", Summary: []string{"Leaders met."}, Categories: tc.cats}
		if v := rs.decide(a, "Wire", g); v.post != tc.post {
			t.Errorf("categories %q: post %v (%s), want %v", tc.cats, v.post, v.why, tc.post)
		}
	}
}
