package odoo

import (
	"errors"
	"fmt"
	"strings"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// Fault is an XML-RPC fault exactly as a remote Odoo sent it. It is kept as
// the internal cause (Err) of the *models.Error that FaultError builds, so
// logs can show the whole traceback while callers see Odoo's message.
type Fault struct {
	Code   int
	String string
}

func (f *Fault) Error() string { return fmt.Sprintf("odoo fault %d: %s", f.Code, f.String) }

// FaultError reads an /xmlrpc/2 fault back into the project's error
// vocabulary, the inverse of rpc/fault.go:
//
//   - 3 is AccessDenied (bad login or API key), 4 is AccessError;
//   - 2 is a UserError or one of its subclasses. Odoo 17 sends only the
//     message, so the subclass is recognised from its wording: "Record does
//     not exist or has been deleted" and "has been deleted" are MissingError,
//     "The operation cannot be completed" (an integrity error) is
//     ValidationError, anything else UserError. A traceback, when present,
//     wins over the wording;
//   - 1 is any other Python exception, with the whole traceback: its class is
//     read from the exception line at the end of the traceback
//     ("AttributeError: The method ...", "odoo.exceptions.ValidationError:
//     ..."), and the message is what follows the class.
//
// The legacy /xmlrpc string codes ("warning -- UserError\n\nmsg") are read
// too. Odoo's message is kept as Message; the raw fault is Err.
func FaultError(code int, faultString string) *models.Error {
	f := &Fault{Code: code, String: faultString}
	if name, msg, ok := exceptionLine(faultString); ok {
		if k, known := kindByName(name); known {
			return &models.Error{Kind: k, Message: msg, Err: f, PyName: qualified(name, k)}
		}
		if code == 1 || code == 0 {
			return &models.Error{Kind: models.KindInternal, Message: msg, Err: f, PyName: name}
		}
	}
	msg := strings.TrimRight(faultString, "\n")
	switch code {
	case 3:
		return &models.Error{Kind: models.KindAccessDenied, Message: msg, Err: f}
	case 4:
		return &models.Error{Kind: models.KindAccessError, Message: msg, Err: f}
	case 2:
		return &models.Error{Kind: userKind(msg), Message: msg, Err: f}
	}
	return &models.Error{Kind: models.KindInternal, Message: msg, Err: f}
}

// LegacyFaultError reads a fault of the legacy /xmlrpc paths, whose code is
// a string such as "warning -- AccessError\n\nmsg" or "AccessDenied".
func LegacyFaultError(code, faultString string) *models.Error {
	f := &Fault{Code: 0, String: code + "\n" + faultString}
	if code == "AccessDenied" {
		return &models.Error{Kind: models.KindAccessDenied, Message: faultString, Err: f}
	}
	if rest, ok := strings.CutPrefix(code, "warning -- "); ok {
		name, msg, _ := strings.Cut(rest, "\n\n")
		k, known := kindByName(name)
		if !known || name == "Warning" {
			k = userKind(msg)
		}
		return &models.Error{Kind: k, Message: msg, Err: f}
	}
	return FaultError(1, faultString)
}

// userKind tells the subclasses of UserError apart by their Odoo 17 wording.
func userKind(msg string) models.Kind {
	switch {
	case strings.HasPrefix(msg, "Record does not exist or has been deleted"),
		strings.Contains(msg, "you are trying to access has been deleted"):
		return models.KindMissing
	case strings.HasPrefix(msg, "The operation cannot be completed"):
		return models.KindValidation
	}
	return models.KindUser
}

// exceptionLine finds the exception at the end of a Python traceback: after
// the last "Traceback (most recent call last):" header, frames are indented
// and the first line that is not starts "<Class>: <message>"; the message
// runs to the end (it may span lines).
func exceptionLine(s string) (name, msg string, ok bool) {
	i := strings.LastIndex(s, "Traceback (most recent call last):")
	if i < 0 {
		return "", "", false
	}
	rest := s[i:]
	lines := strings.Split(rest, "\n")
	for j := 1; j < len(lines); j++ {
		l := lines[j]
		if l == "" || l[0] == ' ' || l[0] == '\t' {
			continue
		}
		text := strings.TrimRight(strings.Join(lines[j:], "\n"), "\n")
		name, msg, found := strings.Cut(text, ": ")
		if !found {
			name, msg = strings.TrimSuffix(text, ":"), ""
		}
		if strings.ContainsAny(name, " \t") {
			return "", "", false
		}
		return name, msg, true
	}
	return "", "", false
}

// kindByName maps a Python exception class, qualified or not, to a Kind.
func kindByName(name string) (models.Kind, bool) {
	short := name[strings.LastIndexByte(name, '.')+1:]
	switch short {
	case "UserError", "Warning", "RedirectWarning":
		return models.KindUser, true
	case "ValidationError":
		return models.KindValidation, true
	case "MissingError":
		return models.KindMissing, true
	case "AccessDenied":
		return models.KindAccessDenied, true
	case "AccessError":
		return models.KindAccessError, true
	case "ValueError":
		return models.KindValue, true
	case "TypeError":
		return models.KindType, true
	case "KeyError":
		return models.KindKey, true
	case "AttributeError":
		return models.KindAttribute, true
	case "NameError":
		return models.KindName, true
	case "OperationalError":
		return models.KindOperational, true
	}
	return models.KindInternal, false
}

// qualified keeps a class name that has no module only when the kind's own
// name would say something else.
func qualified(name string, k models.Kind) string {
	if strings.Contains(name, ".") {
		return name
	}
	if strings.HasSuffix(k.String(), "."+name) {
		return ""
	}
	return name
}

// IsPermanent reports whether err is a fault that will not heal by being
// sent again: an access error or denial (fault 4 or 3), a UserError,
// ValidationError or MissingError (fault 2), or a fault 1 whose class says
// the request itself is wrong (ValueError, TypeError, KeyError,
// AttributeError, NameError). The sync marks such an event failed with
// Odoo's message (models.MessageOf) instead of retrying it.
//
// Everything else is transient: transport errors, HTTP 5xx and 429, context
// ends, and fault 1 with a server-side class (psycopg2 OperationalError,
// serialization failures, unknown classes). Note that an AccessDenied means
// the configured login or API key is wrong: a worker should rather stop and
// report than fail every event, so check models.KindOf(err) first.
func IsPermanent(err error) bool {
	var me *models.Error
	if !errors.As(err, &me) {
		return false
	}
	var f *Fault
	if !errors.As(err, &f) {
		return false // a local error, not Odoo's word
	}
	switch me.Kind {
	case models.KindUser, models.KindValidation, models.KindMissing,
		models.KindAccessDenied, models.KindAccessError,
		models.KindValue, models.KindType, models.KindKey, models.KindAttribute, models.KindName:
		return true
	}
	return false
}
