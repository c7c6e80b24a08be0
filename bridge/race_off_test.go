//go:build !race && !js

package bridge

// raceEnabled lets the load test use fewer streams under the race
// detector, which multiplies each goroutine's cost.
const raceEnabled = false
