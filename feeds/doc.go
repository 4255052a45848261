// Package feeds fetches and parses news feeds and the articles they point
// to: a polite HTTP fetcher (conditional requests, body cap, per-host limit,
// a guard against private addresses), a parser that survives the encodings
// real feeds lie about, feed discovery from a web page, readability
// extraction of an article's main text, article identity and OPML.
//
// Nothing here keeps global state: configuration goes through Config and
// cancellation through context.Context.
package feeds
