package rpc

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// Fault is an error as Odoo puts it on the wire. faultFor is the only place
// where a Go error becomes a Fault; the codecs only format Faults.
type Fault struct {
	Kind      models.Kind
	Name      string // Python class, "odoo.exceptions.UserError", data.name on JSON
	Message   string // public message
	Traceback string // Python-style traceback, data.debug and fault-1 faultString
}

// XMLCode is the integer faultCode of /xmlrpc/2 (rpc.py's
// xmlrpc_handle_exception_int).
func (f Fault) XMLCode() int {
	switch f.Kind {
	case models.KindAccessError:
		return 4
	case models.KindAccessDenied:
		return 3
	case models.KindUser, models.KindValidation, models.KindMissing:
		return 2
	}
	return 1
}

// XMLString is faultString for /xmlrpc/2: the traceback for code 1, the
// message otherwise.
func (f Fault) XMLString() string {
	if f.XMLCode() == 1 {
		return f.Traceback
	}
	return f.Message
}

// LegacyCode and LegacyString are the string faultCode and faultString of
// the legacy /xmlrpc paths (xmlrpc_handle_exception_string).
func (f Fault) LegacyCode() string {
	switch f.Kind {
	case models.KindMissing:
		return "warning -- MissingError\n\n" + f.Message
	case models.KindAccessError:
		return "warning -- AccessError\n\n" + f.Message
	case models.KindAccessDenied:
		return "AccessDenied"
	case models.KindUser, models.KindValidation:
		return "warning -- UserError\n\n" + f.Message
	}
	return f.Message
}

// LegacyString is the faultString of the legacy /xmlrpc paths.
func (f Fault) LegacyString() string {
	switch f.Kind {
	case models.KindAccessDenied:
		return f.Message
	case models.KindMissing, models.KindAccessError, models.KindUser, models.KindValidation:
		return ""
	}
	return f.Traceback
}

// JSONCode and JSONMessage are the JSON-RPC error's code and message.
func (f Fault) JSONCode() (int, string) {
	switch f.Kind {
	case models.KindSessionExpired:
		return 100, "Odoo Session Expired"
	case models.KindNotFound:
		return 404, "404: Not Found"
	}
	return 200, "Odoo Server Error"
}

// JSONData is the JSON-RPC error's data member.
func (f Fault) JSONData() *models.Dict {
	return models.D("name", f.Name, "debug", f.Traceback, "message", f.Message,
		"arguments", []any{f.Message}, "context", map[string]any{})
}

// faultFor turns any error into the Fault Odoo would send. Errors that are
// not *models.Error are internal: they are logged here, once, with the call's
// attributes, and reach the client as "Internal error".
func faultFor(ctx context.Context, log *slog.Logger, where string, err error) Fault {
	var me *models.Error
	kind := models.KindInternal
	msg := "Internal error"
	switch {
	case errors.As(err, &me) && me.Kind != models.KindInternal:
		kind, msg = me.Kind, me.Message
		if me.PyName != "" {
			return Fault{Kind: kind, Name: me.PyName, Message: msg, Traceback: traceback(where, me.PyName, msg)}
		}
	case errors.Is(err, context.DeadlineExceeded):
		msg = "The operation took too long and was cancelled."
		log.WarnContext(ctx, "call timed out", slog.String("call", where), slog.Any("err", err))
	case errors.Is(err, context.Canceled):
		msg = "The request was cancelled."
	default:
		log.ErrorContext(ctx, "internal error", slog.String("call", where), slog.Any("err", err))
	}
	name := kind.String()
	return Fault{Kind: kind, Name: name, Message: msg, Traceback: traceback(where, name, msg)}
}

// traceback renders a short Python-style traceback whose last line is what
// clients parse ("ValueError: Invalid field ...").
func traceback(where, name, msg string) string {
	var b strings.Builder
	b.WriteString("Traceback (most recent call last):\n  File \"loyaltyd/rpc\", line 1, in ")
	b.WriteString(where)
	b.WriteString("\n")
	b.WriteString(strings.TrimPrefix(name, "builtins."))
	b.WriteString(": ")
	b.WriteString(msg)
	b.WriteString("\n")
	return b.String()
}
