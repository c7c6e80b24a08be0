//go:build !js

package bridge

import (
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// LightningPort is the BOLT 1 default port, allowed by DefaultPolicy.
const LightningPort = 9735

// The defaults NewHandler puts in zero Policy fields.
const (
	DefaultMaxStreamsPerIP = 16
	DefaultConnectRate     = 4.0 // connects per second per client IP
	DefaultConnectBurst    = 16
	DefaultConnectTimeout  = 10 * time.Second
	DefaultIdleTimeout     = 5 * time.Minute
	DefaultMaxFrameSize    = 1 << 20
	DefaultBufferSize      = 32 << 10
)

// Policy says who may use the bridge and where it may connect. The zero
// value of each numeric field means its default; see DefaultPolicy.
type Policy struct {
	// AllowPorts lists the only destination ports. It is checked even when
	// AllowPrivate is set; an empty list refuses every target.
	AllowPorts []uint16
	// AllowPrivate lets targets resolve to loopback, private, link-local,
	// CGNAT, benchmarking and reserved addresses: for a regtest playground
	// on one machine, never for a public server. Unspecified, multicast and
	// broadcast addresses are refused regardless.
	AllowPrivate bool
	// Origins lists the page origins ("https://app.example" or a bare
	// "app.example:443"; "*" allows any) allowed besides the same origin
	// (Origin host equal to the request Host). Requests without an Origin
	// header are native clients and are allowed.
	Origins []string
	// MaxStreamsPerIP caps concurrent streams per client IP (IPv6 clients
	// are counted per /64). Negative means no cap.
	MaxStreamsPerIP int
	// ConnectRate is the sustained connects per second allowed per client
	// IP, with ConnectBurst allowed at once. Negative means no limit.
	ConnectRate  float64
	ConnectBurst int
	// ConnectTimeout bounds DNS resolution plus the TCP connect.
	ConnectTimeout time.Duration
	// IdleTimeout closes a stream when no byte has moved either way for
	// this long. Negative disables it.
	IdleTimeout time.Duration
	// MaxFrameSize is the largest WebSocket message accepted from a client;
	// a larger one closes the stream with 1009. Dial sends at most 64 KiB
	// per frame, so smaller values break Dial clients.
	MaxFrameSize int64
	// BufferSize is the relay buffer per direction. With blocking copies it
	// is all the bridge buffers, so a slow reader on either side stalls the
	// other side instead of growing memory.
	BufferSize int
}

// DefaultPolicy is a public server's policy for a network whose Bitcoin
// P2P port is p2pPort: Lightning's 9735 and that port, public targets only,
// same-origin pages only, and the default limits.
func DefaultPolicy(p2pPort uint16) Policy {
	ports := []uint16{LightningPort}
	if p2pPort != LightningPort && p2pPort != 0 {
		ports = append(ports, p2pPort)
	}
	return Policy{
		AllowPorts:      ports,
		MaxStreamsPerIP: DefaultMaxStreamsPerIP,
		ConnectRate:     DefaultConnectRate,
		ConnectBurst:    DefaultConnectBurst,
		ConnectTimeout:  DefaultConnectTimeout,
		IdleTimeout:     DefaultIdleTimeout,
		MaxFrameSize:    DefaultMaxFrameSize,
		BufferSize:      DefaultBufferSize,
	}
}

// withDefaults fills zero fields, so a Policy literal that sets only what
// it cares about gets sane limits rather than none.
func (p Policy) withDefaults(log *slog.Logger) Policy {
	p.AllowPorts = slices.Clone(p.AllowPorts)
	p.Origins = slices.Clone(p.Origins)
	if p.MaxStreamsPerIP == 0 {
		p.MaxStreamsPerIP = DefaultMaxStreamsPerIP
	}
	if p.ConnectRate == 0 {
		p.ConnectRate = DefaultConnectRate
	}
	if p.ConnectBurst <= 0 {
		p.ConnectBurst = DefaultConnectBurst
	}
	if p.ConnectTimeout <= 0 {
		p.ConnectTimeout = DefaultConnectTimeout
	}
	if p.IdleTimeout == 0 {
		p.IdleTimeout = DefaultIdleTimeout
	}
	if p.MaxFrameSize <= 0 {
		p.MaxFrameSize = DefaultMaxFrameSize
	}
	if p.BufferSize <= 0 {
		p.BufferSize = DefaultBufferSize
	}
	if len(p.AllowPorts) == 0 {
		log.Warn("bridge policy allows no ports: every target will be refused")
	}
	if p.MaxFrameSize < clientFrameSize {
		log.Warn("bridge MaxFrameSize is below what Dial sends per frame",
			"max_frame_size", p.MaxFrameSize, "dial_frame_size", clientFrameSize)
	}
	return p
}

// portAllowed is the port half of the destination policy.
func (p *Policy) portAllowed(port uint16) bool {
	return slices.Contains(p.AllowPorts, port)
}

// portRefusal explains a refused port, listing what is allowed so the user
// can fix the target.
func (p *Policy) portRefusal(port uint16) *refusal {
	allowed := make([]string, len(p.AllowPorts))
	for i, ap := range p.AllowPorts {
		allowed[i] = strconv.Itoa(int(ap))
	}
	list := strings.Join(allowed, ", ")
	if list == "" {
		list = "none"
	}
	return &refusal{
		reason: reasonPolicyPort,
		msg:    fmt.Sprintf("refused: port %d is not allowed (allowed: %s)", port, list),
	}
}

// checkIP is the address half of the destination policy, applied to the
// resolved IP right before connect.
func (p *Policy) checkIP(ip netip.Addr) *ipRefusal {
	class := ClassifyIP(ip)
	switch {
	case class == ClassPublic:
		return nil
	case !class.Routable():
		return &ipRefusal{ip: ip, class: class, why: "never a valid peer"}
	case p.AllowPrivate:
		return nil
	default:
		return &ipRefusal{ip: ip, class: class, why: "server does not allow private targets"}
	}
}

// ipRefusal is the Control hook's error: it keeps the IP and class so the
// stream can name the host the user asked for in the close reason.
type ipRefusal struct {
	ip    netip.Addr
	class IPClass
	why   string
}

// Error names the IP, its class, and why it is refused.
func (e *ipRefusal) Error() string {
	return fmt.Sprintf("refused: %s is %s (%s)", e.ip.Unmap(), e.class, e.why)
}

// describe is the close reason, naming the host when it was a name.
func (e *ipRefusal) describe(host string) string {
	ip := e.ip.Unmap().String()
	if h, err := netip.ParseAddr(host); err == nil && h.Unmap() == e.ip.Unmap() {
		return fmt.Sprintf("refused: %s is %s (%s)", host, e.class, e.why)
	}
	return fmt.Sprintf("refused: %s resolves to %s, %s (%s)", host, ip, e.class, e.why)
}
