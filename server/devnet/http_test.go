package devnet

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestMineRejectsBadInput checks the input checks that run before btcd is
// asked anything (the mining itself is covered by itest).
func TestMineRejectsBadInput(t *testing.T) {
	d := &Devnet{}
	mux := http.NewServeMux()
	d.Register(mux)
	for body, want := range map[string]string{
		`{"blocks": 1001}`: "at most 1000",
		`{"blocks": -1}`:   "JSON",
		`not json`:         "JSON",
	} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("POST", "/devnet/mine", strings.NewReader(body)))
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("body %s: %d %s, want 400 mentioning %q", body, rec.Code, rec.Body, want)
		}
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/devnet/mine", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET /devnet/mine: %d, want 405", rec.Code)
	}
}
