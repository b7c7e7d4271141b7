package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A user plans from the web page of a demo server, with no token (reads
// from this machine need none): the hashprice form gives the reference's
// ~36.9 USD/PH/day at difficulty 148.26e12 and 87,000 USD, and the ROI
// form answers a payback day and embeds the payback chart, which loads.
// From another machine (a host name that is not this one's), where reads
// need the token, the chart loads too: the page fetches it with the token.
func TestBrowserPlanPage(t *testing.T) {
	t.Parallel()
	d := startDemo(t, "--miners", "1")

	ctx := newBrowser(t, 90*time.Second, chromedp.Flag("host-resolver-rules", "MAP hearth.test 127.0.0.1"))
	browse(t, ctx, "open the plan page",
		chromedp.Navigate(d.URL+"/plan"),
		chromedp.WaitVisible(`#plan-hashprice-form`, chromedp.ByQuery),
		chromedp.WaitVisible(`nav.topnav a[href="/plan"][aria-current="page"]`, chromedp.ByQuery),
	)

	var hashprice, hashpriceText string
	var ok bool
	browse(t, ctx, "hashprice",
		chromedp.SetValue(`#plan-hashprice-difficulty`, "148.26e12", chromedp.ByQuery),
		chromedp.SetValue(`#plan-hashprice-btc-price`, "87000", chromedp.ByQuery),
		chromedp.Click(`#plan-hashprice-submit`, chromedp.ByQuery),
		chromedp.WaitVisible(`#plan-hashprice-result[data-loaded="true"]`, chromedp.ByQuery),
		chromedp.AttributeValue(`#plan-hashprice-result tr[data-key="usd_per_ph_day"] td`, "data-value", &hashprice, &ok, chromedp.ByQuery),
		chromedp.Text(`#plan-hashprice-result tr[data-key="usd_per_ph_day"] td`, &hashpriceText, chromedp.ByQuery),
	)
	if v, err := strconv.ParseFloat(hashprice, 64); !ok || err != nil || math.Abs(v-36.9) > 0.1 || hashpriceText != fmt.Sprintf("%.2f USD/PH/day", v) {
		t.Errorf("hashprice shown as %q (%q), want ~36.9 USD/PH/day", hashpriceText, hashprice)
	}

	var payback, paybackText, message string
	var chartWidth int
	browse(t, ctx, "roi",
		chromedp.SetValue(`#plan-roi-capex-usd`, "2000", chromedp.ByQuery),
		chromedp.SetValue(`#plan-roi-electricity-price`, "0.03", chromedp.ByQuery),
		chromedp.Click(`#plan-roi-submit`, chromedp.ByQuery),
		chromedp.WaitVisible(`#plan-roi-result[data-loaded="true"]`, chromedp.ByQuery),
		chromedp.AttributeValue(`#plan-roi-result tr[data-key="payback_days"] td`, "data-value", &payback, &ok, chromedp.ByQuery),
		chromedp.Text(`#plan-roi-result tr[data-key="payback_days"] td`, &paybackText, chromedp.ByQuery),
		chromedp.Text(`#plan-roi-message`, &message, chromedp.ByQuery),
		chromedp.WaitVisible(`img#plan-roi-chart[data-loaded="true"]`, chromedp.ByQuery),
		chromedp.Evaluate(`document.getElementById("plan-roi-chart").naturalWidth`, &chartWidth),
		screenshot("plan"),
	)
	if days, err := strconv.Atoi(payback); !ok || err != nil || days <= 0 || days > 3*365 || !strings.HasPrefix(paybackText, "day ") {
		t.Errorf("payback shown as %q (%q; message %q), want a day within 3 years", paybackText, payback, message)
	}
	if chartWidth != 900 {
		t.Errorf("the payback chart loaded %d pixels wide, want the 900 hearth draws", chartWidth)
	}

	remote := strings.Replace(d.URL, "127.0.0.1", "hearth.test", 1) + "/plan"
	chartWidth = 0
	browse(t, ctx, "roi from another machine",
		openWithToken(remote, d.Token),
		chromedp.WaitVisible(`#plan-roi-form`, chromedp.ByQuery),
		chromedp.SetValue(`#plan-roi-capex-usd`, "2000", chromedp.ByQuery),
		chromedp.SetValue(`#plan-roi-electricity-price`, "0.03", chromedp.ByQuery),
		chromedp.Click(`#plan-roi-submit`, chromedp.ByQuery),
		chromedp.WaitVisible(`#plan-roi-result[data-loaded="true"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`img#plan-roi-chart[data-loaded="true"]`, chromedp.ByQuery),
		chromedp.Evaluate(`document.getElementById("plan-roi-chart").naturalWidth`, &chartWidth),
	)
	if chartWidth != 900 {
		t.Errorf("from another machine the payback chart loaded %d pixels wide, want the 900 hearth draws", chartWidth)
	}
}
