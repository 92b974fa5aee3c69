package odootest

import "testing"

// Start is New for programs without a testing.TB (the benchmarks): the
// caller closes the server.
func Start(opt Options) *Server { return New(programTB{}, opt) }

// programTB is the part of testing.TB that New uses, outside a test.
type programTB struct{ testing.TB }

func (programTB) Helper()        {}
func (programTB) Cleanup(func()) {}
