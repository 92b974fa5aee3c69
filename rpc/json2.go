package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// Odoo 19's JSON-2 API: POST /json/2/<model>/<method> with an
// "Authorization: bearer <api key>" header and the method's arguments by
// name in a JSON object ("ids" and "context" reserved). The answer is the
// plain JSON result; errors are JSON objects with real HTTP statuses.

// json2Status is the HTTP status of an error on JSON-2, from the
// exception's http_status in Odoo 19.
func json2Status(k models.Kind) int {
	switch k {
	case models.KindAccessDenied:
		return http.StatusUnauthorized
	case models.KindAccessError:
		return http.StatusForbidden
	case models.KindMissing, models.KindNotFound, models.KindAttribute:
		return http.StatusNotFound
	case models.KindUser, models.KindValidation, models.KindType:
		return http.StatusUnprocessableEntity
	}
	return http.StatusInternalServerError
}

// json2 serves /json/2/{model}/{method}.
func (s *Server) json2(w http.ResponseWriter, r *http.Request) {
	model, method := r.PathValue("model"), r.PathValue("method")
	where := "json2." + model + "." + method
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.CallTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.log.ErrorContext(ctx, "panic serving request", slog.String("call", where), slog.Any("panic", p))
			s.json2Error(ctx, w, where, models.Internal(fmt.Errorf("panic: %v", p)))
		}
	}()
	body, status := readBody(w, r, s.cfg.MaxBodyBytes)
	if status != 0 {
		http.Error(w, http.StatusText(status), status)
		return
	}
	out, err := s.json2Call(ctx, r, body, model, method)
	if err != nil {
		s.json2Error(ctx, w, where, err)
		return
	}
	b, err := appendJSON(nil, out)
	if err != nil {
		s.json2Error(ctx, w, where, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

func (s *Server) json2Call(ctx context.Context, r *http.Request, body []byte, model, method string) (any, error) {
	scheme, key, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !strings.EqualFold(scheme, "bearer") || strings.TrimSpace(key) == "" {
		return nil, models.ErrAccessDenied
	}
	if db := r.Header.Get("X-Odoo-Database"); db != "" && db != s.cfg.DBName {
		return nil, models.Errorf(models.KindNotFound, "database %q not found", db)
	}
	p, err := s.auth.APIKey(ctx, strings.TrimSpace(key))
	if err != nil {
		return nil, err
	}
	params := map[string]any{}
	if len(bytes.TrimSpace(body)) > 0 {
		if ct := strings.ToLower(strings.TrimSpace(strings.Split(r.Header.Get("Content-Type"), ";")[0])); ct != "application/json" {
			return nil, models.Errorf(models.KindType, "State-changing json2 requests must use the 'application/json' Content-Type (CSRF protection).")
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, models.Errorf(models.KindType, "could not parse the body as json: %v", err)
		}
		obj, ok := NormalizeJSON(v).(map[string]any)
		if !ok {
			return nil, models.Errorf(models.KindType, "the body must be a JSON object")
		}
		params = obj
	}
	if s.exec.Model(model) == nil {
		return nil, models.Errorf(models.KindNotFound, "the model '%s' does not exist", model)
	}
	var ctxt map[string]any
	if c, ok := params["context"]; ok {
		if ctxt, ok = c.(map[string]any); !ok {
			return nil, models.TypeErrorf("context must be an object")
		}
		delete(params, "context")
	}
	ids := []any{}
	if v, ok := params["ids"]; ok {
		list, ok := v.([]any)
		if !ok {
			return nil, models.TypeErrorf("ids must be a list of integers")
		}
		for _, id := range list {
			if _, ok := id.(int64); !ok {
				return nil, models.TypeErrorf("ids must be a list of integers")
			}
		}
		ids = list
		delete(params, "ids")
	}
	var args []any
	if s.exec.IsRecordMethod(model, method) {
		args = []any{ids}
	} else if len(ids) > 0 {
		return nil, models.TypeErrorf("cannot call %s.%s with ids", model, method)
	}
	if ctxt != nil {
		params["context"] = ctxt
	}
	return s.exec.Execute(ctx, s.env(p, nil), model, method, args, params)
}

func (s *Server) json2Error(ctx context.Context, w http.ResponseWriter, where string, err error) {
	f := faultFor(ctx, s.log, where, err)
	b, _ := appendJSON(nil, f.JSONData())
	writeJSON(w, json2Status(f.Kind), b)
}

// json2NotFound answers any other /json/2 path.
func (s *Server) json2NotFound(w http.ResponseWriter, r *http.Request) {
	s.json2Error(r.Context(), w, "json2", models.Errorf(models.KindNotFound, "Did you mean POST /json/2/<model>/<method>?"))
}

func writeJSON(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
