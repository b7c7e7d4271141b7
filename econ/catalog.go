package econ

import (
	"encoding/csv"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/hearth-fleet/hearth"
)

// Model is a miner model as a buyer compares them: nameplate hash rate,
// power, efficiency, cooling and price where one is known.
type Model struct {
	Name       string  `json:"name"`
	HashrateTH float64 `json:"hashrate_th"`
	PowerW     float64 `json:"power_w"`
	JPerTH     float64 `json:"j_per_th"`
	// Cooling is "air", "hydro" or "immersion"; it decides whether the
	// model needs airflow.
	Cooling string `json:"cooling"`
	// PriceUSD is the purchase price, zero when unknown.
	PriceUSD float64 `json:"price_usd"`
	// Source says where the figures come from.
	Source string `json:"source"`
}

// AirCooled reports whether the model blows its heat into the room.
func (m Model) AirCooled() bool { return m.Cooling == "" || m.Cooling == "air" }

// Catalog is a list of models, looked up by name.
type Catalog []Model

// Find returns the model named name, ignoring case.
func (c Catalog) Find(name string) (Model, error) {
	for _, m := range c {
		if strings.EqualFold(m.Name, strings.TrimSpace(name)) {
			return m, nil
		}
	}
	return Model{}, hearth.Errorf(hearth.ENOTFOUND, "no model %q in the catalog", name)
}

// catalogColumns are the columns of a catalog CSV, in order.
var catalogColumns = []string{"model", "hashrate_th", "power_w", "j_per_th", "cooling", "price_usd", "source"}

// MaxCatalogRows bounds a catalog file.
const MaxCatalogRows = 10_000

// ParseCatalog reads a model catalog CSV with the header
// model,hashrate_th,power_w,j_per_th,cooling,price_usd,source ('#' lines are
// comments). An empty j_per_th is computed as power/hash rate; an empty
// price means unknown.
func ParseCatalog(r io.Reader) (Catalog, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = len(catalogColumns)
	head, err := cr.Read()
	if err != nil {
		return nil, hearth.WrapError(hearth.EINVALID, err, "catalog header")
	}
	for i, c := range catalogColumns {
		if !strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(head[i], "\ufeff")), c) {
			return nil, hearth.Errorf(hearth.EINVALID, "catalog header is %q, want %q", strings.Join(head, ","), strings.Join(catalogColumns, ","))
		}
	}
	var c Catalog
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// A csv.ParseError names its line; FieldPos is only valid after
			// a record was read.
			return nil, hearth.WrapError(hearth.EINVALID, err, "catalog")
		}
		line, _ := cr.FieldPos(0)
		if len(c) >= MaxCatalogRows {
			return nil, hearth.Errorf(hearth.ETOOLARGE, "catalog: more than %d models", MaxCatalogRows)
		}
		m := Model{Name: strings.TrimSpace(rec[0]), Cooling: strings.TrimSpace(rec[4]), Source: strings.TrimSpace(rec[6])}
		if m.Name == "" {
			return nil, hearth.Errorf(hearth.EINVALID, "catalog line %d: empty model name", line)
		}
		nums := []*float64{&m.HashrateTH, &m.PowerW, &m.JPerTH, nil, &m.PriceUSD}
		for i, dst := range nums {
			cell := strings.TrimSpace(rec[1+i])
			if dst == nil || cell == "" {
				continue
			}
			v, err := strconv.ParseFloat(cell, 64)
			if err != nil || !(v >= 0) || math.IsInf(v, 0) {
				return nil, hearth.Errorf(hearth.EINVALID, "catalog line %d: %s %q is not a non-negative number", line, catalogColumns[1+i], cell)
			}
			*dst = v
		}
		if !(m.HashrateTH > 0) || !(m.PowerW > 0) {
			return nil, hearth.Errorf(hearth.EINVALID, "catalog line %d: %s needs a hash rate and a power", line, m.Name)
		}
		if m.JPerTH == 0 {
			m.JPerTH = m.PowerW / m.HashrateTH
		}
		c = append(c, m)
	}
	if len(c) == 0 {
		return nil, hearth.Errorf(hearth.EINVALID, "catalog has no models")
	}
	return c, nil
}
