package main

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"strconv"
)

// Price is what the pricing service answers for one product.
type Price struct {
	ProductID int64  `json:"product_id"`
	Cents     int64  `json:"cents"`
	Currency  string `json:"currency"`
}

// pricingHandler is the second service of the reference app: it turns a
// product's list price into today's price (GET /prices/{id}?list=CENTS).
// The promotion is derived from the ID, so the service keeps no state and
// answers the same across restarts.
func pricingHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /prices/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			writeError(w, http.StatusBadRequest, "product id must be a positive integer")
			return
		}
		list, err := strconv.ParseInt(r.URL.Query().Get("list"), 10, 64)
		if err != nil || list < 0 || list > maxListCents {
			writeError(w, http.StatusBadRequest, "list must be a price in cents")
			return
		}
		writeJSON(w, http.StatusOK, Price{ProductID: id,
			Cents: list * (100 - discountPercent(id)) / 100, Currency: "EUR"})
	})
	return mux
}

// maxListCents bounds the list price so the discount arithmetic cannot
// overflow.
const maxListCents = 1 << 40

// discountPercent maps a product ID to a promotion of 0 to 20 percent.
func discountPercent(id int64) int64 {
	h := fnv.New32a()
	_, _ = fmt.Fprintf(h, "product-%d", id)
	return int64(h.Sum32() % 21)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
