package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/kolo/xmlrpc"
)

// rpcClient is a minimal JSON-RPC execute_kw client for seeding data.
type rpcClient struct {
	http *http.Client
	url  string // base URL of the server
	cr   credentials
}

// rpcError is the error member of a JSON-RPC response.
type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    struct {
		Name    string `json:"name"`
		Message string `json:"message"`
	} `json:"data"`
}

// executeKw calls model.method(*args, **kwargs) and decodes the result
// into out.
func (c *rpcClient) executeKw(ctx context.Context, model, method string, args []any, kwargs map[string]any, out any) error {
	call := []any{c.cr.DB, c.cr.UID, c.cr.Password, model, method, args}
	if kwargs != nil {
		call = append(call, kwargs)
	}
	body, err := json.Marshal(jsonCall{JSONRPC: "2.0", Method: "call", ID: 1,
		Params: jsonParams{Service: "object", Method: "execute_kw", Args: call}})
	if err != nil {
		return fmt.Errorf("%s.%s: encode: %w", model, method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+"/jsonrpc", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s.%s: %w", model, method, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s.%s: %w", model, method, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s.%s: read: %w", model, method, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s.%s: HTTP %s: %.200s", model, method, resp.Status, raw)
	}
	var env struct {
		Result json.RawMessage `json:"result"`
		Error  *rpcError       `json:"error"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("%s.%s: decode: %w", model, method, err)
	}
	if env.Error != nil {
		return fmt.Errorf("%s.%s: %s: %s", model, method, env.Error.Data.Name, env.Error.Data.Message)
	}
	if err := json.Unmarshal(env.Result, out); err != nil {
		return fmt.Errorf("%s.%s: decode result: %w", model, method, err)
	}
	return nil
}

// createBatch is how many records one create call makes.
const createBatch = 500

// seed creates one loyalty program, partners partners and cards cards for
// each of them; it returns the partner ids.
func seed(ctx context.Context, c *rpcClient, partners, cards int) ([]int64, error) {
	var program int64
	if err := c.executeKw(ctx, "loyalty.program", "create",
		[]any{map[string]any{"name": "Bench Loyalty", "program_type": "loyalty"}}, nil, &program); err != nil {
		return nil, fmt.Errorf("seed program: %w", err)
	}
	ids := make([]int64, 0, partners)
	for start := 0; start < partners; start += createBatch {
		var vals []any
		for i := start; i < min(partners, start+createBatch); i++ {
			vals = append(vals, map[string]any{"name": fmt.Sprintf("Bench Partner %05d", i+1)})
		}
		var got []int64
		if err := c.executeKw(ctx, "res.partner", "create", []any{vals}, nil, &got); err != nil {
			return nil, fmt.Errorf("seed partners: %w", err)
		}
		ids = append(ids, got...)
	}
	if len(ids) != partners {
		return nil, fmt.Errorf("seed partners: %d ids for %d partners", len(ids), partners)
	}
	var vals []any
	flush := func() error {
		if len(vals) == 0 {
			return nil
		}
		var got []int64
		if err := c.executeKw(ctx, "loyalty.card", "create", []any{vals}, nil, &got); err != nil {
			return fmt.Errorf("seed cards: %w", err)
		}
		if len(got) != len(vals) {
			return fmt.Errorf("seed cards: %d ids for %d cards", len(got), len(vals))
		}
		vals = vals[:0]
		return nil
	}
	for i, p := range ids {
		for j := range cards {
			vals = append(vals, map[string]any{
				"program_id": program, "partner_id": p,
				"code":   fmt.Sprintf("BENCH-%05d-%03d", i+1, j+1),
				"points": json.Number(fmt.Sprintf("%d.%02d", 10*j+i%7, (25*j)%100)),
			})
			if len(vals) == createBatch {
				if err := flush(); err != nil {
					return nil, err
				}
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return ids, nil
}

// capture sends every request of proto once, for partners, and records
// the server's responses after checking each: HTTP 200, no fault or error,
// want rows, all of the right partner.
func capture(ctx context.Context, c *rpcClient, proto protocol, partners []int64, want int) ([]exchange, error) {
	exs := make([]exchange, 0, len(partners))
	for i, p := range partners {
		body, err := proto.encode(c.cr, p, int64(i+1))
		if err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+proto.Path, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header = proto.Header.Clone()
		resp, err := c.http.Do(req)
		if err != nil {
			return nil, fmt.Errorf("capture %s: %w", proto.Name, err)
		}
		raw, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("capture %s: read: %w", proto.Name, err)
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("capture %s: HTTP %s: %.300s", proto.Name, resp.Status, raw)
		}
		if err := checkRows(proto.Name, raw, p, want); err != nil {
			return nil, fmt.Errorf("capture %s partner %d: %w", proto.Name, p, err)
		}
		hdr := resp.Header.Clone()
		hdr.Del("Date")
		exs = append(exs, exchange{Path: proto.Path, Request: body, Status: resp.StatusCode, Header: hdr, Body: raw})
	}
	return exs, nil
}

// checkRows decodes a search_read response of either protocol and checks
// it holds want card rows of partner with the asked fields.
func checkRows(proto string, raw []byte, partner int64, want int) error {
	var rows []map[string]any
	if proto == "xml-rpc" {
		resp := xmlrpc.Response(raw)
		if err := resp.Err(); err != nil {
			return fmt.Errorf("fault: %w", err)
		}
		if err := resp.Unmarshal(&rows); err != nil {
			return fmt.Errorf("decode: %w", err)
		}
	} else {
		var env struct {
			Result []map[string]any `json:"result"`
			Error  *rpcError        `json:"error"`
		}
		if err := json.Unmarshal(raw, &env); err != nil {
			return fmt.Errorf("decode: %w", err)
		}
		if env.Error != nil {
			return fmt.Errorf("error: %s: %s", env.Error.Data.Name, env.Error.Data.Message)
		}
		rows = env.Result
	}
	if len(rows) != want {
		return fmt.Errorf("%d rows, want %d", len(rows), want)
	}
	for _, row := range rows {
		if len(row) != len(cardFields)+1 {
			return fmt.Errorf("row has %d fields, want id and %d", len(row), len(cardFields))
		}
		m2o, ok := row["partner_id"].([]any)
		if !ok || len(m2o) != 2 || fmt.Sprint(m2o[0]) != fmt.Sprint(partner) {
			return fmt.Errorf("row partner_id %v, want [%d, name]", row["partner_id"], partner)
		}
	}
	return nil
}
