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

// pricingHandler is the second service of the reference app: it prices a
// product by ID. Prices are derived from the ID so that no state is shared
// with the shop and the result is stable across restarts.
func pricingHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /prices/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			writeError(w, http.StatusBadRequest, "product id must be a positive integer")
			return
		}
		writeJSON(w, http.StatusOK, Price{ProductID: id, Cents: priceOf(id), Currency: "EUR"})
	})
	return mux
}

// priceOf maps a product ID to a price between 1.00 and 100.99.
func priceOf(id int64) int64 {
	h := fnv.New32a()
	fmt.Fprintf(h, "product-%d", id)
	return 100 + int64(h.Sum32()%10000)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
