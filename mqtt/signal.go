package mqtt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
)

// MaxPayloadBytes is the most a message may hold: a signal is a word, a
// number or a small JSON object.
const MaxPayloadBytes = 4096

// SignalKind is what a message asks of the sites.
type SignalKind string

// The kinds of signal.
const (
	// SignalOn lifts the topic's limit: full power.
	SignalOn SignalKind = "on"
	// SignalOff curtails the sites' flexible load fully.
	SignalOff SignalKind = "off"
	// SignalLimit caps the sites' power at LimitWatts.
	SignalLimit SignalKind = "limit"
	// SignalShed sheds ShedFraction of the sites' flexible power.
	SignalShed SignalKind = "shed"
)

// Signal is one message on the topic, parsed.
type Signal struct {
	Kind         SignalKind
	LimitWatts   float64
	ShedFraction float64
	// At is the time the publisher stamped the message with; zero when
	// it sent none.
	At time.Time
}

// String words the signal for reasons and logs.
func (s Signal) String() string {
	switch s.Kind {
	case SignalLimit:
		return fmt.Sprintf("limit %g kW", s.LimitWatts/1000)
	case SignalShed:
		return fmt.Sprintf("shed %g", s.ShedFraction)
	}
	return strings.ToUpper(string(s.Kind))
}

// ParseSignal reads a message payload:
//
//   - ON or OFF (any case): no limit, or curtail fully;
//   - a number: a limit in kW;
//   - a JSON object with one of {"limit_kw": 12.5}, {"shed": 0.5} or
//     {"state": "on"|"off"}, and optionally "timestamp", an RFC 3339
//     time or Unix seconds, so that a stale message can be told apart.
//
// Anything else is an EINVALID error (EPROTOCOL for broken JSON,
// ETOOLARGE past MaxPayloadBytes).
func ParseSignal(payload []byte) (Signal, error) {
	if len(payload) > MaxPayloadBytes {
		return Signal{}, hearth.Errorf(hearth.ETOOLARGE, "An MQTT signal of %d bytes is over %d.", len(payload), MaxPayloadBytes)
	}
	p := bytes.TrimSpace(payload)
	switch strings.ToLower(string(p)) {
	case "on":
		return Signal{Kind: SignalOn}, nil
	case "off":
		return Signal{Kind: SignalOff}, nil
	}
	if len(p) > 0 && p[0] == '{' {
		return parseJSONSignal(p)
	}
	kw, err := strconv.ParseFloat(string(p), 64)
	if err != nil {
		return Signal{}, hearth.Errorf(hearth.EINVALID, "MQTT signal %q: use ON, OFF, a limit in kW or a JSON object.", truncate(p))
	}
	return limitSignal(kw)
}

// limitSignal is a limit of kw kilowatts, checked.
func limitSignal(kw float64) (Signal, error) {
	if !(kw >= 0) || math.IsInf(kw, 0) || kw > 1e9 {
		return Signal{}, hearth.Errorf(hearth.EINVALID, "MQTT signal: a limit must be zero or more kW, not %v.", kw)
	}
	return Signal{Kind: SignalLimit, LimitWatts: kw * 1000}, nil
}

// parseJSONSignal reads the JSON form of a signal.
func parseJSONSignal(p []byte) (Signal, error) {
	var doc struct {
		LimitKW   *float64        `json:"limit_kw"`
		Shed      *float64        `json:"shed"`
		State     *string         `json:"state"`
		Timestamp json.RawMessage `json:"timestamp"`
	}
	if err := json.Unmarshal(p, &doc); err != nil {
		return Signal{}, hearth.WrapError(hearth.EPROTOCOL, err, "MQTT signal %q is not valid JSON.", truncate(p))
	}
	n := 0
	for _, set := range []bool{doc.LimitKW != nil, doc.Shed != nil, doc.State != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return Signal{}, hearth.Errorf(hearth.EINVALID, "MQTT signal %q: give exactly one of limit_kw, shed and state.", truncate(p))
	}
	var s Signal
	var err error
	switch {
	case doc.LimitKW != nil:
		s, err = limitSignal(*doc.LimitKW)
	case doc.Shed != nil:
		if !(*doc.Shed >= 0 && *doc.Shed <= 1) {
			return Signal{}, hearth.Errorf(hearth.EINVALID, "MQTT signal: shed must be between 0 and 1, not %v.", *doc.Shed)
		}
		s = Signal{Kind: SignalShed, ShedFraction: *doc.Shed}
	default:
		switch strings.ToLower(*doc.State) {
		case "on":
			s = Signal{Kind: SignalOn}
		case "off":
			s = Signal{Kind: SignalOff}
		default:
			return Signal{}, hearth.Errorf(hearth.EINVALID, "MQTT signal: state must be on or off, not %q.", truncate([]byte(*doc.State)))
		}
	}
	if err != nil {
		return Signal{}, err
	}
	if len(doc.Timestamp) > 0 && string(doc.Timestamp) != "null" {
		if s.At, err = parseTimestamp(doc.Timestamp); err != nil {
			return Signal{}, err
		}
	}
	return s, nil
}

// parseTimestamp reads an RFC 3339 string or Unix seconds.
func parseTimestamp(raw json.RawMessage) (time.Time, error) {
	var str string
	if json.Unmarshal(raw, &str) == nil {
		t, err := time.Parse(time.RFC3339Nano, str)
		if err != nil {
			return time.Time{}, hearth.Errorf(hearth.EINVALID, "MQTT signal: timestamp %q is not an RFC 3339 time.", truncate([]byte(str)))
		}
		return t, nil
	}
	var sec float64
	if err := json.Unmarshal(raw, &sec); err != nil || !(sec > 0) || sec > 1e11 {
		return time.Time{}, hearth.Errorf(hearth.EINVALID, "MQTT signal: timestamp %s is neither an RFC 3339 time nor Unix seconds.", truncate(raw))
	}
	whole, frac := math.Modf(sec)
	return time.Unix(int64(whole), int64(frac*1e9)).UTC(), nil
}

// truncate keeps error texts short whatever a publisher sends.
func truncate(p []byte) string {
	if len(p) > 64 {
		return string(p[:64]) + "…"
	}
	return string(p)
}

// Request returns the power request a signal makes from now for ttl: a
// full shed for OFF, a limit, a partial shed, or a resume for ON (which
// holds no site back; it records what the topic said). End is now + ttl:
// a publisher that stops sending lets the signal lapse.
func (s Signal) Request(now time.Time, ttl time.Duration, reason string) hearth.PowerRequest {
	r := hearth.PowerRequest{ID: RequestID, Start: now, End: now.Add(ttl), Reason: reason}
	switch s.Kind {
	case SignalOff:
		r.Kind, r.ShedFraction = hearth.RequestShed, 1
	case SignalShed:
		r.Kind, r.ShedFraction = hearth.RequestShed, s.ShedFraction
	case SignalLimit:
		r.Kind, r.LimitWatts = hearth.RequestLimit, s.LimitWatts
	default:
		r.Kind = hearth.RequestResume
	}
	return r
}

// RequestID is the ID of a topic's request within its program.
const RequestID = "signal"
