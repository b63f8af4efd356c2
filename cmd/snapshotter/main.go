// Command snapshotter keeps a trading dashboard off the exchange's back: one
// daemon fetches klines on a budgeted schedule through one HTTP client and
// publishes JSON snapshots and chart pages that any static server serves.
//
// Usage:
//
//	snapshotter run -config FILE    the daemon
//	snapshotter once -config FILE   every job once; exit 1 if any failed
//	snapshotter plan -config FILE   the cost of a configuration, before running it
//	snapshotter demo                the daemon against a built-in exchange
//	snapshotter version
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
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

const usage = `snapshotter publishes exchange data as static files, on a budget.

Usage:
  snapshotter run  -config FILE   run the daemon: each chart refreshed after its candle closes
  snapshotter once -config FILE   run every job once and exit (0: all succeeded, 1: some failed)
  snapshotter plan -config FILE   print what each job costs and whether it fits the budget
  snapshotter demo [flags]        run the daemon against a built-in exchange on loopback
  snapshotter version             print the version

Run "snapshotter COMMAND -h" for a command's flags.

Exit codes: 0 success; 1 a job failed, nothing could run, or (plan) the
configuration does not fit; 2 bad flags, configuration or local set-up;
3 could not start (exchange unreachable, a saved ban, state folder in use).
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// exit codes
const (
	exitOK      = 0
	exitFailed  = 1 // a job failed
	exitUsage   = 2 // bad flags or configuration
	exitStartUp = 3 // could not start: exchange unreachable, banned, ...
)

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch args[0] {
	case "run":
		return cmdRun(ctx, args[1:], stderr)
	case "once":
		return cmdOnce(ctx, args[1:], stderr)
	case "plan":
		return cmdPlan(args[1:], stdout, stderr)
	case "demo":
		return cmdDemo(ctx, args[1:], stdout, stderr)
	case "version":
		if len(args) > 1 {
			fmt.Fprintln(stderr, "Usage: snapshotter version\n\nPrints the version.")
			if args[1] == "-h" || args[1] == "-help" || args[1] == "--help" {
				return exitOK
			}
			return exitUsage
		}
		fmt.Fprintln(stdout, "snapshotter", version)
		return exitOK
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "snapshotter: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

// parseFlags parses a command's flags; it returns false with the exit code
// when the command should not go on (-h, or a bad flag).
func parseFlags(fs *flag.FlagSet, args []string) (int, bool) {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitOK, false
	case err != nil:
		return exitUsage, false
	case fs.NArg() > 0:
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
		return exitUsage, false
	}
	return 0, true
}
