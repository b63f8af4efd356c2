// Command benchcompare runs the real-time part of the benchmarks of issue
// 6: the snapshotter daemon's memory and CPU over a run of 50 series
// against the built-in exchange on loopback. The simulated comparison of
// strategies is a test, because it needs testing/synctest: see `make bench`.
//
//	benchcompare memory -snapshotter PATH [-for 10m] [-echarts PATH]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"snapshotter/internal/compare"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "memory" {
		fmt.Fprintln(stderr, "usage: benchcompare memory -snapshotter PATH [flags]")
		return 2
	}
	fs := flag.NewFlagSet("memory", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o compare.MemoryOptions
	fs.StringVar(&o.Snapshotter, "snapshotter", "", "the snapshotter `binary` to measure")
	fs.StringVar(&o.Time, "time", "/usr/bin/time", "GNU time, which reports the peak memory")
	fs.DurationVar(&o.For, "for", 0, "how long the daemon runs (default 10m)")
	fs.StringVar(&o.EChartsJS, "echarts", "web/node_modules/echarts/dist/echarts.min.js",
		"the chart `script` installed by make assets")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	o.Progress = stderr
	results, err := compare.RunMemory(o)
	if err != nil {
		fmt.Fprintln(stderr, "benchcompare:", err)
		return 1
	}
	for _, r := range results {
		r.Write(stdout)
	}
	return 0
}
