package main

// metric names one value: the step's file, the benchmark, the unit.
type metric struct{ file, bench, unit string }

// row is one figure of the table: ours against its peer.
type row struct {
	Figure string
	Ours   metric
	Peer   metric
	// PeerName says what the peer is; Fixed, when set, is a fixed peer
	// value (a budget) instead of a measured one.
	PeerName string
	Fixed    float64
	// Higher says a higher value is better (throughput).
	Higher bool
}

// rows is every figure the hardening issue and the earlier ones asked for
// that `make bench` measures.
var rows = []row{
	{Figure: "bridge round trip 64 B, p50 (ns)", Ours: metric{"bridge", "BenchmarkRoundTrip64/bridge", "p50-ns"}, Peer: metric{"bridge", "BenchmarkRoundTrip64/tcp", "p50-ns"}, PeerName: "direct TCP"},
	{Figure: "bridge round trip 64 B, p50 (ns)", Ours: metric{"bridge", "BenchmarkRoundTrip64/bridge", "p50-ns"}, Peer: metric{"bridge", "BenchmarkRoundTrip64/websockify", "p50-ns"}, PeerName: "websockify"},
	{Figure: "bridge round trip 64 B, p99 (ns)", Ours: metric{"bridge", "BenchmarkRoundTrip64/bridge", "p99-ns"}, Peer: metric{"bridge", "BenchmarkRoundTrip64/websockify", "p99-ns"}, PeerName: "websockify"},
	{Figure: "bridge throughput (MB/s)", Ours: metric{"bridge", "BenchmarkThroughput1MiB/bridge", "MB/s"}, Peer: metric{"bridge", "BenchmarkThroughput1MiB/tcp", "MB/s"}, PeerName: "direct TCP", Higher: true},
	{Figure: "bridge throughput (MB/s)", Ours: metric{"bridge", "BenchmarkThroughput1MiB/bridge", "MB/s"}, Peer: metric{"bridge", "BenchmarkThroughput1MiB/websockify", "MB/s"}, PeerName: "websockify", Higher: true},
	{Figure: "BOLT 8 handshake (ns)", Ours: metric{"brontide", "BenchmarkHandshake/lnwasm", "ns/op"}, Peer: metric{"brontide", "BenchmarkHandshake/brontide", "ns/op"}, PeerName: "lnd brontide"},
	{Figure: "BOLT 8 handshake, wasm (ns)", Ours: metric{"noise-wasm", "BenchmarkHandshake", "ns/op"}, Peer: metric{"noise", "BenchmarkHandshake", "ns/op"}, PeerName: "ours native"},
	{Figure: "BOLT 8 1 KiB message (ns)", Ours: metric{"brontide", "BenchmarkThroughput/lnwasm/1KiB", "ns/op"}, Peer: metric{"brontide", "BenchmarkThroughput/brontide/1KiB", "ns/op"}, PeerName: "lnd brontide"},
	{Figure: "BOLT 8 64 KiB message (ns)", Ours: metric{"brontide", "BenchmarkThroughput/lnwasm/65535B", "ns/op"}, Peer: metric{"brontide", "BenchmarkThroughput/brontide/65535B", "ns/op"}, PeerName: "lnd brontide"},
	{Figure: "BOLT 8 64 KiB message, wasm (ns)", Ours: metric{"noise-wasm", "BenchmarkEncryptDecrypt/65535B", "ns/op"}, Peer: metric{"noise", "BenchmarkEncryptDecrypt/65535B", "ns/op"}, PeerName: "ours native"},
	{Figure: "payment latency, native (ms)", Ours: metric{"itest", "BenchmarkPaymentLatencyNative", "ours-ms"}, Peer: metric{"itest", "BenchmarkPaymentLatencyNative", "lnd-ms"}, PeerName: "lnd, same path"},
	{Figure: "payment latency, page (ms)", Ours: metric{"itest", "BenchmarkPaymentLatencyPage", "page-ms"}, Peer: metric{"itest", "BenchmarkPaymentLatencyPage", "lnd-ms"}, PeerName: "lnd, same path"},
	{Figure: "payments per second, native, 8 in flight, one hop", Ours: metric{"itest", "BenchmarkPaymentThroughput", "ours-pay/s"}, Peer: metric{"itest", "BenchmarkPaymentThroughput", "lnd-pay/s"}, PeerName: "lnd, same hub", Higher: true},
	{Figure: "commitment updates per second, in memory", Ours: metric{"channel-wasm", "BenchmarkCommitmentUpdates", "updates/s"}, Peer: metric{"channel", "BenchmarkCommitmentUpdates", "updates/s"}, PeerName: "ours native", Higher: true},
	{Figure: "engine memory after sync, one channel, page (MB)", Ours: metric{"itest", "BenchmarkPaymentLatencyPage", "engine-MB"}, Peer: metric{"itest", "BenchmarkPaymentLatencyPage", "lnd-rss-MB"}, PeerName: "lnd RSS, same state"},
	{Figure: "sync 300 blocks, page (ms)", Ours: metric{"itest", "BenchmarkSync300", "page-sync-ms"}, Peer: metric{"itest", "BenchmarkSync300", "native-ms"}, PeerName: "ours native"},
	{Figure: "pathfinding, 15k nodes (ns)", Ours: metric{"graph-wasm", "BenchmarkFindRouteMainnetSize", "ns/op"}, Peer: metric{"graph", "BenchmarkFindRouteMainnetSize", "ns/op"}, PeerName: "ours native"},
	{Figure: "wasm, brotli (MB)", Ours: metric{"itest", "BenchmarkWasmSize", "brotli-MB"}, PeerName: "budget", Fixed: 3.0},
	{Figure: "wasm, gzip (MB)", Ours: metric{"itest", "BenchmarkWasmSize", "gzip-MB"}, Peer: metric{"itest", "BenchmarkWasmSize", "raw-MB"}, PeerName: "raw"},
}
