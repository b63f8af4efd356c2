package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"snapshotter/internal/app"
	"snapshotter/internal/clock"
	"snapshotter/internal/config"
	"snapshotter/internal/daemon"
	"snapshotter/internal/store"
)

func cmdRun(ctx context.Context, args []string, stderr io.Writer) int {
	return withDaemon("run", args, stderr,
		"Runs the daemon: every chart is refreshed shortly after its candle closes,\n"+
			"within the weight budget; stops cleanly on SIGINT or SIGTERM.",
		func(d *daemon.Daemon, log *slog.Logger) int {
			if err := d.Run(ctx); err != nil {
				return startError(err, log, stderr)
			}
			log.Info("stopped")
			return exitOK
		})
}

func cmdOnce(ctx context.Context, args []string, stderr io.Writer) int {
	return withDaemon("once", args, stderr,
		"Runs every job once and exits: 0 when all succeeded, 1 when any failed,\n"+
			"3 when it could not start (exchange unreachable, or a ban still running).",
		func(d *daemon.Daemon, log *slog.Logger) int {
			failed, err := d.Once(ctx)
			switch {
			case err != nil:
				return startError(err, log, stderr)
			case failed > 0:
				log.Error("some jobs failed; their last published files are kept",
					"failed", failed)
				return exitFailed
			}
			return exitOK
		})
}

// withDaemon parses a command's -config flag, builds the daemon with its
// state folder locked, and runs f with it.
func withDaemon(name string, args []string, stderr io.Writer, help string,
	f func(*daemon.Daemon, *slog.Logger) int) int {
	path, code, ok := configFlag(name, args, stderr, help)
	if !ok {
		return code
	}
	d, log, unlock, code := build(path, stderr)
	if d == nil {
		return code
	}
	defer unlock()
	return f(d, log)
}

// startError reports why the daemon could not start. A configuration that
// does not fit the budget is a configuration error: its table goes to
// standard error as it is, not folded into a log line.
func startError(err error, log *slog.Logger, stderr io.Writer) int {
	switch {
	case errors.Is(err, daemon.ErrDoesNotFit):
		fmt.Fprintln(stderr, "snapshotter:", err)
		return exitUsage
	case errors.Is(err, daemon.ErrNothingToRun):
		log.Error("nothing ran", "err", err)
		return exitFailed
	}
	log.Error("could not start", "err", err)
	return exitStartUp
}

// configFlag parses the flags of a command that takes only -config.
func configFlag(name string, args []string, stderr io.Writer, help string) (string, int, bool) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "config.toml", "configuration `file`")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: snapshotter %s -config FILE\n\n%s\n", name, help)
		fs.PrintDefaults()
	}
	code, ok := parseFlags(fs, args)
	return *path, code, ok
}

// build loads the configuration and wires the daemon's parts. On failure
// it has already said why and returns the exit code.
func build(path string, stderr io.Writer) (*daemon.Daemon, *slog.Logger, func(), int) {
	cfg, err := config.Load(path)
	if err != nil {
		fmt.Fprintln(stderr, "snapshotter:", err)
		return nil, nil, nil, exitUsage
	}
	log := newLogger(cfg.Log, stderr)
	d, unlock, err := wire(cfg, clock.Real{}, log, os.Getenv)
	if err != nil {
		fmt.Fprintln(stderr, "snapshotter:", err)
		if errors.Is(err, store.ErrLocked) {
			return nil, nil, nil, exitStartUp
		}
		return nil, nil, nil, exitUsage // a local set-up problem
	}
	return d, log, unlock, exitOK
}

// wire builds the one HTTP client, the budgeted exchange client, the cache,
// the renderer and the daemon over them.
// wire builds the daemon for cfg with the process's one HTTP client; the
// returned function releases the state folder.
func wire(cfg config.Config, clk clock.Clock, log *slog.Logger,
	getenv func(string) string) (*daemon.Daemon, func(), error) {
	return app.Wire(cfg, app.Deps{Clock: clk, Getenv: getenv, Logger: log, Version: version})
}

func newLogger(c config.Log, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
