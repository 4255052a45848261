package rules_test

import (
	"fmt"

	"newsbot/rules"
)

func ExampleFilter_Decide() {
	include, _ := rules.ParseTerms("earthquake, title:/(?i)^breaking/")
	exclude, _ := rules.ParseTerms(`sponsored, category:opinion`)
	f := rules.Filter{Include: include, Exclude: exclude}

	for _, it := range []rules.Item{
		{Title: "Earthquake hits Japan's coast"},
		{Title: "BREAKING: election results"},
		{Title: "Earthquake kits", Summary: "Sponsored content"},
		{Title: "Sports round-up"},
	} {
		post, why := f.Decide(it)
		fmt.Printf("%-5v %s\n", post, why)
	}
	// Output:
	// true  matched include "earthquake"
	// true  matched include "title:/(?i)^breaking/"
	// false excluded by "sponsored"
	// false no include term matched
}

func ExampleParseTerms() {
	_, err := rules.ParseTerms("quake, flood, /a(/")
	fmt.Println(err)
	t, _ := rules.ParseTerms(` Title : Quake ,, "rock, paper" `)
	fmt.Println(t)
	// Output:
	// term 3 "/a(/": invalid regex: missing closing )
	// title:Quake, "rock, paper"
}

func ExampleTemplate_Render() {
	t, err := rules.ParseTemplate("{mention} **{title}**\n{summary}\n<{link}>")
	if err != nil {
		panic(err)
	}
	fmt.Println(t.Render(rules.Values{
		Title:   "Quake hits coast",
		Summary: "A strong quake struck. No tsunami warning was issued.",
		Link:    "https://example.com/quake",
		Mention: "<@&123>",
	}, 82))
	_, err = rules.ParseTemplate("{titel}")
	fmt.Println(err)
	// Output:
	// <@&123> **Quake hits coast**
	// A strong quake struck. …
	// <https://example.com/quake>
	// unknown placeholder {titel}; valid placeholders are {title} {summary} {link} {source} {author} {published} {mention}
}
