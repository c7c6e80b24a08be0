package itest

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestMakefileTargetsHaveRules: a target listed as .PHONY but without a
// rule makes `make` print "Nothing to be done" and exit 0, so a lost rule
// looks like success (the fuzz rule was lost once that way).
func TestMakefileTargetsHaveRules(t *testing.T) {
	raw, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	mk := string(raw)
	phony := regexp.MustCompile(`(?m)^\.PHONY:(.*)$`).FindStringSubmatch(mk)
	if phony == nil {
		t.Fatal("no .PHONY line")
	}
	lines := strings.Split(mk, "\n")
	for _, target := range strings.Fields(phony[1]) {
		if !hasRule(lines, target) {
			t.Errorf("make %s: listed as .PHONY, but no rule with prerequisites or a recipe", target)
		}
	}
}

// hasRule reports whether target has a rule line with prerequisites or
// followed by a recipe line.
func hasRule(lines []string, target string) bool {
	for i, l := range lines {
		rest, ok := strings.CutPrefix(l, target+":")
		if !ok || strings.HasPrefix(rest, "=") {
			continue
		}
		if strings.TrimSpace(rest) != "" || (i+1 < len(lines) && strings.HasPrefix(lines[i+1], "\t")) {
			return true
		}
	}
	return false
}
