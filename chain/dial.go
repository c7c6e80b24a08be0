package chain

import (
	"context"
	"fmt"
	"net"
	"sync"
)

// DialFunc opens one stream to host:port. In a browser it is the bridge's
// Dial; natively it can be net.Dialer.DialContext. The host may be a name:
// resolving it is the dialer's job (the bridge resolves on the server side).
type DialFunc func(ctx context.Context, network, address string) (net.Conn, error)

// nameTable lets neutrino, which wants IP addresses, carry host names through
// to a DialFunc that resolves them elsewhere. Each name gets a stable address
// from 240.0.0.0/4, a range reserved for future use that no real peer has.
type nameTable struct {
	mu     sync.Mutex
	byName map[string]net.IP
	byIP   map[string]string
}

func newNameTable() *nameTable {
	return &nameTable{byName: map[string]net.IP{}, byIP: map[string]string{}}
}

// resolve maps a host name to its placeholder address.
func (t *nameTable) resolve(host string) ([]net.IP, error) {
	if ip := net.ParseIP(host); ip != nil {
		return []net.IP{ip}, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if ip, ok := t.byName[host]; ok {
		return []net.IP{ip}, nil
	}
	n := len(t.byName) + 1
	if n >= 1<<24 {
		return nil, fmt.Errorf("resolve %s: too many host names", host)
	}
	ip := net.IPv4(240, byte(n>>16), byte(n>>8), byte(n)).To4()
	t.byName[host] = ip
	t.byIP[ip.String()] = host
	return []net.IP{ip}, nil
}

// hostFor turns a placeholder address back into the name it stands for.
func (t *nameTable) hostFor(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if name, ok := t.byIP[host]; ok {
		return net.JoinHostPort(name, port)
	}
	return addr.String()
}
