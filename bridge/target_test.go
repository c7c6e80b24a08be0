package bridge

import (
	"net/url"
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	tests := []struct {
		in   string
		host string
		port uint16
		err  string
	}{
		{"example.com:9735", "example.com", 9735, ""},
		{"203.0.113.7:8333", "203.0.113.7", 8333, ""},
		{"[2001:db8::1]:9735", "2001:db8::1", 9735, ""},
		{"", "", 0, "missing target"},
		{"example.com", "", 0, "malformed target"},
		{"example.com:", "", 0, "not a number"},
		{"example.com:-1", "", 0, "not a number"},
		{"example.com:65536", "", 0, "not a number"},
		{"example.com:0", "", 0, "not a number"},
		{":9735", "", 0, "empty host"},
		{"a b:9735", "", 0, "bad host"},
		{"user@host:9735", "", 0, "bad host"},
		{"[fe80::1%eth0]:9735", "", 0, "bad host"},
		{"h\xffst:9735", "", 0, "not printable ASCII"},
		{"нод.example:9735", "", 0, "not printable ASCII"},
		{"a\nb:9735", "", 0, "not printable ASCII"},
		{"xn--d1acj.example:9735", "xn--d1acj.example", 9735, ""},
		{strings.Repeat("a", 300) + ":9735", "", 0, "bad host"},
	}
	for _, tt := range tests {
		host, port, err := ParseTarget(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseTarget(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || host != tt.host || port != tt.port {
			t.Errorf("ParseTarget(%q) = %q, %d, %v; want %q, %d", tt.in, host, port, err, tt.host, tt.port)
		}
	}
}

func TestTargetURL(t *testing.T) {
	got, err := targetURL("ws://127.0.0.1:8080/bridge?v=1", "[2001:db8::1]:9735")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(got)
	if err != nil {
		t.Fatal(err)
	}
	if q := u.Query(); q.Get("target") != "[2001:db8::1]:9735" || q.Get("v") != "1" {
		t.Errorf("query %v lost the target or the existing parameter", q)
	}
	if strings.Contains(u.RawQuery, "[") {
		t.Errorf("target not escaped in %q", u.RawQuery)
	}
	if _, err := targetURL("ftp://x/bridge", "a:1"); err == nil {
		t.Error("ftp scheme accepted")
	}
}
