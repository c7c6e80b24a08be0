package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// line is one row of the JSON table.
type line struct {
	Figure   string   `json:"figure"`
	Ours     *float64 `json:"ours"`
	Peer     *float64 `json:"peer"`
	PeerName string   `json:"peerName"`
	// Ratio is ours/peer: under 1 favours us, or over 1 when Higher
	// (throughput).
	Ratio  *float64 `json:"ratio"`
	Higher bool     `json:"higherIsBetter"`
}

type table struct {
	Date    string `json:"date"`
	Machine string `json:"machine"`
	Go      string `json:"go"`
	Rows    []line `json:"rows"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: benchtable DIR (the directory `make bench` wrote its step outputs to)")
		os.Exit(2)
	}
	t, err := build(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
	js, _ := json.MarshalIndent(t, "", "  ")
	if err := os.WriteFile(filepath.Join(os.Args[1], "bench.json"), append(js, '\n'), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
	fmt.Print(markdown(t))
}

// stepFiles are the steps' output files the rows name, each once.
func stepFiles() []string {
	var out []string
	for _, r := range rows {
		for _, f := range []string{r.Ours.file, r.Peer.file} {
			if f != "" && !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
}

// build reads every step's output and fills the rows it has.
func build(dir string) (*table, error) {
	files := map[string]map[string]result{}
	for _, name := range stepFiles() {
		f, err := os.Open(filepath.Join(dir, name+".txt"))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		res, err := parse(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s.txt: %w", name, err)
		}
		files[name] = res
	}
	t := &table{Date: time.Now().UTC().Format("2006-01-02"), Machine: machine(), Go: runtime.Version()}
	for _, r := range rows {
		l := line{Figure: r.Figure, PeerName: r.PeerName, Higher: r.Higher, Ours: lookup(files, r.Ours)}
		if r.Fixed != 0 {
			l.Peer = &r.Fixed
		} else {
			l.Peer = lookup(files, r.Peer)
		}
		if l.Ours != nil && l.Peer != nil && *l.Peer != 0 {
			v := *l.Ours / *l.Peer
			l.Ratio = &v
		}
		t.Rows = append(t.Rows, l)
	}
	return t, nil
}

func lookup(files map[string]map[string]result, m metric) *float64 {
	if v, ok := files[m.file][m.bench].values[m.unit]; ok {
		return &v
	}
	return nil
}

// machine names the CPU and the number of cores the run had.
func machine() string {
	cpu := "unknown CPU"
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(raw), "\n") {
			if strings.HasPrefix(l, "model name") {
				cpu = strings.TrimSpace(l[strings.Index(l, ":")+1:])
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d cores, %s/%s", cpu, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
}

// markdown prints the table for the README.
func markdown(t *table) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Measured %s on %s (%s).\n\n", t.Date, t.Machine, t.Go)
	b.WriteString("| figure | ours | peer | peer value | ours / peer |\n|---|---|---|---|---|\n")
	for _, l := range t.Rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", l.Figure, num(l.Ours), l.PeerName, num(l.Peer), ratio(l))
	}
	return b.String()
}

func num(v *float64) string {
	switch {
	case v == nil:
		return "not measured"
	case *v >= 1000:
		return fmt.Sprintf("%.0f", *v)
	case *v >= 10:
		return fmt.Sprintf("%.1f", *v)
	default:
		return fmt.Sprintf("%.2f", *v)
	}
}

func ratio(l line) string {
	if l.Ratio == nil {
		return "–"
	}
	return fmt.Sprintf("%.2f×", *l.Ratio)
}
