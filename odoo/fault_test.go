package odoo_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/odoo"
)

// captureBody returns the response body of a capture of a real Odoo 17
// (testdata/captures, copied from the shared recordings).
func captureBody(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "captures", name+".txt"))
	require.NoError(t, err)
	_, resp, ok := strings.Cut(string(data), "===== RESPONSE =====\n")
	require.True(t, ok, "no response in %s", name)
	_, body, ok := strings.Cut(resp, "\n\n")
	require.True(t, ok, "no body in %s", name)
	return strings.TrimRight(body, "\n") + "\n"
}

// replay serves one captured body to every request.
func replay(t *testing.T, body string) *odoo.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	c, err := odoo.New(odoo.Config{URL: srv.URL, DB: "peer", Login: "admin", APIKey: "admin", MaxAttempts: 3}, nil)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

func TestCapturedFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		capture   string
		kind      models.Kind
		permanent bool
		msg       string // prefix of the public message
	}{
		{"08_xmlrpc_unlink_card", models.KindAccessError, true,
			"You are not allowed to delete 'Loyalty Coupon' (loyalty.card) records.\n\nNo group currently allows this operation."},
		{"08e_xmlrpc_write_deleted_record_fault", models.KindMissing, true,
			"Record does not exist or has been deleted.\n(Record: res.partner(43,), User: 2)"},
		{"09_xmlrpc_fault_unknown_model", models.KindUser, true, "Object no.such.model doesn't exist"},
		{"09b_xmlrpc_legacy_path_fault_unknown_model", models.KindUser, true, "Object no.such.model doesn't exist"},
		{"10_xmlrpc_fault_access_error", models.KindAccessError, true,
			"You are not allowed to modify 'Loyalty Program' (loyalty.program) records.\n\nThis operation is allowed for the following groups:\n\t- Point of Sale/Administrator"},
		{"15_xmlrpc_fault_bad_password_execute", models.KindAccessDenied, true, "Access Denied"},
		{"16_xmlrpc_fault_unknown_method", models.KindAttribute, true,
			"The method 'no_such_method' does not exist on the model 'loyalty.card'"},
		{"17_xmlrpc_fault_private_method", models.KindAccessError, true,
			"Private methods (such as _compute_points_display) cannot be called remotely."},
		{"19_xmlrpc_fault_bad_many2one_create", models.KindValidation, true,
			"The operation cannot be completed: another model requires the record being deleted."},
	}
	for _, tt := range tests {
		t.Run(tt.capture, func(t *testing.T) {
			t.Parallel()
			c := replay(t, captureBody(t, tt.capture))
			var out any
			err := c.ExecuteKw(context.Background(), "loyalty.card", "search_count", []any{[]any{}}, nil, &out)
			require.Error(t, err)
			require.Equal(t, tt.kind, models.KindOf(err), "%v", err)
			require.True(t, strings.HasPrefix(models.MessageOf(err), tt.msg), "message %q", models.MessageOf(err))
			require.Equal(t, tt.permanent, odoo.IsPermanent(err))
			var f *odoo.Fault
			require.ErrorAs(t, err, &f, "the raw fault stays reachable for logs")
		})
	}
}

func TestCapturedReplies(t *testing.T) {
	t.Parallel()
	c := replay(t, captureBody(t, "01_xmlrpc_common_version"))
	v, err := c.Version(context.Background())
	require.NoError(t, err)
	require.Equal(t, odoo.VersionInfo{
		ServerVersion:     "17.0-20240709",
		ServerVersionInfo: []any{int64(17), int64(0), int64(0), "final", int64(0), nil},
		ServerSerie:       "17.0",
		ProtocolVersion:   1,
	}, v, "kolo leaves an empty <string></string> as nil")
	require.Equal(t, 17, v.Major())

	c = replay(t, captureBody(t, "03_xmlrpc_authenticate_badpw"))
	_, err = c.Authenticate(context.Background())
	require.Equal(t, models.KindAccessDenied, models.KindOf(err))
}

func TestFaultError(t *testing.T) {
	t.Parallel()
	tb := func(last string) string {
		return "Traceback (most recent call last):\n  File \"odoo/odoo/service/model.py\", line 59, in execute_kw\n" +
			"    return execute(db, uid, obj, method, *args, **kw or {})\n" + last + "\n"
	}
	tests := []struct {
		name      string
		code      int
		s         string
		kind      models.Kind
		msg       string
		permanent bool
	}{
		{"validation in traceback", 1, tb("odoo.exceptions.ValidationError: Email is invalid"), models.KindValidation, "Email is invalid", true},
		{"user error in traceback", 2, tb("odoo.exceptions.UserError: No"), models.KindUser, "No", true},
		{"missing in traceback", 1, tb("odoo.exceptions.MissingError: gone"), models.KindMissing, "gone", true},
		{"access in traceback", 1, tb("odoo.exceptions.AccessError: no\n\nsecond paragraph"), models.KindAccessError, "no\n\nsecond paragraph", true},
		{"value error", 1, tb("ValueError: Invalid field 'foo' on model 'res.partner'"), models.KindValue, "Invalid field 'foo' on model 'res.partner'", true},
		{"type error", 1, tb("TypeError: cannot marshal None unless allow_none is enabled"), models.KindType, "cannot marshal None unless allow_none is enabled", true},
		{"key error", 1, tb("KeyError: 'res.foo'"), models.KindKey, "'res.foo'", true},
		{"operational", 1, tb("psycopg2.OperationalError: could not connect"), models.KindOperational, "could not connect", false},
		{"serialization", 1, tb("psycopg2.errors.SerializationFailure: could not serialize"), models.KindInternal, "could not serialize", false},
		{"chained: the last exception wins", 1,
			tb("KeyError: 'x'") + "\nDuring handling of the above exception, another exception occurred:\n\n" + tb("odoo.exceptions.UserError: outer"),
			models.KindUser, "outer", true},
		{"bare code 2", 2, "Something is wrong", models.KindUser, "Something is wrong", true},
		{"code 2 missing wording", 2, "One of the documents you are trying to access has been deleted, please try again after refreshing.", models.KindMissing, "One of the documents you are trying to access has been deleted, please try again after refreshing.", true},
		{"code 3", 3, "Access Denied", models.KindAccessDenied, "Access Denied", true},
		{"code 4", 4, "nope", models.KindAccessError, "nope", true},
		{"code 1 without traceback", 1, "boom", models.KindInternal, "boom", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := odoo.FaultError(tt.code, tt.s)
			require.Equal(t, tt.kind, err.Kind)
			require.Equal(t, tt.msg, err.Message)
			require.Equal(t, tt.permanent, odoo.IsPermanent(err))
		})
	}
	require.False(t, odoo.IsPermanent(models.UserErrorf("local, not Odoo's")), "only Odoo's faults are permanent")
}
