package itest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"lnwasm/node"
	"lnwasm/node/pay"
)

const (
	// inFlight is how many payments each side keeps going at once.
	inFlight = 8
	// throughputPayments is how many payments each side makes per round.
	throughputPayments = 100
)

// BenchmarkPaymentThroughput: our native node and the playground's payer
// lnd each pay the hub over their own direct channel to it, inFlight
// payments at a time, in alternating rounds. Every payment is an HTLC
// added and settled, at least two commitment updates each way; the
// figure is payments settled per second, and lnd receives both.
func BenchmarkPaymentThroughput(b *testing.B) {
	d, n := benchNodeWithHubChannel(b)
	hub, payer := newLndREST(b, d.Hub), newLndREST(b, d.Payer)
	var ours, lnd time.Duration
	count := 0
	for i := 0; i < b.N; i++ {
		for range 2 {
			ours += runInFlight(b, hub.invoices(b, throughputPayments, 1_000), func(req string) error {
				return ourPayment(n, req)
			})
			lnd += runInFlight(b, hub.invoices(b, throughputPayments, 1_000), payer.pay)
			count += throughputPayments
		}
	}
	o, l := float64(count)/ours.Seconds(), float64(count)/lnd.Seconds()
	b.ReportMetric(o, "ours-pay/s")
	b.ReportMetric(l, "lnd-pay/s")
	b.ReportMetric(o/l, "ours/lnd")
	b.Logf("payments to the hub over a direct channel, %d in flight, %d each: ours (native) %.1f/s in %v, lnd %.1f/s in %v (x%.2f)",
		inFlight, count, o, ours, l, lnd, o/l)
}

// ourPayment pays req with our node and requires it to succeed.
func ourPayment(n *node.Node, req string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	p, err := n.SendPayment(ctx, node.SendPaymentRequest{PaymentRequest: req})
	if err != nil {
		return err
	}
	if p.Status != pay.StatusSucceeded {
		return fmt.Errorf("our payment %s", p.Status)
	}
	return nil
}

// runInFlight pays every invoice with pay, inFlight at a time, and returns
// the wall time from the first start to the last outcome.
func runInFlight(b *testing.B, reqs []string, pay func(string) error) time.Duration {
	work := make(chan string)
	errs := make(chan error, len(reqs))
	var wg sync.WaitGroup
	start := time.Now()
	for range inFlight {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for req := range work {
				errs <- pay(req)
			}
		}()
	}
	for _, r := range reqs {
		work <- r
	}
	close(work)
	wg.Wait()
	took := time.Since(start)
	close(errs)
	for err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
	return took
}
