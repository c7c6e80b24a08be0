package bridge

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// maxHostLen bounds the host part of a target because DNS names cannot be
// longer, and a bound keeps log lines and close reasons short.
const maxHostLen = 253

// ParseTarget splits a HOST:PORT target and checks it, so that client and
// server reject the same malformed input with the same words before any
// network traffic. The host may be a DNS name, an IPv4 address or a
// bracketed IPv6 address; the port must be 1-65535.
func ParseTarget(target string) (host string, port uint16, err error) {
	if target == "" {
		return "", 0, errors.New("missing target: want HOST:PORT, e.g. 203.0.113.7:9735")
	}
	host, portStr, err := net.SplitHostPort(target)
	if err != nil {
		return "", 0, fmt.Errorf("malformed target %q: want HOST:PORT (IPv6 in brackets)", clip(target, 64))
	}
	if host == "" {
		return "", 0, fmt.Errorf("malformed target %q: empty host", clip(target, 64))
	}
	if len(host) > maxHostLen || strings.ContainsAny(host, " /?#@%\\") {
		return "", 0, fmt.Errorf("malformed target %q: bad host", clip(target, 64))
	}
	// A host name is ASCII: international names travel as punycode (BOLT 7
	// asks the same of announced hostnames), and the host is quoted in
	// close reasons and text frames, which RFC 6455 requires to be UTF-8.
	if !printableASCII(host) {
		return "", 0, fmt.Errorf("malformed target %q: bad host: not printable ASCII (punycode for international names)", clip(target, 64))
	}
	p, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil || p == 0 {
		return "", 0, fmt.Errorf("malformed target %q: port %q is not a number in 1-65535", clip(target, 64), clip(portStr, 16))
	}
	return host, uint16(p), nil
}

// printableASCII reports whether s holds only printable ASCII other than
// the space.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// clip shortens s to at most n bytes without splitting a UTF-8 sequence,
// because error text and close reasons carry user input and must stay short.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n]
}

// utf8Start reports whether b begins a UTF-8 sequence (is not a
// continuation byte), which is where a string may be cut.
func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
