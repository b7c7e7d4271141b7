package openadr_test

import (
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/openadr"
)

func TestConfigValidate(t *testing.T) {
	good := func() openadr.Config {
		return openadr.Config{URL: "https://vtn.example.com/oadr", Version: openadr.Version310, ClientID: "c", ClientSecret: "s", VENName: "hearth",
			Programs: []openadr.ProgramConfig{{Name: "p", Sites: []string{"a"}}}}
	}
	cfg := good()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	p := cfg.Programs[0]
	if cfg.PollInterval != openadr.DefaultPollInterval || p.FailMode != hearth.FailHold || p.SilentAfter != openadr.DefaultSilentAfter || p.SimpleLevels[2] != 0.75 {
		t.Errorf("defaults not filled: %v %+v", cfg, p)
	}
	for name, break_ := range map[string]func(*openadr.Config){
		"relative URL":       func(c *openadr.Config) { c.URL = "vtn/oadr" },
		"unknown version":    func(c *openadr.Config) { c.Version = "3.2" },
		"no secret":          func(c *openadr.Config) { c.ClientSecret = "" },
		"no VEN name":        func(c *openadr.Config) { c.VENName = "" },
		"no program":         func(c *openadr.Config) { c.Programs = nil },
		"program, no site":   func(c *openadr.Config) { c.Programs[0].Sites = nil },
		"twice":              func(c *openadr.Config) { c.Programs = append(c.Programs, c.Programs[0]) },
		"bad fail mode":      func(c *openadr.Config) { c.Programs[0].FailMode = "panic" },
		"shed above 1":       func(c *openadr.Config) { c.Programs[0].SimpleLevels = map[int]float64{1: 1.5} },
		"callback, no token": func(c *openadr.Config) { c.CallbackURL = "https://hearth.example.com/cb" },
	} {
		c := good()
		break_(&c)
		if err := c.Validate(); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
}
