package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// pricingClient calls the pricing service. Its http.Client carries vigil's
// client transport, so every call is a client span whose traceparent and
// X-Request-ID continue the shop's request.
type pricingClient struct {
	base   string
	client *http.Client
}

// Price asks for today's price of product id, whose list price is list.
func (p *pricingClient) Price(ctx context.Context, id, list int64) (Price, error) {
	u := strings.TrimSuffix(p.base, "/") + "/prices/" + strconv.FormatInt(id, 10) +
		"?list=" + strconv.FormatInt(list, 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Price{}, err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return Price{}, fmt.Errorf("pricing: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Price{}, fmt.Errorf("pricing: GET %s: %s", u, resp.Status)
	}
	var pr Price
	if err := json.NewDecoder(resp.Body).Decode(&pr); err != nil {
		return Price{}, fmt.Errorf("pricing: decode: %w", err)
	}
	return pr, nil
}
