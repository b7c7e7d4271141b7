package openadr

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// The JSON objects of the OpenADR 3 REST API, with the field names of the
// specification's YAML. One set serves both versions: the fields that
// exist in only one are documented as such and left empty for the other.

// ObjectType names the kinds of objects the API addresses.
type ObjectType string

// The object types, as the objectTypes enumeration has them.
const (
	ObjectProgram      ObjectType = "PROGRAM"
	ObjectEvent        ObjectType = "EVENT"
	ObjectReport       ObjectType = "REPORT"
	ObjectSubscription ObjectType = "SUBSCRIPTION"
	ObjectVEN          ObjectType = "VEN"
	ObjectResource     ObjectType = "RESOURCE"
)

// Valid reports whether t is in the enumeration.
func (t ObjectType) Valid() bool {
	switch t {
	case ObjectProgram, ObjectEvent, ObjectReport, ObjectSubscription, ObjectVEN, ObjectResource:
		return true
	}
	return false
}

// Metadata is what the VTN provisions on every object it stores.
type Metadata struct {
	ID                   string     `json:"id,omitempty"`
	CreatedDateTime      string     `json:"createdDateTime,omitempty"`
	ModificationDateTime string     `json:"modificationDateTime,omitempty"`
	ObjectType           ObjectType `json:"objectType,omitempty"`
}

// Program is a VTN program: the frame (tariff, DR programme) its events
// belong to.
type Program struct {
	Metadata
	ProgramName        string              `json:"programName"`
	ProgramLongName    string              `json:"programLongName,omitempty"`
	IntervalPeriod     *IntervalPeriod     `json:"intervalPeriod,omitempty"`
	PayloadDescriptors []PayloadDescriptor `json:"payloadDescriptors,omitempty"`
	Targets            Targets             `json:"targets,omitempty"`
}

// Event asks VENs to do something over a list of intervals.
type Event struct {
	Metadata
	ProgramID string `json:"programID"`
	EventName string `json:"eventName,omitempty"`
	Priority  *int   `json:"priority,omitempty"`
	// Duration (3.1.0 only) shortens or lengthens the event's span.
	Duration           string              `json:"duration,omitempty"`
	Targets            Targets             `json:"targets,omitempty"`
	ReportDescriptors  []ReportDescriptor  `json:"reportDescriptors,omitempty"`
	PayloadDescriptors []PayloadDescriptor `json:"payloadDescriptors,omitempty"`
	IntervalPeriod     *IntervalPeriod     `json:"intervalPeriod,omitempty"`
	Intervals          []Interval          `json:"intervals"`
}

// Interval is a temporal window and its payloads. ID is chosen by the
// writer and is not a sequence number.
type Interval struct {
	ID             int32           `json:"id"`
	IntervalPeriod *IntervalPeriod `json:"intervalPeriod,omitempty"`
	Payloads       []ValuesMap     `json:"payloads"`
}

// IntervalPeriod is a start (RFC 3339), a duration and an optional
// randomization of the start, all ISO 8601 durations.
type IntervalPeriod struct {
	Start          string `json:"start,omitempty"`
	Duration       string `json:"duration,omitempty"`
	RandomizeStart string `json:"randomizeStart,omitempty"`
}

// ValuesMap is a payload: a type and its values. A value is a number, a
// string, a boolean or a point {x, y}; encoding/json gives float64,
// string, bool and map[string]any.
type ValuesMap struct {
	Type   string `json:"type"`
	Values []any  `json:"values"`
}

// PayloadDescriptor gives the context of an event's (or a report's)
// payloads: units, currency, reading type.
type PayloadDescriptor struct {
	ObjectType  string `json:"objectType,omitempty"`
	PayloadType string `json:"payloadType"`
	ReadingType string `json:"readingType,omitempty"`
	Units       string `json:"units,omitempty"`
	Currency    string `json:"currency,omitempty"`
}

// The objectType discriminators of payload descriptors.
const (
	EventPayloadDescriptor  = "EVENT_PAYLOAD_DESCRIPTOR"
	ReportPayloadDescriptor = "REPORT_PAYLOAD_DESCRIPTOR"
)

// ReportDescriptor is an event's request for a report.
type ReportDescriptor struct {
	PayloadType   string  `json:"payloadType"`
	ReadingType   string  `json:"readingType,omitempty"`
	Units         string  `json:"units,omitempty"`
	Targets       Targets `json:"targets,omitempty"`
	Aggregate     bool    `json:"aggregate,omitempty"`
	StartInterval *int32  `json:"startInterval,omitempty"`
	NumIntervals  *int32  `json:"numIntervals,omitempty"`
	Historical    *bool   `json:"historical,omitempty"`
	Frequency     *int32  `json:"frequency,omitempty"`
	Repeat        *int32  `json:"repeat,omitempty"`
}

// Report carries a VEN's measurements for an event.
type Report struct {
	Metadata
	// ProgramID is required by 3.0.1 and absent from 3.1.0.
	ProgramID          string              `json:"programID,omitempty"`
	EventID            string              `json:"eventID"`
	ClientName         string              `json:"clientName"`
	ClientID           string              `json:"clientID,omitempty"`
	ReportName         string              `json:"reportName,omitempty"`
	PayloadDescriptors []PayloadDescriptor `json:"payloadDescriptors,omitempty"`
	Resources          []ReportResource    `json:"resources"`
}

// ReportResource is one resource's data in a report; the resource name
// AGGREGATED_REPORT stands for several.
type ReportResource struct {
	ResourceName   string          `json:"resourceName"`
	IntervalPeriod *IntervalPeriod `json:"intervalPeriod,omitempty"`
	Intervals      []Interval      `json:"intervals"`
}

// AggregatedReport is the resource name of a report that sums resources.
const AggregatedReport = "AGGREGATED_REPORT"

// Subscription asks the VTN to POST notifications of object operations
// to a callback URL.
type Subscription struct {
	Metadata
	ClientName string `json:"clientName"`
	ClientID   string `json:"clientID,omitempty"`
	// ProgramID is required by 3.0.1, optional in 3.1.0.
	ProgramID        string            `json:"programID,omitempty"`
	ObjectOperations []ObjectOperation `json:"objectOperations"`
	Targets          Targets           `json:"targets,omitempty"`
}

// ObjectOperation is one entry of a subscription: which objects, which
// operations, where to call and with which bearer token.
type ObjectOperation struct {
	Objects     []ObjectType `json:"objects"`
	Operations  []string     `json:"operations"`
	CallbackURL string       `json:"callbackUrl"`
	BearerToken string       `json:"bearerToken,omitempty"`
}

// Notification is what the VTN POSTs to a subscription's callback.
// Operation is CREATE, READ, UPDATE or DELETE in 3.1.0 and GET, POST, PUT
// or DELETE in 3.0.1.
type Notification struct {
	ObjectType ObjectType      `json:"objectType"`
	Operation  string          `json:"operation"`
	Object     json.RawMessage `json:"object"`
	Targets    Targets         `json:"targets,omitempty"`
}

// Problem is the error body of the API (the Zalando problem schema).
type Problem struct {
	Type     string `json:"type,omitempty"`
	Title    string `json:"title,omitempty"`
	Status   int    `json:"status,omitempty"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
}

// Target is one target of an object. 3.1.0 writes a plain string (Value);
// 3.0.1 a valuesMap such as {"type":"RESOURCE_NAME","values":["a"]}
// (Type and Values).
type Target struct {
	Value  string
	Type   string
	Values []string
}

// Targets is a list of targets in either version's shape.
type Targets []Target

// UnmarshalJSON accepts a string (3.1.0) or a {type, values} object (3.0.1).
func (t *Target) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		*t = Target{}
		return json.Unmarshal(b, &t.Value)
	}
	var vm ValuesMap
	if err := json.Unmarshal(b, &vm); err != nil {
		return fmt.Errorf("target is neither a string nor a valuesMap: %w", err)
	}
	if vm.Type == "" {
		return fmt.Errorf("target valuesMap has no type")
	}
	*t = Target{Type: vm.Type, Values: make([]string, 0, len(vm.Values))}
	for _, v := range vm.Values {
		switch v := v.(type) {
		case string:
			t.Values = append(t.Values, v)
		case float64:
			t.Values = append(t.Values, strconv.FormatFloat(v, 'f', -1, 64))
		case bool:
			t.Values = append(t.Values, strconv.FormatBool(v))
		default:
			return fmt.Errorf("target %s has a value that is not a scalar", vm.Type)
		}
	}
	return nil
}

// MarshalJSON writes the shape the target was read in.
func (t Target) MarshalJSON() ([]byte, error) {
	if t.Type == "" {
		return json.Marshal(t.Value)
	}
	vals := make([]any, len(t.Values))
	for i, v := range t.Values {
		vals[i] = v
	}
	return json.Marshal(ValuesMap{Type: t.Type, Values: vals})
}
