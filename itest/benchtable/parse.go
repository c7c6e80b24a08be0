package main

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// result is one benchmark line: its name without the -N CPU suffix and
// every value by unit (ns/op, MB/s, and the custom metrics).
type result struct {
	name   string
	values map[string]float64
}

var cpuSuffix = regexp.MustCompile(`-\d+$`)

// parse reads `go test -bench` output; other lines are ignored.
func parse(r io.Reader) (map[string]result, error) {
	out := map[string]result{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue // a log line that starts with a benchmark's name
		}
		res := result{name: cpuSuffix.ReplaceAllString(f[0], ""), values: map[string]float64{}}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("parse %q: value %q: %w", f[0], f[i], err)
			}
			res.values[f[i+1]] = v
		}
		out[res.name] = res
	}
	return out, sc.Err()
}
