package chain

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/btcsuite/btclog"
)

func TestSlogAdapterLevels(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a := newSlogAdapter(l, btclog.LevelInfo)
	a.Tracef("trace %d", 1)
	a.Debugf("debug %d", 2)
	a.Infof("info %d", 3)
	a.Warn("warn ", 4)
	a.Errorf("error %d", 5)
	a.Critical("critical ", 6)
	want := []string{`level=INFO msg="info 3"`, `level=WARN msg="warn 4"`,
		`level=ERROR msg="error 5"`, `level=ERROR msg="critical 6"`}
	checkLines(t, buf.String(), want)

	buf.Reset()
	a.SetLevel(btclog.LevelTrace)
	if a.Level() != btclog.LevelTrace {
		t.Fatalf("Level() = %v after SetLevel(trace)", a.Level())
	}
	a.Trace("t")
	a.Debug("d")
	checkLines(t, buf.String(), []string{`level=DEBUG msg=t`, `level=DEBUG msg=d`})

	buf.Reset()
	a.SetLevel(btclog.LevelOff)
	a.Critical("dropped")
	if buf.Len() != 0 {
		t.Fatalf("LevelOff still logged: %s", buf.String())
	}
}

// TestSlogAdapterHandlerFilters checks the slog handler's own level applies
// after the adapter's: a debug line the adapter passes is dropped by a
// handler at warn.
func TestSlogAdapterHandlerFilters(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a := newSlogAdapter(l, btclog.LevelDebug)
	a.Debug("quiet")
	a.Info("quiet too")
	a.Warnf("loud %s", "enough")
	checkLines(t, buf.String(), []string{`level=WARN msg="loud enough"`})
}

func checkLines(t *testing.T, out string, want []string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if out == "" {
		lines = nil
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), out)
	}
	for i, w := range want {
		if !strings.Contains(lines[i], w) {
			t.Errorf("line %d = %q, want it to contain %q", i, lines[i], w)
		}
	}
}
