// Package csvpos reads and writes the positions of miners as CSV, the form
// in which sites keep their rack plans: one line per miner, naming it and
// giving its site and its row, rack, shelf and slot.
//
// The first line is a header naming the columns, in any order and any
// case: miner (also id, address, ip, mac or serial: the miner is found by
// its ID, address, MAC or serial number, whichever the cell holds), site,
// row, rack, shelf and slot. Only the miner column is required. A column
// left out of the header leaves that field of every miner as it is; an
// empty cell in a column that is present clears the field. Columns whose
// header starts with "#" are notes and are ignored; any other unknown
// column is an error, so that a misspelt "rak" is not silently dropped.
// Commas separate fields, or semicolons when the header has semicolons and
// no comma, as spreadsheets in many locales write. A UTF-8 byte order mark
// is skipped.
//
// Write produces the same format, so that an export edited in a
// spreadsheet imports back.
package csvpos

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"

	"github.com/hearth-fleet/hearth"
)

// MaxRows bounds how many miners one file may place, so that a stray
// multi-gigabyte upload fails early instead of filling memory.
const MaxRows = 200_000

// maxCellLen bounds a cell naming a miner: an ID, a host name or a serial
// number is far shorter.
const maxCellLen = 255

// Columns is the header Write produces, in its order.
var Columns = []string{"miner", "site", "row", "rack", "shelf", "slot"}

// minerAliases are the header names accepted for the column naming the
// miner.
var minerAliases = []string{"miner", "id", "miner_id", "address", "ip", "mac", "serial"}

// Parse reads a positions file. Errors are EINVALID and name the line and
// the column at fault, counting both from 1 as spreadsheets do.
func Parse(r io.Reader) ([]*hearth.PositionAssignment, error) {
	br := bufio.NewReader(r)
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // checked here, with a clearer message
	cr.ReuseRecord = true
	// The header decides the separator; Peek returns what it has, up to
	// the buffer's size, when the input is shorter.
	first, _ := br.Peek(4096)
	header0, _, _ := bytes.Cut(first, []byte("\n"))
	if bytes.IndexByte(header0, ';') >= 0 && bytes.IndexByte(header0, ',') < 0 {
		cr.Comma = ';'
	}

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, hearth.Errorf(hearth.EINVALID, "The positions file is empty; its first line must name the columns, such as %s.", strings.Join(Columns, ","))
	} else if err != nil {
		return nil, csvError(err)
	}
	cols, err := parseHeader(header)
	if err != nil {
		return nil, err
	}

	var out []*hearth.PositionAssignment
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		} else if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			return nil, hearth.Errorf(hearth.EINVALID, "Line %d has %d fields, but the header has %d.", line, len(rec), len(header))
		}
		if len(out) == MaxRows {
			return nil, hearth.Errorf(hearth.EINVALID, "Line %d: a positions file may place at most %d miners.", line, MaxRows)
		}
		a, err := parseRecord(cols, rec, line)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
}

// column says what one column of the file holds.
type column struct {
	field string // one of Columns, or "" for a note
	name  string // as the header spells it
}

// parseHeader maps the header's columns to fields.
func parseHeader(header []string) ([]column, error) {
	cols := make([]column, len(header))
	seen := map[string]int{}
	for i, h := range header {
		name := strings.TrimSpace(h)
		field := strings.ToLower(name)
		switch {
		case name == "" || strings.HasPrefix(name, "#"):
			field = ""
		case slices.Contains(minerAliases, field):
			field = "miner"
		case slices.Contains(Columns, field):
		default:
			return nil, hearth.Errorf(hearth.EINVALID, "Line 1, column %d: unknown column %q; the columns are %s (start a column's name with # to keep it as a note).",
				i+1, name, strings.Join(Columns, ", "))
		}
		if field != "" {
			if prev, dup := seen[field]; dup {
				return nil, hearth.Errorf(hearth.EINVALID, "Line 1, column %d: column %q repeats column %d (%q); keep one.", i+1, name, prev+1, header[prev])
			}
			seen[field] = i
		}
		cols[i] = column{field: field, name: name}
	}
	if _, ok := seen["miner"]; !ok {
		return nil, hearth.Errorf(hearth.EINVALID, "Line 1: no column names the miner; add one called miner (its ID, address, MAC or serial number).")
	}
	return cols, nil
}

// parseRecord turns one line into an assignment.
func parseRecord(cols []column, rec []string, line int) (*hearth.PositionAssignment, error) {
	a := &hearth.PositionAssignment{Line: line}
	for i, col := range cols {
		if col.field == "" {
			continue
		}
		v := strings.TrimSpace(rec[i])
		fail := func(format string, args ...any) error {
			return hearth.Errorf(hearth.EINVALID, "Line %d, column %d (%s): %s", line, i+1, col.name, fmt.Sprintf(format, args...))
		}
		if strings.IndexFunc(v, unicode.IsControl) >= 0 {
			return nil, fail("%q holds control characters.", v)
		}
		switch col.field {
		case "miner":
			if v == "" {
				return nil, fail("no miner named.")
			}
			if len(v) > maxCellLen {
				return nil, fail("%d characters is too long for a miner's ID, address, MAC or serial number.", len(v))
			}
			a.Miner = v
		case "site":
			if v != "" {
				if err := hearth.ValidateName("Site", v); err != nil {
					return nil, fail("%s", hearth.ErrorMessage(err))
				}
			}
			a.Site = &v
		default:
			if len(v) > hearth.MaxPositionPartLen {
				return nil, fail("%q is longer than %d characters.", v, hearth.MaxPositionPartLen)
			}
			switch col.field {
			case "row":
				a.Row = &v
			case "rack":
				a.Rack = &v
			case "shelf":
				a.Shelf = &v
			case "slot":
				a.Slot = &v
			}
		}
	}
	return a, nil
}

// csvError turns a CSV syntax error into one naming its line and column.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return hearth.WrapError(hearth.EINVALID, err, "Line %d, column %d: %s.", pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("read positions: %w", err)
}

// Write writes the positions of ms in the format Parse reads, with the
// header Columns and one line per miner naming it by its ID.
func Write(w io.Writer, ms []*hearth.Miner) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Columns); err != nil {
		return fmt.Errorf("write positions: %w", err)
	}
	for _, m := range ms {
		p := m.Position
		if err := cw.Write([]string{m.ID, m.Site, p.Row, p.Rack, p.Shelf, p.Slot}); err != nil {
			return fmt.Errorf("write positions: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write positions: %w", err)
	}
	return nil
}
