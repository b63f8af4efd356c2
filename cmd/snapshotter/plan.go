package main

import (
	"flag"
	"fmt"
	"io"

	"snapshotter/internal/config"
	"snapshotter/internal/plan"
)

// documentedLimit is the default of -limit; the daemon reads the live limit
// from exchangeInfo.
const documentedLimit = plan.DocumentedLimit

func cmdPlan(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "config.toml", "configuration `file`")
	limit := fs.Int("limit", documentedLimit,
		"the IP's request weight `N` per minute (the daemon reads it from exchangeInfo)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: snapshotter plan -config FILE [-limit N]\n\n"+
			"Prints what every job costs, in steady state and in the worst case, and\n"+
			"whether it fits the budget. Sends nothing. Exit 1 when it does not fit.")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *limit < 1 {
		fmt.Fprintf(stderr, "snapshotter plan: -limit %d: must be at least 1\n", *limit)
		return exitUsage
	}
	cfg, err := config.Load(*path)
	if err != nil {
		fmt.Fprintln(stderr, "snapshotter:", err)
		return exitUsage
	}
	p := plan.Make(cfg, *limit)
	p.Write(stdout)
	if !p.Fits() {
		fmt.Fprintln(stderr, p.Check())
		return exitFailed
	}
	return exitOK
}
