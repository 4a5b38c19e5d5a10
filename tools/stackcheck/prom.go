package stackcheck

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Sample is one element of an instant vector returned by the query API.
type Sample struct {
	Labels map[string]string
	Value  float64
}

// PromClient reads Prometheus' HTTP API at a base URL such as
// http://127.0.0.1:9090.
type PromClient struct {
	Base   string
	Client *http.Client // nil means http.DefaultClient
}

type apiResponse struct {
	Status string          `json:"status"`
	Error  string          `json:"error"`
	Data   json.RawMessage `json:"data"`
}

func (c PromClient) get(ctx context.Context, path string, q url.Values, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		c.Base+path+"?"+q.Encode(), nil)
	if err != nil {
		return fmt.Errorf("stackcheck: %w", err)
	}
	hc := c.Client
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("stackcheck: %w", err)
	}
	defer resp.Body.Close()
	var r apiResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return fmt.Errorf("stackcheck: %s: %s: %w", path, resp.Status, err)
	}
	if r.Status != "success" {
		return fmt.Errorf("stackcheck: %s: %s", path, r.Error)
	}
	return json.Unmarshal(r.Data, v)
}

// Query evaluates an instant query now. Only vector and scalar results
// are supported.
func (c PromClient) Query(ctx context.Context, expr string) ([]Sample, error) {
	var data struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	}
	if err := c.get(ctx, "/api/v1/query", url.Values{"query": {expr}}, &data); err != nil {
		return nil, err
	}
	switch data.ResultType {
	case "vector":
		var raw []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		}
		if err := json.Unmarshal(data.Result, &raw); err != nil {
			return nil, fmt.Errorf("stackcheck: query result: %w", err)
		}
		out := make([]Sample, 0, len(raw))
		for _, r := range raw {
			v, err := sampleValue(r.Value[1])
			if err != nil {
				return nil, err
			}
			out = append(out, Sample{Labels: r.Metric, Value: v})
		}
		return out, nil
	case "scalar":
		var raw [2]any
		if err := json.Unmarshal(data.Result, &raw); err != nil {
			return nil, fmt.Errorf("stackcheck: query result: %w", err)
		}
		v, err := sampleValue(raw[1])
		return []Sample{{Value: v}}, err
	}
	return nil, fmt.Errorf("stackcheck: unsupported result type %q", data.ResultType)
}

func sampleValue(v any) (float64, error) {
	s, ok := v.(string)
	if !ok {
		return 0, fmt.Errorf("stackcheck: sample value %v is not a string", v)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("stackcheck: sample value: %w", err)
	}
	return f, nil
}

// MetricNames returns the names of every series Prometheus holds.
func (c PromClient) MetricNames(ctx context.Context) ([]string, error) {
	var names []string
	err := c.get(ctx, "/api/v1/label/__name__/values", url.Values{}, &names)
	return names, err
}

// Exemplars returns the label sets of the exemplars of the series
// selected by query between start and end.
func (c PromClient) Exemplars(ctx context.Context, query string, start, end time.Time) ([]map[string]string, error) {
	var data []struct {
		Exemplars []struct {
			Labels map[string]string `json:"labels"`
		} `json:"exemplars"`
	}
	err := c.get(ctx, "/api/v1/query_exemplars", url.Values{"query": {query},
		"start": {strconv.FormatInt(start.Unix(), 10)},
		"end":   {strconv.FormatInt(end.Unix(), 10)}}, &data)
	var out []map[string]string
	for _, s := range data {
		for _, e := range s.Exemplars {
			out = append(out, e.Labels)
		}
	}
	return out, err
}

// LabelValues returns the values label takes on the series of metric.
func (c PromClient) LabelValues(ctx context.Context, metric, label string) ([]string, error) {
	var values []string
	err := c.get(ctx, "/api/v1/label/"+url.PathEscape(label)+"/values",
		url.Values{"match[]": {metric}}, &values)
	return values, err
}
