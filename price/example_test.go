package price_test

import (
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/price"
)

// A fleet at 15 J/TH earns about 0.083 USD per kWh at $30/PH/day, so an
// evening at 0.142 sheds it until the price falls back.
func ExamplePolicy_Decide() {
	fmt.Printf("revenue %.3f USD/kWh\n", price.RevenuePerKWh(30, 15))

	evening := time.Date(2026, 6, 1, 18, 0, 0, 0, time.UTC)
	prices := []hearth.PricePoint{
		{Start: evening, End: evening.Add(time.Hour), PerKWh: 0.142, Currency: "USD"},
		{Start: evening.Add(time.Hour), End: evening.Add(2 * time.Hour), PerKWh: 0.131, Currency: "USD"},
		{Start: evening.Add(2 * time.Hour), End: evening.Add(3 * time.Hour), PerKWh: 0.064, Currency: "USD"},
	}
	p := &price.Policy{Site: "barn", Breakeven: true, JoulesPerTH: 15, HysteresisPerKWh: 0.005, MinOff: 30 * time.Minute}
	d, _ := p.Decide(evening, prices, 30, price.State{})
	req := p.PowerRequest(d)
	fmt.Println(req.Kind, req.ShedFraction, req.End.Format("15:04"), req.Reason)
	fmt.Println("decide again at", d.Next.Format("15:04"))
	// Output:
	// revenue 0.083 USD/kWh
	// shed 1 20:00 electricity 0.142 USD/kWh above strike 0.083
	// decide again at 19:00
}
