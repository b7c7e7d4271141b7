package vtntest

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/hearth-fleet/hearth/openadr"
)

// parse checks body against check and decodes it into out.
func parse(body []byte, check func(obj) *problemError, out any) *problemError {
	var tree obj
	if p := decode(body, &tree); p != nil {
		return p
	}
	if tree == nil {
		return bad("body must be a JSON object")
	}
	if p := check(tree); p != nil {
		return p
	}
	return decode(body, out)
}

func (v *VTN) createProgram(body []byte) (openadr.Program, *problemError) {
	var p openadr.Program
	if prob := parse(body, v.checkProgram, &p); prob != nil {
		return p, prob
	}
	v.mu.Lock()
	for _, q := range v.programs {
		if q.ProgramName == p.ProgramName {
			v.mu.Unlock()
			return p, problem(http.StatusConflict, "program %q exists", p.ProgramName)
		}
	}
	p.ID = v.newID()
	v.stamp(&p.Metadata, openadr.ObjectProgram, "")
	v.programs = append(v.programs, &p)
	v.mu.Unlock()
	v.notify(openadr.ObjectProgram, "CREATE", p.ID, p)
	return p, nil
}

// hasProgram reports whether a program exists; the caller holds v.mu.
func (v *VTN) hasProgram(id string) bool {
	return slices.ContainsFunc(v.programs, func(p *openadr.Program) bool { return p.ID == id })
}

func (v *VTN) createEvent(body []byte) (openadr.Event, *problemError) {
	var e openadr.Event
	if prob := parse(body, v.checkEvent, &e); prob != nil {
		return e, prob
	}
	v.mu.Lock()
	if !v.hasProgram(e.ProgramID) {
		v.mu.Unlock()
		return e, bad("event: program %s does not exist", e.ProgramID)
	}
	e.ID = v.newID()
	v.stamp(&e.Metadata, openadr.ObjectEvent, "")
	v.events = append(v.events, &e)
	v.mu.Unlock()
	v.notify(openadr.ObjectEvent, "CREATE", e.ProgramID, e)
	return e, nil
}

func (v *VTN) updateEvent(id string, body []byte) (openadr.Event, *problemError) {
	var e openadr.Event
	if prob := parse(body, v.checkEvent, &e); prob != nil {
		return e, prob
	}
	v.mu.Lock()
	i := slices.IndexFunc(v.events, func(x *openadr.Event) bool { return x.ID == id })
	if i < 0 {
		v.mu.Unlock()
		return e, problem(http.StatusNotFound, "no event %s", id)
	}
	if !v.hasProgram(e.ProgramID) {
		v.mu.Unlock()
		return e, bad("event: program %s does not exist", e.ProgramID)
	}
	e.ID = id
	// Modification times must differ from one version to the next even
	// within the clock's resolution.
	prev := v.events[i].ModificationDateTime
	v.stamp(&e.Metadata, openadr.ObjectEvent, v.events[i].CreatedDateTime)
	if e.ModificationDateTime <= prev {
		t, _ := time.Parse(time.RFC3339Nano, prev)
		e.ModificationDateTime = t.Add(time.Millisecond).UTC().Format(time.RFC3339Nano)
	}
	v.events[i] = &e
	v.mu.Unlock()
	v.notify(openadr.ObjectEvent, "UPDATE", e.ProgramID, e)
	return e, nil
}

func (v *VTN) deleteEvent(id string) (openadr.Event, *problemError) {
	v.mu.Lock()
	i := slices.IndexFunc(v.events, func(x *openadr.Event) bool { return x.ID == id })
	if i < 0 {
		v.mu.Unlock()
		return openadr.Event{}, problem(http.StatusNotFound, "no event %s", id)
	}
	e := *v.events[i]
	v.events = slices.Delete(v.events, i, i+1)
	v.mu.Unlock()
	v.notify(openadr.ObjectEvent, "DELETE", e.ProgramID, e)
	return e, nil
}

// createReport is POST /reports. The VTN writes the clientID of the token
// into the report.
func (v *VTN) createReport(w http.ResponseWriter, r *http.Request, g grant) {
	body, prob := readBody(w, r)
	if prob != nil {
		writeProblem(w, prob)
		return
	}
	var rep openadr.Report
	if prob := parse(body, v.checkReport, &rep); prob != nil {
		writeProblem(w, prob)
		return
	}
	v.mu.Lock()
	if !slices.ContainsFunc(v.events, func(e *openadr.Event) bool { return e.ID == rep.EventID }) {
		v.mu.Unlock()
		writeProblem(w, bad("report: event %s does not exist", rep.EventID))
		return
	}
	rep.ID = v.newID()
	rep.ClientID = g.clientID
	v.stamp(&rep.Metadata, openadr.ObjectReport, "")
	v.reports = append(v.reports, &rep)
	v.mu.Unlock()
	writeJSON(w, http.StatusCreated, rep)
}

// createSubscription is POST /subscriptions: it checks every callback
// (the echo challenge) before it stores the subscription.
func (v *VTN) createSubscription(w http.ResponseWriter, r *http.Request, g grant) {
	body, prob := readBody(w, r)
	if prob != nil {
		writeProblem(w, prob)
		return
	}
	var sub openadr.Subscription
	if prob := parse(body, v.checkSubscription, &sub); prob != nil {
		writeProblem(w, prob)
		return
	}
	v.mu.Lock()
	known := sub.ProgramID == "" || v.hasProgram(sub.ProgramID)
	v.mu.Unlock()
	if !known {
		writeProblem(w, bad("subscription: program %s does not exist", sub.ProgramID))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	for _, oo := range sub.ObjectOperations {
		if err := v.checkCallback(ctx, oo.CallbackURL); err != nil {
			writeProblem(w, bad("subscription: callback %s failed the echo check: %v", oo.CallbackURL, err))
			return
		}
	}
	v.mu.Lock()
	sub.ID = v.newID()
	sub.ClientID = g.clientID
	v.stamp(&sub.Metadata, openadr.ObjectSubscription, "")
	v.subs = append(v.subs, &sub)
	v.mu.Unlock()
	writeJSON(w, http.StatusCreated, sub)
}
