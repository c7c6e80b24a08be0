package main

import (
	"os"
	"strings"
	"testing"
)

// TestMakefileWritesEveryStep: a row whose step output `make bench` does
// not write would print "not measured" for ever.
func TestMakefileWritesEveryStep(t *testing.T) {
	mk, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range stepFiles() {
		if !strings.Contains(string(mk), "/bench/"+f+".txt") {
			t.Errorf("rows read %s.txt, which the Makefile's bench target does not write", f)
		}
	}
}
