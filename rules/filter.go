package rules

// Filter is a subscription's include and exclude lists. An item is posted
// when it matches any include term, or there are none, and no exclude term:
// exclude wins, so "sponsored" stays out even of a story about earthquakes.
// The zero Filter posts everything.
type Filter struct{ Include, Exclude Terms }

// Decide reports whether the item is posted and why, in words for
// /feed test: `excluded by "sponsored"`, `no include term matched`,
// `matched include "earthquake"` or `no include terms`.
func (f Filter) Decide(it Item) (post bool, reason string) {
	v := newView(it)
	if ok, term := f.Exclude.match(v); ok {
		return false, "excluded by " + quoteForAdmin(term)
	}
	if f.Include.Empty() {
		return true, "no include terms"
	}
	if ok, term := f.Include.match(v); ok {
		return true, "matched include " + quoteForAdmin(term)
	}
	return false, "no include term matched"
}
