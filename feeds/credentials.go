package feeds

import (
	"net/url"
	"strings"
)

// Feed URLs come from Discord users and end up in replies, logs and the
// database. A URL may carry a secret: a user name and password
// (https://user:pass@host/feed) or a token in its query. Userinfo is taken
// out of what users give (CleanUserURL: the bot says so, and the feed is
// fetched without it), and nothing this package logs or puts in an error
// shows a password or a query secret (Redact).

// CleanUserURL trims a URL a user typed and removes its userinfo. It
// reports whether there was any, so the bot can tell the user the
// credentials were not kept. Errors wrap ErrInvalidURL or
// ErrUnsupportedScheme and never contain the credentials.
func CleanUserURL(raw string) (clean string, hadCredentials bool, err error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return "", false, fmtInvalid(raw)
	}
	hadCredentials = u.User != nil
	u.User = nil
	if _, err := checkURL(u.String()); err != nil {
		return "", hadCredentials, err
	}
	return u.String(), hadCredentials, nil
}

// secretParams are query parameter names (lower case) whose values are
// secrets often put in feed URLs.
var secretParams = []string{
	"token", "secret", "passw", "pwd", "apikey", "api_key", "api-key", "auth", "sig", "session",
	"credential", "private", "access_key", "accesskey", "client_id", "hash",
}

// exactSecretParams are secret names too short to match inside others.
var exactSecretParams = map[string]bool{"key": true, "code": true, "pass": true, "sid": true, "k": true, "p": true}

// Redact returns raw fit for a log or an error: userinfo removed and the
// values of query parameters that look like secrets replaced. A string
// that does not parse as a URL is cut before anything that could be
// userinfo.
func Redact(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		if i := strings.LastIndex(raw, "@"); i >= 0 {
			return "[redacted]" + raw[i:]
		}
		return raw
	}
	if u.User != nil {
		u.User = url.User("redacted")
	}
	if u.RawQuery != "" {
		u.RawQuery = redactQuery(u.RawQuery)
	}
	return u.String()
}

// redact is Redact, short for the many errors that wrap a URL.
func redact(raw string) string { return Redact(raw) }

// redactQuery replaces secret values, keeping the order and the other
// parameters as written.
func redactQuery(q string) string {
	parts := strings.Split(q, "&")
	for i, p := range parts {
		name, _, hasValue := strings.Cut(p, "=")
		if hasValue && isSecretParam(name) {
			parts[i] = name + "=REDACTED"
		}
	}
	return strings.Join(parts, "&")
}

func isSecretParam(name string) bool {
	if n, err := url.QueryUnescape(name); err == nil {
		name = n
	}
	name = strings.ToLower(name)
	if exactSecretParams[name] {
		return true
	}
	for _, s := range secretParams {
		if strings.Contains(name, s) {
			return true
		}
	}
	return false
}
