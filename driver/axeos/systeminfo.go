package axeos

import (
	"encoding/json"
	"errors"
	"fmt"
)

// systemInfo is the part of GET /api/system/info that hearth reads. Field
// names and units are the firmware's; the mapping to hearth's base units is
// in reading.go. Fields not listed here are skipped by the decoder.
//
// The field set changed over the releases: v2.6.1 has asicCount and the
// flat stratum fields only; v2.9.0 adds expectedHashrate; v2.11.0 turns
// bestDiff into a number and adds temp2 and fan2rpm; v2.14.0 adds
// actualFrequency, miningPaused and hardware_fault; v2.15.0 adds pools[].
type systemInfo struct {
	// Identity.
	ASICModel    string `json:"ASICModel"`
	Version      string `json:"version"`
	BoardVersion string `json:"boardVersion"`
	Hostname     string `json:"hostname"`
	MACAddr      string `json:"macAddr"`

	// Telemetry. Hash rates are GH/s, power W, temperatures °C,
	// frequencies MHz.
	Power            flexFloat `json:"power"`
	Temp             flexFloat `json:"temp"`  // average chip temperature
	Temp2            flexFloat `json:"temp2"` // second chip sensor, where fitted
	VRTemp           flexFloat `json:"vrTemp"`
	ActualFrequency  flexFloat `json:"actualFrequency"`
	Frequency        flexFloat `json:"frequency"` // configured
	ExpectedHashrate flexFloat `json:"expectedHashrate"`
	HashRate         flexFloat `json:"hashRate"`
	FanSpeed         flexFloat `json:"fanspeed"` // duty, percent
	FanRPM           flexFloat `json:"fanrpm"`
	Fan2RPM          flexFloat `json:"fan2rpm"`
	AsicCount        flexFloat `json:"asicCount"` // until v2.10
	SharesAccepted   flexFloat `json:"sharesAccepted"`
	SharesRejected   flexFloat `json:"sharesRejected"`
	UptimeSeconds    flexFloat `json:"uptimeSeconds"`
	// BestDiff and BestSessionDiff are decoded for their type change
	// ("483k" before v2.11.0, a number since); hearth's Reading has no
	// field for them yet.
	BestDiff        difficulty `json:"bestDiff"`
	BestSessionDiff difficulty `json:"bestSessionDiff"`

	// State and faults.
	MiningPaused  flexBool `json:"miningPaused"`
	OverheatMode  flexBool `json:"overheat_mode"`
	PowerFault    string   `json:"power_fault"`
	HardwareFault string   `json:"hardware_fault"`

	// HashrateMonitor lists one entry per ASIC (v2.14.0+).
	HashrateMonitor struct {
		ASICs []struct{} `json:"asics"`
	} `json:"hashrateMonitor"`

	// Pools: pools[] since v2.15.0, the flat fields in every release.
	Pools                  []poolConfig `json:"pools"`
	PrimaryPoolIndex       flexFloat    `json:"primaryPoolIndex"`
	SecondaryPoolIndex     flexFloat    `json:"secondaryPoolIndex"`
	IsUsingFallbackStratum flexBool     `json:"isUsingFallbackStratum"`
	PoolConnectionInfo     *string      `json:"poolConnectionInfo"`

	StratumURL      string    `json:"stratumURL"`
	StratumPort     flexFloat `json:"stratumPort"`
	StratumUser     string    `json:"stratumUser"`
	StratumTLS      flexFloat `json:"stratumTLS"`
	StratumProtocol string    `json:"stratumProtocol"`

	FallbackStratumURL      string    `json:"fallbackStratumURL"`
	FallbackStratumPort     flexFloat `json:"fallbackStratumPort"`
	FallbackStratumUser     string    `json:"fallbackStratumUser"`
	FallbackStratumTLS      flexFloat `json:"fallbackStratumTLS"`
	FallbackStratumProtocol string    `json:"fallbackStratumProtocol"`

	// typeError describes the first field whose JSON type did not fit
	// (a string where an object was expected, say). The field is left
	// empty and the rest of the reply is still used.
	typeError string
}

// poolConfig is one entry of pools[] (v2.15.0+). ID is the slot (0-7)
// that primaryPoolIndex and secondaryPoolIndex refer to.
type poolConfig struct {
	ID       flexFloat `json:"id"`
	Protocol string    `json:"stratumProtocol"` // "SV1" or "SV2"
	URL      string    `json:"stratumURL"`
	Port     flexFloat `json:"stratumPort"`
	User     string    `json:"stratumUser"`
	TLS      flexFloat `json:"stratumTLS"` // 0 none, 1 bundled CA, 2 custom certificate
}

// errNotJSON is the cause of a decoding failure that is a syntax error.
var errNotJSON = errors.New("reply is not JSON")

// decodeSystemInfo decodes a /api/system/info body. It fails only when b is
// not one well-formed JSON value; a field of the wrong type is left empty
// and noted in typeError. Whether the value is AxeOS at all is for
// looksLikeAxeOS to say.
func decodeSystemInfo(b []byte) (*systemInfo, error) {
	info := new(systemInfo)
	err := json.Unmarshal(b, info)
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
	case errors.As(err, &typeErr):
		info.typeError = fmt.Sprintf("field %q is a JSON %s, not the %s expected", typeErr.Field, typeErr.Value, typeErr.Type)
	default:
		return nil, fmt.Errorf("%w: %w", errNotJSON, err)
	}
	return info, nil
}

// looksLikeAxeOS reports whether the decoded reply is AxeOS's system info:
// every release since the first sends the ASIC model and the hash rate.
func (s *systemInfo) looksLikeAxeOS() bool {
	return s.ASICModel != "" && s.HashRate.ok
}
