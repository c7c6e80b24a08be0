package main

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	in := `goos: linux
BenchmarkRoundTrip64/bridge-2   	    3000	     61234 ns/op	     58000 p50-ns	    120000 p99-ns
BenchmarkThroughput1MiB/tcp-2   	    3000	    400000 ns/op	2621.44 MB/s
BenchmarkSync300    some log line
BenchmarkPaymentLatencyNative 	       1	 9000000000 ns/op	       113.0 lnd-ms	       203.0 ours-ms	         0.5567 ours/lnd
PASS`
	got, err := parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if v := got["BenchmarkRoundTrip64/bridge"].values["p99-ns"]; v != 120000 {
		t.Errorf("p99 %v", v)
	}
	if v := got["BenchmarkThroughput1MiB/tcp"].values["MB/s"]; v != 2621.44 {
		t.Errorf("MB/s %v", v)
	}
	if v := got["BenchmarkPaymentLatencyNative"].values["ours/lnd"]; v != 0.5567 {
		t.Errorf("ratio %v", v)
	}
	if _, ok := got["BenchmarkSync300"]; ok {
		t.Error("a log line was taken for a result")
	}
	if _, err := parse(strings.NewReader("BenchmarkX-2 10 abc ns/op")); err == nil {
		t.Error("a malformed value was accepted")
	}
}
