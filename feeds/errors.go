package feeds

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Errors a caller can test with errors.Is. Every error this package returns
// wraps one of these, a *StatusError, or a network or context error.
var (
	// ErrPrivateAddress: the URL, a redirect or a DNS answer pointed at a
	// loopback, private, link-local or otherwise internal address.
	ErrPrivateAddress = errors.New("feeds: refusing to connect to a private or internal address")
	// ErrInvalidURL: the address is not an absolute URL.
	ErrInvalidURL = errors.New("feeds: invalid URL")
	// ErrUnsupportedScheme: only http and https URLs are fetched.
	ErrUnsupportedScheme = errors.New("feeds: only http and https URLs are supported")
	// ErrNotFeed: the document is neither RSS, Atom nor JSON Feed, and (for
	// Discover) no feed could be found from it.
	ErrNotFeed = errors.New("feeds: not a feed")
	// ErrMalformed: the document looks like a feed but cannot be parsed.
	ErrMalformed = errors.New("feeds: malformed feed")
	// ErrTruncated: the document ends before its end (a dropped connection,
	// a proxy's size limit). It comes with the feed's items that were
	// complete before the cut; the error also wraps ErrMalformed.
	ErrTruncated = errors.New("feeds: the document was truncated")
	// ErrTooLarge: the response body exceeds Config.MaxBodyBytes.
	ErrTooLarge = errors.New("feeds: response body too large")
	// ErrPageTooLarge: an article page exceeds Config.MaxBodyBytes. It wraps
	// ErrTooLarge too.
	ErrPageTooLarge = errors.New("feeds: article page too large")
	// ErrOPML: an uploaded file is not a readable OPML subscription list.
	// The error is an *OPMLError, which also wraps ErrMalformed.
	ErrOPML = errors.New("feeds: not a readable OPML file")
	// ErrTooManyRedirects: more than five redirects, or a redirect loop.
	ErrTooManyRedirects = errors.New("feeds: too many redirects")
	// ErrNoArticle: the page holds no readable article text.
	ErrNoArticle = errors.New("feeds: no readable article on the page")
)

// StatusError is an HTTP response other than 2xx or 304. For 429 and 503,
// RetryAfter holds the server's Retry-After delay (zero when absent).
type StatusError struct {
	Code       int
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("feeds: HTTP %d %s", e.Code, http.StatusText(e.Code))
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return msg
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP date.
// A missing, malformed or past value gives zero.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		const maxSecs = int64(7 * 24 * time.Hour / time.Second)
		return time.Duration(min(secs, maxSecs)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// Message turns any error from this package into one short sentence fit to
// show a Discord user. It never includes internal details such as resolved
// IP addresses.
func Message(err error) string {
	if err == nil {
		return ""
	}
	var se *StatusError
	var dnsErr *net.DNSError
	var netErr net.Error
	var certErr *tls.CertificateVerificationError
	var hostErr x509.HostnameError
	var authErr x509.UnknownAuthorityError
	var opmlErr *OPMLError
	switch {
	case errors.Is(err, ErrPrivateAddress):
		return "That address points to a private or internal network, which the bot is not allowed to reach."
	case errors.Is(err, ErrInvalidURL):
		return "That does not look like a valid web address."
	case errors.Is(err, ErrUnsupportedScheme):
		return "Only http:// and https:// links can be used."
	case errors.Is(err, ErrTooManyRedirects):
		return "The site redirected too many times (maybe a redirect loop)."
	case errors.Is(err, ErrPageTooLarge):
		return "That page is too large to read (over 10 MB)."
	case errors.As(err, &opmlErr):
		return opmlErr.message()
	case errors.Is(err, ErrTooLarge):
		return "The response is too large to be a feed."
	case errors.Is(err, ErrTruncated):
		return "The feed was cut off before its end; the items before the cut were kept."
	case errors.Is(err, ErrMalformed):
		return "The feed is broken (its XML or JSON cannot be read); the site has to fix it."
	case errors.Is(err, ErrNotFeed):
		return "No RSS, Atom or JSON feed was found at that address."
	case errors.Is(err, ErrNoArticle):
		return "No readable article text was found on that page."
	case errors.As(err, &se):
		switch se.Code {
		case http.StatusNotFound:
			return "The site says that page does not exist (HTTP 404)."
		case http.StatusGone:
			return "The site says that feed is gone for good (HTTP 410)."
		case http.StatusUnauthorized, http.StatusForbidden:
			return fmt.Sprintf("The site refused access (HTTP %d); it may block bots or need a login.", se.Code)
		case http.StatusTooManyRequests:
			return "The site asks us to slow down (HTTP 429); it will be tried again later."
		case http.StatusServiceUnavailable:
			return "The site is temporarily unavailable (HTTP 503); it will be tried again later."
		default:
			if se.Code >= 500 {
				return fmt.Sprintf("The site has a server error (HTTP %d); try again later.", se.Code)
			}
			return fmt.Sprintf("The site answered with an error (HTTP %d).", se.Code)
		}
	case errors.Is(err, context.DeadlineExceeded):
		return "The site took too long to answer."
	case errors.Is(err, context.Canceled):
		return "The request was cancelled."
	case errors.As(err, &certErr), errors.As(err, &hostErr), errors.As(err, &authErr):
		return "The site's security certificate is not valid."
	case errors.As(err, &dnsErr):
		return "That site's name could not be found; check the address."
	case errors.As(err, &netErr) && netErr.Timeout():
		return "The site took too long to answer."
	default:
		return "The site could not be reached."
	}
}
