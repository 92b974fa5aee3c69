// Package odoo talks to a real, remote Odoo: the client the sync (issue 5)
// builds on. It depends on models (the error vocabulary) and on
// github.com/kolo/xmlrpc for the XML-RPC values; nothing in the server uses
// it yet.
//
// Client makes execute_kw calls on /xmlrpc/2 with a ctx on every call, a
// retry policy made of injectable functions (CheckRetryFunc, BackoffFunc: transport
// errors, 429 and 5xx are retried with full-jitter exponential backoff and
// Retry-After; faults never), and Odoo's faults read back into
// *models.Error (FaultError) so that IsPermanent tells an event that will
// never go through (access, validation, user error, missing record) from
// one worth retrying later.
//
// The helpers cover what the sync needs: ProbeModels (which optional models
// the upstream has), CreateBatch (create with a list), SearchReadSince (a
// (write_date, id) cursor; read its doc for the overlap window), and
// EnsureXMLID / LookupXMLID (external ids in ir.model.data, the idempotency
// key of records we write).
//
//	c, err := odoo.New(odoo.Config{URL: url, DB: "prod", Login: "sync", APIKey: key}, log)
//	if err != nil { ... }
//	found, err := c.ProbeModels(ctx, "loyalty.history", "loyalty.point.move")
//	ids, err := c.CreateBatch(ctx, "loyalty.history", rows)
//	switch {
//	case err == nil:
//	case odoo.IsPermanent(err):
//		// mark failed with models.MessageOf(err): Odoo's own words
//	default:
//		// transient: leave pending, retry later
//	}
//
// The package odootest has a fake Odoo 17 to test against.
package odoo
