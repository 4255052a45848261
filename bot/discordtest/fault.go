package discordtest

import (
	"fmt"
	"net/http"
)

// Route names a REST route of the double, for FailRoute and Attempts.
type Route string

// The routes whose attempts are counted and whose failures can be injected.
const (
	RoutePostMessage        Route = "POST /channels/{channel}/messages"
	RouteEditMessage        Route = "PATCH /channels/{channel}/messages/{message}"
	RouteDeleteMessage      Route = "DELETE /channels/{channel}/messages/{message}"
	RouteCreateWebhook      Route = "POST /channels/{channel}/webhooks"
	RouteExecuteWebhook     Route = "POST /webhooks/{webhook}/{token}"
	RouteEditWebhookMessage Route = "PATCH /webhooks/{webhook}/{token}/messages/{message}"
	RouteStartMessageThread Route = "POST /channels/{channel}/messages/{message}/threads"
	RouteStartThread        Route = "POST /channels/{channel}/threads" // threads without a message and forum posts
)

type failure struct{ n, status int }

// FailRoute makes the next n requests on route answer status before doing
// anything: 429 with Discord's rate-limit body (retry_after 0.05s) and
// Retry-After, or 4xx/5xx with a JSON error body. discordgo v0.29 retries
// 429 and 502 by itself, but not 500 or 503. n = 0 lifts it.
func (s *Server) FailRoute(route Route, n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n > 0 && (status < 400 || status > 599) {
		s.t.Fatalf("discordtest: FailRoute: status %d is not an error", status)
	}
	s.fails[route] = failure{n, status}
}

// Attempts counts the requests that reached route, failed ones (injected,
// refused, rate limited) and nonce duplicates included.
func (s *Server) Attempts(route Route) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts[route]
}

// attemptLocked counts an attempt on route and answers an injected failure;
// true means the request has been answered.
func (s *Server) attemptLocked(w http.ResponseWriter, route Route) bool {
	s.attempts[route]++
	s.notify()
	f := s.fails[route]
	if f.n <= 0 {
		return false
	}
	f.n--
	s.fails[route] = f
	s.injectedFailure(w, f.status, bucketHash(route))
	return true
}

// bucketHash is a route's X-RateLimit-Bucket.
func bucketHash(route Route) string {
	if route == RoutePostMessage {
		return messagesBucket
	}
	var h uint64 = 14695981039346656037
	for i := 0; i < len(route); i++ {
		h ^= uint64(route[i])
		h *= 1099511628211
	}
	return fmt.Sprintf("%016x%016x", h, h^0x9e3779b97f4a7c15)
}
