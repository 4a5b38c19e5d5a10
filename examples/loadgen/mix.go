package main

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// call is one kind of request of the traffic mix.
type call struct {
	name   string // route label in the summary
	weight int
	method string
	path   func(r *rand.Rand) string
	body   func(r *rand.Rand) string // "" sends no body
	slow   bool                      // sends the slow baggage member
}

// products is how many products the shop's seed catalog holds.
const products = 5

func productID(r *rand.Rand) string { return strconv.Itoa(1 + r.IntN(products)) }

func fixed(s string) func(*rand.Rand) string { return func(*rand.Rand) string { return s } }

// mix is the traffic of a shop's day, by weight: mostly reads, some
// orders, a few price changes (which invalidate cached products), a few
// client errors, rare server errors, the order listing with
// its N+1 query pattern (and its JOIN twin), and product reads that ask
// the pricing service, through baggage, to be slow.
var mix = []call{
	{name: "GET /products", weight: 30, method: "GET", path: fixed("/products")},
	{name: "GET /products/{id}", weight: 30, method: "GET",
		path: func(r *rand.Rand) string { return "/products/" + productID(r) }},
	{name: "GET /products/{id} unknown", weight: 4, method: "GET",
		path: func(r *rand.Rand) string { return "/products/" + strconv.Itoa(900+r.IntN(100)) }},
	{name: "GET /products/{id} malformed", weight: 1, method: "GET", path: fixed("/products/abc")},
	{name: "POST /orders", weight: 15, method: "POST", path: fixed("/orders"),
		body: func(r *rand.Rand) string {
			return `{"product_id":` + productID(r) + `,"quantity":` +
				strconv.Itoa(1+r.IntN(3)) + `}`
		}},
	{name: "PUT /products/{id}/price", weight: 2, method: "PUT",
		path: func(r *rand.Rand) string { return "/products/" + productID(r) + "/price" },
		body: func(r *rand.Rand) string {
			return `{"list_price_cents":` + strconv.Itoa(100+r.IntN(9900)) + `}`
		}},
	{name: "POST /orders invalid", weight: 3, method: "POST", path: fixed("/orders"),
		body: fixed(`{"product_id":0,"quantity":0}`)},
	{name: "GET /orders (N+1)", weight: 5, method: "GET", path: fixed("/orders")},
	{name: "GET /orders?mode=join", weight: 2, method: "GET", path: fixed("/orders?mode=join")},
	{name: "GET /products/{id} slow", weight: 3, method: "GET", slow: true,
		path: func(r *rand.Rand) string { return "/products/" + productID(r) }},
	{name: "GET /panic", weight: 1, method: "GET", path: fixed("/panic")},
}

// picker draws calls from the mix by weight. It is not safe for
// concurrent use.
type picker struct {
	rnd   *rand.Rand
	calls []call
	total int
}

func newPicker(seed int64, calls []call) *picker {
	p := &picker{rnd: rand.New(rand.NewPCG(uint64(seed), 0x5eed)), calls: calls}
	for _, c := range calls {
		p.total += c.weight
	}
	return p
}

// next returns the next call with its path and body.
func (p *picker) next() (c call, path string, body string) {
	n := p.rnd.IntN(p.total)
	for _, c = range p.calls {
		if n < c.weight {
			break
		}
		n -= c.weight
	}
	path = c.path(p.rnd)
	if c.body != nil {
		body = c.body(p.rnd)
	}
	return c, path, body
}

// joinURL joins a base URL and a path without doubling the slash.
func joinURL(base, path string) string {
	return strings.TrimSuffix(base, "/") + path
}
