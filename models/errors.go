package models

import (
	"context"
	"errors"
	"fmt"
)

// Kind classifies an error the way Odoo's exception hierarchy does. The rpc
// package maps each kind to a wire fault in exactly one place (rpc/fault.go).
type Kind int

// The kinds, named after the Odoo or Python exception they stand for.
const (
	KindInternal       Kind = iota // any unexpected failure: fault 1, logged, details hidden
	KindUser                       // odoo.exceptions.UserError: fault 2
	KindValidation                 // odoo.exceptions.ValidationError: fault 2
	KindMissing                    // odoo.exceptions.MissingError: fault 2
	KindAccessDenied               // odoo.exceptions.AccessDenied: fault 3
	KindAccessError                // odoo.exceptions.AccessError: fault 4
	KindValue                      // builtins.ValueError: fault 1 with a traceback
	KindType                       // builtins.TypeError: fault 1 with a traceback
	KindKey                        // builtins.KeyError: fault 1 with a traceback
	KindAttribute                  // builtins.AttributeError: fault 1 with a traceback
	KindName                       // builtins.NameError: fault 1 with a traceback
	KindSessionExpired             // odoo.http.SessionExpiredException: JSON-RPC code 100
	KindNotFound                   // werkzeug.exceptions.NotFound: JSON-RPC code 404
	KindException                  // builtins.Exception: fault 1 with a traceback
	KindOperational                // psycopg2.OperationalError (unknown database): fault 1
)

// String names the kind as Odoo's serialize_exception would (module.Class).
func (k Kind) String() string {
	switch k {
	case KindUser:
		return "odoo.exceptions.UserError"
	case KindValidation:
		return "odoo.exceptions.ValidationError"
	case KindMissing:
		return "odoo.exceptions.MissingError"
	case KindAccessDenied:
		return "odoo.exceptions.AccessDenied"
	case KindAccessError:
		return "odoo.exceptions.AccessError"
	case KindValue:
		return "builtins.ValueError"
	case KindType:
		return "builtins.TypeError"
	case KindKey:
		return "builtins.KeyError"
	case KindAttribute:
		return "builtins.AttributeError"
	case KindName:
		return "builtins.NameError"
	case KindSessionExpired:
		return "odoo.http.SessionExpiredException"
	case KindNotFound:
		return "werkzeug.exceptions.NotFound"
	case KindOperational:
		return "psycopg2.OperationalError"
	default:
		return "builtins.Exception"
	}
}

// Error is the project's one error type that carries a message a client may
// see. Message is public (sent on the wire); Err is the internal cause, kept
// for logs and errors.Is/As but never formatted into Message.
type Error struct {
	Kind    Kind
	Message string
	Err     error
	// PyName, when set, names the Python exception class in tracebacks and
	// JSON data.name instead of the kind's ("xml.parsers.expat.ExpatError").
	PyName string
}

func (e *Error) Error() string {
	if e.Err != nil && e.Message == "" {
		return e.Err.Error()
	}
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

// Unwrap exposes the internal cause.
func (e *Error) Unwrap() error { return e.Err }

// Is matches another *Error of the same kind and message, so sentinels
// declared with these constructors work with errors.Is.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && t.Message == e.Message
}

func newErr(k Kind, format string, args []any) *Error {
	if len(args) == 0 {
		return &Error{Kind: k, Message: format}
	}
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// UserErrorf returns a UserError (fault 2).
func UserErrorf(format string, args ...any) *Error { return newErr(KindUser, format, args) }

// ValidationErrorf returns a ValidationError (fault 2).
func ValidationErrorf(format string, args ...any) *Error {
	return newErr(KindValidation, format, args)
}

// MissingErrorf returns a MissingError (fault 2).
func MissingErrorf(format string, args ...any) *Error { return newErr(KindMissing, format, args) }

// AccessErrorf returns an AccessError (fault 4).
func AccessErrorf(format string, args ...any) *Error { return newErr(KindAccessError, format, args) }

// ValueErrorf returns a Python ValueError (fault 1).
func ValueErrorf(format string, args ...any) *Error { return newErr(KindValue, format, args) }

// TypeErrorf returns a Python TypeError (fault 1).
func TypeErrorf(format string, args ...any) *Error { return newErr(KindType, format, args) }

// KeyErrorf returns a Python KeyError (fault 1).
func KeyErrorf(format string, args ...any) *Error { return newErr(KindKey, format, args) }

// AttributeErrorf returns a Python AttributeError (fault 1).
func AttributeErrorf(format string, args ...any) *Error {
	return newErr(KindAttribute, format, args)
}

// Errorf returns an error of any kind.
func Errorf(k Kind, format string, args ...any) *Error { return newErr(k, format, args) }

// ErrAccessDenied is Odoo's AccessDenied for bad credentials (fault 3).
var ErrAccessDenied = &Error{Kind: KindAccessDenied, Message: "Access Denied"}

// ErrTooManyFailures is raised while a login is throttled.
var ErrTooManyFailures = &Error{Kind: KindAccessDenied, Message: "Too many login failures, please wait a bit before trying again."}

// ErrSessionExpired is raised by routes that need a web session.
var ErrSessionExpired = &Error{Kind: KindSessionExpired, Message: "Session expired"}

// Internal wraps an unexpected error; its text is never shown to clients.
func Internal(err error) *Error {
	return &Error{Kind: KindInternal, Message: "Internal error", Err: err}
}

// KindOf returns the kind of err: the Kind of the first *Error in its chain,
// KindInternal otherwise. Context cancellation counts as internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// MessageOf returns the public message of err, or "Internal error".
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Kind != KindInternal {
		return e.Message
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "The operation took too long and was cancelled."
	}
	return "Internal error"
}
