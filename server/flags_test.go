package main

import (
	"strings"
	"testing"
)

func TestParseFlagsDefaultsAndEnv(t *testing.T) {
	t.Setenv("LNWASM_LISTEN", "127.0.0.1:9999")
	t.Setenv("LNWASM_ALLOW_PORTS", "9735,38333")
	o, err := parseFlags([]string{"-network", "signet"})
	if err != nil {
		t.Fatal(err)
	}
	if o.listen != "127.0.0.1:9999" || o.network != "signet" {
		t.Errorf("listen %q network %q: environment or flag ignored", o.listen, o.network)
	}
	ports, err := o.ports()
	if err != nil || len(ports) != 2 || ports[0] != 9735 || ports[1] != 38333 {
		t.Errorf("ports %v, %v", ports, err)
	}
	// A flag wins over the environment.
	o, err = parseFlags([]string{"-listen", "127.0.0.1:1"})
	if err != nil || o.listen != "127.0.0.1:1" {
		t.Errorf("flag did not override environment: %q %v", o.listen, err)
	}
}

func TestParseFlagsRejectsBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  string
		want string
	}{
		{[]string{"-network", "bitcoincash"}, "", "want regtest, signet"},
		{[]string{"-devnet", "-network", "mainnet"}, "", "regtest"},
		{[]string{"-allow-ports", "9735,abc"}, "", "not a port"},
		{[]string{"-allow-ports", "0"}, "", "not a port"},
		{nil, "LNWASM_DEVNET=maybe", "LNWASM_DEVNET"},
	} {
		if tc.env != "" {
			k, v, _ := strings.Cut(tc.env, "=")
			t.Setenv(k, v)
		}
		_, err := parseFlags(tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %s: err %v, want it to mention %q", tc.args, tc.env, err, tc.want)
		}
	}
}

func TestBridgePolicyFromFlags(t *testing.T) {
	o, err := parseFlags([]string{"-network", "mainnet", "-origins", "https://a.example, https://b.example"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := bridgePolicy(o, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.AllowPrivate {
		t.Error("private targets allowed without -allow-private")
	}
	if len(p.AllowPorts) != 2 || p.AllowPorts[0] != 9735 || p.AllowPorts[1] != 8333 {
		t.Errorf("mainnet ports %v, want [9735 8333]", p.AllowPorts)
	}
	if len(p.Origins) != 2 || p.Origins[1] != "https://b.example" {
		t.Errorf("origins %v", p.Origins)
	}
}
