//go:build !js

package bridge

import (
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// isWebSocketUpgrade reports whether r asks for a WebSocket upgrade, so a
// plain GET can get a readable 426 instead of the library's terse error.
func isWebSocketUpgrade(r *http.Request) bool {
	return headerHasToken(r.Header, "Connection", "upgrade") &&
		headerHasToken(r.Header, "Upgrade", "websocket")
}

// headerHasToken reports whether a comma-separated header contains token,
// case-insensitively, as RFC 9110 lists are compared.
func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for part := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(part), token) {
				return true
			}
		}
	}
	return false
}

// originAllowed applies the Origin policy. A page's Origin must be the
// server itself or in the allowlist, so that an arbitrary site cannot use a
// visitor's browser to open sockets through this bridge. Requests with no
// Origin come from native clients, which could forge one anyway.
func (p *Policy) originAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	full := u.Scheme + "://" + u.Host
	for _, allowed := range p.Origins {
		allowed = strings.TrimSuffix(allowed, "/")
		switch {
		case allowed == "*":
			return true
		case strings.Contains(allowed, "://"):
			if strings.EqualFold(allowed, full) {
				return true
			}
		case strings.EqualFold(allowed, u.Host):
			return true
		}
	}
	return false
}

// remoteIP is the client's address for per-IP limits. The bridge sees the
// TCP peer; behind a reverse proxy that is the proxy, so such a deployment
// must apply its own per-client limits.
func remoteIP(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr()
}
