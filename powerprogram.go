package hearth

import (
	"context"
	"encoding/json"
	"time"
)

// ProgramKind names the kind of signal source a power program listens to.
// Each kind is a plug-in: a package registers how to run it (see package
// program), and hearth starts one runner per enabled program.
type ProgramKind string

// The kinds of power programs hearth ships.
const (
	// ProgramOpenADR is an OpenADR 3 VEN of a grid operator's or an
	// aggregator's VTN.
	ProgramOpenADR ProgramKind = "openadr"
	// ProgramPrice is the price response to an electricity price feed.
	ProgramPrice ProgramKind = "price"
	// ProgramMQTT is a plain signal on an MQTT topic.
	ProgramMQTT ProgramKind = "mqtt"
	// ProgramAggregator makes this hearth a child of an aggregating
	// hearth, which gives it targets.
	ProgramAggregator ProgramKind = "aggregator"
)

// DefaultSilentAfter is how long a program's source may stay silent
// before its fail mode applies, when the program does not say.
const DefaultSilentAfter = 15 * time.Minute

// PowerProgram is a configured signal source: where hearth listens (a VTN,
// a price feed, a topic, an aggregator), which sites it drives, and what
// those sites do when the source goes silent. Its Settings are the kind's
// own, without secrets; Secret (an OAuth client secret, an MQTT password,
// an API key) is sealed at rest and never returned.
type PowerProgram struct {
	Name string      `json:"name"`
	Kind ProgramKind `json:"kind"`
	// Sites are the sites the program's requests apply to.
	Sites []string `json:"sites"`
	// FailMode applies after SilentAfter without word from the source.
	FailMode    FailMode      `json:"fail_mode"`
	SilentAfter time.Duration `json:"silent_after"`
	Enabled     bool          `json:"enabled"`
	// Settings are the kind's settings as JSON (a VTN URL and client ID,
	// a feed URL and strike price, a broker and topic).
	Settings json.RawMessage `json:"settings,omitempty"`
	// Secret is the kind's secret. Reads return "***" when one is
	// stored, and a write of "***" keeps the stored one.
	Secret    string    `json:"secret,omitempty"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// RedactedSecret stands for a stored secret in replies, and in a write
// keeps the secret stored.
const RedactedSecret = "***"

// Validate reports an EINVALID error naming what makes p unusable. The
// kind's own settings are checked by its runner (see package program).
func (p *PowerProgram) Validate() error {
	if err := ValidateName("Program", p.Name); err != nil {
		return err
	}
	if p.Kind == "" {
		return Errorf(EINVALID, "Program %s needs a kind: openadr, price, mqtt or aggregator.", p.Name)
	}
	if len(p.Sites) == 0 {
		return Errorf(EINVALID, "Program %s needs at least one site.", p.Name)
	}
	for _, s := range p.Sites {
		if err := ValidateName("Site", s); err != nil {
			return err
		}
	}
	if err := p.FailMode.Validate(); err != nil {
		return err
	}
	if p.SilentAfter < 0 {
		return Errorf(EINVALID, "Program %s: silent_after must not be negative.", p.Name)
	}
	if len(p.Settings) > 0 && !json.Valid(p.Settings) {
		return Errorf(EINVALID, "Program %s: settings must be JSON.", p.Name)
	}
	if len(p.Settings) > 64<<10 || len(p.Secret) > 4096 {
		return Errorf(EINVALID, "Program %s: settings or secret too long.", p.Name)
	}
	return nil
}

// Silence returns how long the program's source may be silent.
func (p *PowerProgram) Silence() time.Duration {
	if p.SilentAfter > 0 {
		return p.SilentAfter
	}
	return DefaultSilentAfter
}

// Redacted returns a copy of p whose secret reads "***" when one is set.
func (p PowerProgram) Redacted() PowerProgram {
	if p.Secret != "" {
		p.Secret = RedactedSecret
	}
	return p
}

// PowerProgramService stores power programs, their secrets sealed.
type PowerProgramService interface {
	// FindPowerPrograms returns every program by name, secrets redacted.
	FindPowerPrograms(ctx context.Context) ([]*PowerProgram, error)
	// FindPowerProgramByName returns one program with its secret opened,
	// for its runner; ENOTFOUND when there is none.
	FindPowerProgramByName(ctx context.Context, name string) (*PowerProgram, error)
	// SetPowerProgram creates or replaces p; a Secret of "***" keeps the
	// stored secret.
	SetPowerProgram(ctx context.Context, p *PowerProgram) error
	// DeletePowerProgram removes a program; ENOTFOUND when there is none.
	DeletePowerProgram(ctx context.Context, name string) error
}
