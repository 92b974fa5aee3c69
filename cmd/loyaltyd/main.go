// Command loyaltyd serves Odoo's external API (XML-RPC, JSON-RPC and the
// web client's JSON routes) for the loyalty models, from its own database.
//
//	loyaltyd serve     run the server (the default)
//	loyaltyd migrate   apply the database migrations and exit
//	loyaltyd expire    expire the points past their date once and exit
//	loyaltyd apikey    create an API key for a user
//	loyaltyd passwd    set a user's password
//	loyaltyd version   print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // --timezone works on machines without a zoneinfo database
)

// buildVersion is set by the linker in release builds.
var buildVersion = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

// run is main without the process: tests call it with their own streams
// and environment.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	getenv = envOr(getenv)
	cmd := "serve"
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		args = args[:0]
		cmd = "help"
	}
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = cmdServe(ctx, args, stdout, stderr, getenv, nil)
	case "migrate":
		err = cmdMigrate(ctx, args, stdout, stderr, getenv)
	case "expire":
		err = cmdExpire(ctx, args, stdout, stderr, getenv)
	case "sync":
		err = cmdSync(ctx, args, stdout, stderr, getenv)
	case "import":
		err = cmdImport(ctx, args, stdout, stderr, getenv)
	case "apikey":
		err = cmdAPIKey(ctx, args, stdout, stderr, getenv)
	case "passwd":
		err = cmdPasswd(ctx, args, stdin, stdout, stderr, getenv)
	case "version":
		fmt.Fprintf(stdout, "loyaltyd %s (speaks Odoo 16.0-18.0, 17.0 by default)\n", buildVersion)
	case "help":
		usage(stdout)
		fmt.Fprintln(stdout)
		newFlagSet("serve", &Config{}, stdout).Usage()
	default:
		fmt.Fprintf(stderr, "loyaltyd: unknown command %q\n\n", cmd)
		usage(stderr)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "loyaltyd %s: %v\n", cmd, err)
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprint(w, `loyaltyd: an Odoo-compatible loyalty engine.

Usage:
  loyaltyd [serve] [flags]          serve Odoo's external API (default command)
  loyaltyd migrate [flags]          apply database migrations and exit
  loyaltyd expire [flags]           expire the points past their date and exit
                                    (serve does it every --expire-interval)
  loyaltyd apikey [flags] LOGIN [NAME]
                                    create an API key for LOGIN and print it once
  loyaltyd passwd [flags] LOGIN     set LOGIN's password (read from stdin)
  loyaltyd version                  print the version

Run "loyaltyd serve --help" for the flags; every flag can also be set in the
environment as LOYALTYD_<FLAG> (LOYALTYD_HTTP_PORT=8070).
`)
}
