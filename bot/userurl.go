package bot

import (
	"unicode/utf8"

	"newsbot/feeds"
)

// userURL cleans a URL a member typed, before anything fetches, logs or
// stores it: a user name and password in it (https://user:pass@host/feed)
// would otherwise be echoed in replies, written to the log in errors, stored
// with the subscription and shown by /feed list and /feed export. The feed
// is fetched without them; note is what to tell the member about it, ""
// when there were none.
func userURL(raw string) (clean, note string, err error) {
	clean, had, err := feeds.CleanUserURL(raw)
	if err != nil {
		return "", "", userError{msg: feeds.Message(err), cause: err}
	}
	if had {
		note = "I removed the user name and password from the URL: " + showURL(clean) +
			". I never store or send credentials, so a feed that needs a login can't be followed."
	}
	return clean, note, nil
}

// withNote puts note (if any) before the member's error message.
func withNote(note string, err error) error {
	if note == "" || err == nil {
		return err
	}
	return userError{msg: note + "\n" + userMessage(err), cause: err}
}

// showURL is a URL for a reply: a link without a preview when it is short
// enough to read, else its start as plain text (a cut URL must not link).
func showURL(u string) string {
	const maxShown = 300
	if utf8.RuneCountInString(u) <= maxShown {
		return "<" + u + ">"
	}
	return escapeMarkdown(truncate(u, maxShown))
}
