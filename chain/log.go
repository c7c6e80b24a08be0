package chain

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/btcsuite/btclog"
)

// slogAdapter lets neutrino and btcd, which log through btclog, write into
// the node's log/slog logger so one handler sees everything.
type slogAdapter struct {
	l     *slog.Logger
	level btclog.Level
}

var _ btclog.Logger = (*slogAdapter)(nil)

func newSlogAdapter(l *slog.Logger, level btclog.Level) *slogAdapter {
	return &slogAdapter{l: l, level: level}
}

func (a *slogAdapter) log(lvl btclog.Level, msg string) {
	if lvl < a.level {
		return
	}
	var s slog.Level
	switch {
	case lvl <= btclog.LevelDebug:
		s = slog.LevelDebug
	case lvl == btclog.LevelInfo:
		s = slog.LevelInfo
	case lvl == btclog.LevelWarn:
		s = slog.LevelWarn
	default:
		s = slog.LevelError
	}
	a.l.Log(context.Background(), s, msg)
}

func (a *slogAdapter) Tracef(f string, p ...interface{}) {
	a.log(btclog.LevelTrace, fmt.Sprintf(f, p...))
}
func (a *slogAdapter) Debugf(f string, p ...interface{}) {
	a.log(btclog.LevelDebug, fmt.Sprintf(f, p...))
}
func (a *slogAdapter) Infof(f string, p ...interface{}) {
	a.log(btclog.LevelInfo, fmt.Sprintf(f, p...))
}
func (a *slogAdapter) Warnf(f string, p ...interface{}) {
	a.log(btclog.LevelWarn, fmt.Sprintf(f, p...))
}
func (a *slogAdapter) Errorf(f string, p ...interface{}) {
	a.log(btclog.LevelError, fmt.Sprintf(f, p...))
}
func (a *slogAdapter) Criticalf(f string, p ...interface{}) {
	a.log(btclog.LevelCritical, fmt.Sprintf(f, p...))
}
func (a *slogAdapter) Trace(v ...interface{})    { a.log(btclog.LevelTrace, fmt.Sprint(v...)) }
func (a *slogAdapter) Debug(v ...interface{})    { a.log(btclog.LevelDebug, fmt.Sprint(v...)) }
func (a *slogAdapter) Info(v ...interface{})     { a.log(btclog.LevelInfo, fmt.Sprint(v...)) }
func (a *slogAdapter) Warn(v ...interface{})     { a.log(btclog.LevelWarn, fmt.Sprint(v...)) }
func (a *slogAdapter) Error(v ...interface{})    { a.log(btclog.LevelError, fmt.Sprint(v...)) }
func (a *slogAdapter) Critical(v ...interface{}) { a.log(btclog.LevelCritical, fmt.Sprint(v...)) }
func (a *slogAdapter) Level() btclog.Level       { return a.level }
func (a *slogAdapter) SetLevel(l btclog.Level)   { a.level = l }
