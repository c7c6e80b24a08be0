package graph

import (
	"sync"
	"testing"
	"time"

	"lnwasm/node/lnwire"
	"lnwasm/node/store"
)

// TestConcurrentUse runs gossip, searches, flushes and prunes at once; it
// is meant for -race, and checks the graph is whole afterwards.
func TestConcurrentUse(t *testing.T) {
	g := mustNew(t, store.NewMemory())
	buildSigned(t, g) // updates at timestamp 1000 and 1001
	a, b := newKey("a"), newKey("b")
	s := scid(t, 600000, 1)
	var updates []*lnwire.ChannelUpdate
	for i := 0; i < 50; i++ {
		updates = append(updates, update(t, s, a, b, 2000+uint32(i), basicPolicy))
	}
	errs := make(chan error, 200)
	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		defer wg.Done()
		for _, u := range updates {
			errs <- g.AddChannelUpdate(u)
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < 50; i++ {
			_, err := g.FindRoute(RouteRequest{Source: a.id(), Target: newKey("d").id(), AmountMsat: 1000, Height: 1}, nil, testNow)
			errs <- err
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < 20; i++ {
			errs <- g.Flush()
			g.Prune(time.Unix(0, 0).Add(StaleAfter)) // nothing predates 1970
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	c, _ := g.Channel(s)
	if g.NumChannels() != 3 || max(c.Policies[0].Timestamp, c.Policies[1].Timestamp) != 2049 {
		t.Fatalf("%d channels, policies %+v %+v", g.NumChannels(), c.Policies[0], c.Policies[1])
	}
}
