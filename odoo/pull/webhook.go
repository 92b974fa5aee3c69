package pull

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"time"
)

// maxWebhookBody bounds a webhook's body: Odoo sends one record's chosen
// fields.
const maxWebhookBody = 1 << 20

// webhookTimeout bounds the background pull a webhook starts.
const webhookTimeout = 30 * time.Second

// Webhook serves Odoo 17's automation rule "Send Webhook Notification": a
// POST of a JSON object holding the record's chosen fields and "_model",
// "_id" (and "id"). Odoo 17 cannot add headers to it, so the secret rides
// in the URL (?secret=...); other senders may use the X-Loyaltyd-Secret
// header. Both are compared in constant time.
//
// Answers: 401 for a missing or wrong secret (nothing pulled), 400 for a
// body that is not such an object, 422 for a model that is not pulled, 202
// otherwise, after which the record is pulled in the background
// (Puller.PullRecords). Not synchronously: Odoo sends the notification
// from inside the transaction that changed the record, with a short
// timeout, so the change is not committed yet when the request arrives; the
// pull waits Options.WebhookDelay first (and the periodic pull, whose
// overlap window covers late commits, catches what it still misses). At
// most 8 webhook pulls run at once; beyond that a notification is only
// logged and left to the periodic pull.
func Webhook(secret string, p *Puller, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	want := []byte(secret)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		got := r.URL.Query().Get("secret")
		if h := r.Header.Get("X-Loyaltyd-Secret"); h != "" {
			got = h
		}
		if secret == "" || subtle.ConstantTimeCompare([]byte(got), want) != 1 {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		model, id, ok := readNotification(io.LimitReader(r.Body, maxWebhookBody))
		if !ok {
			http.Error(w, `bad body: a JSON object with "_model" and "_id" is expected`, http.StatusBadRequest)
			return
		}
		if !p.Pulls(model) {
			http.Error(w, "model not pulled: "+model, http.StatusUnprocessableEntity)
			return
		}
		log.Debug("webhook: record changed in Odoo", slog.String("model", model), slog.Int64("id", id))
		w.WriteHeader(http.StatusAccepted)
		p.later(model, []int64{id}, p.opt.WebhookDelay)
	})
}

// Refresh pulls model's records ids in the background, at once (after a
// write of a reference model passed through to Odoo, committed there
// already); a model that is not pulled is ignored. Bounded as the
// webhook's pulls.
func (p *Puller) Refresh(model string, ids []int64) {
	if p.Pulls(model) && len(ids) > 0 {
		p.later(model, ids, 0)
	}
}

// later pulls ids of model in the background after delay, at most 8 such
// pulls at once (beyond that the periodic pull catches up), each bounded by
// webhookTimeout.
func (p *Puller) later(model string, ids []int64, delay time.Duration) {
	select {
	case p.sem <- struct{}{}:
	default:
		p.log.Warn("pull: too many on-demand pulls in flight; left to the periodic pull",
			slog.String("model", model), slog.Any("ids", ids))
		return
	}
	ids = slices.Clone(ids)
	p.bg.Add(1)
	go func() {
		defer p.bg.Done()
		defer func() { <-p.sem }()
		ctx, cancel := context.WithTimeout(context.Background(), webhookTimeout)
		defer cancel()
		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
			}
		}
		if _, err := p.PullRecords(ctx, model, ids); err != nil {
			p.log.Warn("pull: on-demand pull failed", slog.String("model", model), slog.Any("ids", ids), slog.Any("err", err))
		}
	}()
}

// readNotification reads the model and id of a webhook body.
func readNotification(body io.Reader) (string, int64, bool) {
	var m map[string]json.RawMessage
	if err := json.NewDecoder(body).Decode(&m); err != nil {
		return "", 0, false
	}
	var model string
	if err := json.Unmarshal(m["_model"], &model); err != nil || model == "" {
		return "", 0, false
	}
	var id int64
	raw, ok := m["_id"]
	if !ok {
		raw = m["id"]
	}
	if err := json.Unmarshal(raw, &id); err != nil || id <= 0 {
		return "", 0, false
	}
	return model, id, true
}
