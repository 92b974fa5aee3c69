package upstreamauth_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/cache"
	"github.com/odoo-loyalty/loyaltyd/odoo"
	"github.com/odoo-loyalty/loyaltyd/odoo/odootest"
	"github.com/odoo-loyalty/loyaltyd/odoo/upstreamauth"
)

type bundle struct {
	srv     *odootest.Server
	auth    *upstreamauth.Auth
	cache   *recCache
	cashier int64
}

// recCache is an in-process cache that keeps what was set, to look at.
type recCache struct {
	*cache.Memory
	mu   sync.Mutex
	sets map[string][]byte
}

func (r *recCache) Set(ctx context.Context, key string, val []byte, ttl time.Duration) {
	r.mu.Lock()
	r.sets[key] = val
	r.mu.Unlock()
	r.Memory.Set(ctx, key, val, ttl)
}

func newBundle(t *testing.T) *bundle {
	t.Helper()
	srv := odootest.New(t, odootest.Options{})
	srv.AddUser(odootest.User{Login: "admin", Name: "Mitchell Admin", PartnerID: 3,
		Groups: []string{"base.group_user", "base.group_system"}})
	cashier := srv.AddUser(odootest.User{Login: "cashier", Password: "c4sh", Name: "Cashier", TZ: "Europe/Paris",
		Groups: []string{"base.group_user", "point_of_sale.group_pos_user"}})
	client, err := odoo.New(odoo.Config{URL: srv.URL, DB: srv.DB(), Login: srv.Login(), APIKey: srv.Password(),
		MaxAttempts: 1, Timeout: 5 * time.Second}, nil)
	require.NoError(t, err)
	t.Cleanup(client.Close)
	mem := &recCache{Memory: cache.NewMemory(100, time.Minute), sets: map[string][]byte{}}
	a, err := upstreamauth.New(upstreamauth.Config{URL: srv.URL, DB: srv.DB(), Account: client, Cache: mem,
		Timeout: 5 * time.Second})
	require.NoError(t, err)
	return &bundle{srv: srv, auth: a, cache: mem, cashier: cashier}
}

// TestCheck: a good password gives the user with its Odoo groups as xml
// ids, checked once a minute; a wrong one is Odoo's Access Denied, asked
// every time; Odoo down is a clear fault, a cached check still holds.
func TestCheck(t *testing.T) {
	b := newBundle(t)
	ctx := context.Background()
	for range 3 {
		p, err := b.auth.Check(ctx, b.cashier, "c4sh")
		require.NoError(t, err)
		require.Equal(t, "cashier", p.Login)
		require.Equal(t, "Cashier", p.Name)
		require.Equal(t, "Europe/Paris", p.TZ)
		require.Equal(t, "en_US", p.Lang)
		require.Equal(t, int64(1), p.CompanyID)
		require.NotZero(t, p.PartnerID)
		require.Equal(t, map[string]bool{"base.group_user": true, "point_of_sale.group_pos_user": true}, p.Groups)
	}
	require.Equal(t, 1, b.srv.Calls("res.users", "context_get"))
	require.Equal(t, 1, b.srv.Calls("res.users", "read"))

	for range 2 {
		_, err := b.auth.Check(ctx, b.cashier, "wrong")
		require.Equal(t, models.KindAccessDenied, models.KindOf(err))
		require.Equal(t, "Access Denied", models.MessageOf(err))
	}
	require.Equal(t, 3, b.srv.Calls("res.users", "context_get"), "failures are not cached")

	p, err := b.auth.Check(ctx, 2, "admin")
	require.NoError(t, err)
	require.True(t, p.Groups["base.group_system"])
	require.Equal(t, 2, b.srv.Calls("ir.model.data", "search_read"), "one look-up per user, of the group ids not seen yet")

	b.srv.Down()
	_, err = b.auth.Check(ctx, b.cashier, "c4sh")
	require.NoError(t, err, "cached")
	_, err = b.auth.Check(ctx, b.cashier, "other")
	require.Equal(t, models.KindException, models.KindOf(err))
	require.Equal(t, "The upstream Odoo server could not be reached.", models.MessageOf(err))
	b.srv.Up()

	// The cache holds hashes, never the password.
	for k, v := range b.cache.sets {
		require.NotContains(t, k, "c4sh")
		require.NotContains(t, string(v), "c4sh")
	}
	require.NotEmpty(t, b.cache.sets)
	_, err = b.auth.Principal(ctx, 999)
	require.Equal(t, models.KindAccessDenied, models.KindOf(err))
	_, err = b.auth.APIKey(ctx, "anything")
	require.Equal(t, models.KindAccessDenied, models.KindOf(err))
	uid, err := b.auth.Authenticate(ctx, "cashier", "c4sh", true, "127.0.0.1")
	require.NoError(t, err)
	require.Equal(t, b.cashier, uid)
	_, err = b.auth.Authenticate(ctx, "cashier", "nope", true, "127.0.0.1")
	require.Equal(t, models.KindAccessDenied, models.KindOf(err))
}

// TestSessions: an Odoo web session is recognised (and the answer cached),
// anything else is no session; Delete forgets the cached answer.
func TestSessions(t *testing.T) {
	b := newBundle(t)
	ctx := context.Background()
	resp, err := http.Post(b.srv.URL+"/web/session/authenticate", "application/json",
		strings.NewReader(`{"jsonrpc":"2.0","method":"call","id":1,"params":{"db":"peer","login":"cashier","password":"c4sh"}}`))
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	var id string
	for _, c := range resp.Cookies() {
		if c.Name == "session_id" {
			id = c.Value
		}
	}
	require.Len(t, id, 40)
	st := b.auth.Sessions()
	for range 2 {
		s, err := st.Get(ctx, id)
		require.NoError(t, err)
		require.NotNil(t, s)
		require.Equal(t, b.cashier, s.UID)
		require.Equal(t, "peer", s.DB)
		require.Equal(t, "cashier", s.Login)
	}
	require.Len(t, b.srv.Requests("/web/session/get_session_info"), 1)
	require.NoError(t, st.Delete(ctx, id))
	s, err := st.Get(ctx, id)
	require.NoError(t, err)
	require.NotNil(t, s)
	require.Len(t, b.srv.Requests("/web/session/get_session_info"), 2)

	s, err = st.Get(ctx, strings.Repeat("0", 40))
	require.NoError(t, err)
	require.Nil(t, s)
	require.Error(t, st.Save(ctx, s))

	b.srv.Down()
	_, err = st.Get(ctx, strings.Repeat("1", 40))
	require.Equal(t, models.KindException, models.KindOf(err))
}
