package storecheck

import (
	"fmt"

	"lnwasm/node/store"
)

// Result is one case's outcome outside go test.
type Result struct {
	Name  string `json:"name"`
	Error string `json:"error,omitempty"`
}

// recorder is a TB that stops a case at its first failure.
type recorder struct{ failed []string }

type stop struct{}

func (r *recorder) Helper()           {}
func (r *recorder) Error(args ...any) { r.failed = append(r.failed, fmt.Sprint(args...)) }
func (r *recorder) Fatal(args ...any) { r.Error(args...); panic(stop{}) }
func (r *recorder) Fatalf(f string, a ...any) {
	r.failed = append(r.failed, fmt.Sprintf(f, a...))
	panic(stop{})
}

// RunAll runs every case on a fresh store from open, outside go test.
func RunAll(open func(i int) (store.Store, error)) []Result {
	out := make([]Result, 0, len(Cases))
	for i, c := range Cases {
		res := Result{Name: c.Name}
		s, err := open(i)
		if err != nil {
			res.Error = "open: " + err.Error()
			out = append(out, res)
			continue
		}
		r := &recorder{}
		func() {
			defer func() {
				if p := recover(); p != nil {
					if _, ok := p.(stop); !ok {
						r.failed = append(r.failed, fmt.Sprint("panic: ", p))
					}
				}
			}()
			c.Run(r, s)
		}()
		if len(r.failed) > 0 {
			res.Error = fmt.Sprint(r.failed)
		}
		out = append(out, res)
	}
	return out
}
