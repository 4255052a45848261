// Package rules is the per-feed rule language of issue 11: include, exclude
// and mention_when term lists, text-post templates and embed colors.
//
// Everything here is parsed once, when an admin runs /feed edit, so mistakes
// are refused there in the admin's own words; what is stored is the canonical
// String form, which parses back to the same rules. Matching and rendering
// are then cheap and cannot fail.
//
// The package is pure: no I/O, no clock, no package-level state that
// changes, and it imports nothing of newsbot. That is what lets the
// deliverer, /feed test and the tests run exactly the same decisions, and
// what makes it safe to fuzz.
package rules
