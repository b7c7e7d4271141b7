package price_test

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/price"
)

// The reference's figure: 15 J/TH at $30/PH/day earns about $0.083 per
// kWh, and 12 J/TH at $48 about $0.167.
func TestRevenuePerKWh(t *testing.T) {
	if got := price.RevenuePerKWh(30, 15); math.Abs(got-0.0833) > 0.0001 {
		t.Errorf("RevenuePerKWh(30, 15) = %v, want 0.0833", got)
	}
	if got := price.RevenuePerKWh(48, 12); math.Abs(got-0.1667) > 0.0001 {
		t.Errorf("RevenuePerKWh(48, 12) = %v, want 0.1667", got)
	}
	if got := price.RevenuePerKWh(48, 0); got != 0 {
		t.Errorf("RevenuePerKWh at 0 J/TH = %v, want 0", got)
	}
	if got := price.BreakevenPrice(30, 15, 0.01); math.Abs(got-0.0733) > 0.0001 {
		t.Errorf("BreakevenPrice(30, 15, 0.01) = %v, want 0.0733", got)
	}
}

func TestParseHashprice(t *testing.T) {
	v, err := price.ParseHashprice(fixture(t, "hashprice.json"))
	if err != nil || v != 48.2 {
		t.Fatalf("fixture = %v, %v; want 48.2", v, err)
	}
	if v, err := price.ParseHashprice([]byte(`{"usd_per_th_day": 0.0382}`)); err != nil || math.Abs(v-38.2) > 1e-9 {
		t.Errorf("per TH = %v, %v; want 38.2", v, err)
	}
	for data, code := range map[string]string{
		`{"usd_per_ph_day": 0}`:     hearth.EINVALID,
		`{"usd_per_ph_day": -3}`:    hearth.EINVALID,
		`{"hashprice": 48}`:         hearth.EINVALID,
		`{"usd_per_ph_day": "48"}`:  hearth.EPROTOCOL,
		`{"usd_per_ph_day": 1e999}`: hearth.EPROTOCOL,
		`48.2`:                      hearth.EPROTOCOL,
	} {
		_, err := price.ParseHashprice([]byte(data))
		if got := hearth.ErrorCode(err); got != code {
			t.Errorf("%s: code %q (%v), want %q", data, got, err, code)
		}
	}
}

func TestHashpriceSources(t *testing.T) {
	var fixed price.Hashprice = price.FixedHashprice(30)
	if v, err := fixed.HashpriceUSDPerPHDay(context.Background()); v != 30 || err != nil {
		t.Errorf("fixed = %v, %v", v, err)
	}
	body := fixture(t, "hashprice.json")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
	defer srv.Close()
	var live price.Hashprice = &price.HashpriceURL{URL: srv.URL}
	if v, err := live.HashpriceUSDPerPHDay(context.Background()); v != 48.2 || err != nil {
		t.Errorf("URL = %v, %v; want 48.2", v, err)
	}
	body = make([]byte, price.MaxHashpriceBytes+1)
	_, err := live.HashpriceUSDPerPHDay(context.Background())
	wantCode(t, err, hearth.ETOOLARGE)
}
