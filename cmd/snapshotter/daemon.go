package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"snapshotter/internal/clock"
	"snapshotter/internal/config"
	"snapshotter/internal/daemon"
	"snapshotter/internal/fetch"
	"snapshotter/internal/render"
	"snapshotter/internal/sign"
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
// The state folder is locked first, before the saved ban is read from it;
// the returned function releases it.
func wire(cfg config.Config, clk clock.Clock, log *slog.Logger,
	getenv func(string) string) (*daemon.Daemon, func(), error) {
	unlock, err := store.Lock(cfg.State.Dir)
	if err != nil {
		return nil, nil, err
	}
	d, err := wireLocked(cfg, clk, log, getenv)
	if err != nil {
		unlock()
		return nil, nil, err
	}
	return d, unlock, nil
}

func wireLocked(cfg config.Config, clk clock.Clock, log *slog.Logger,
	getenv func(string) string) (*daemon.Daemon, error) {
	client, err := fetch.New(fetch.Options{
		BaseURL:   cfg.Exchange.BaseURL,
		HTTP:      fetch.NewHTTPClient(cfg.Exchange.Timeout.Duration, version),
		Clock:     clk,
		Share:     cfg.Budget.Share,
		IPMargin:  cfg.Budget.IPMargin,
		PausePath: filepath.Join(cfg.State.Dir, "pause.json"),
		Logger:    log,
	})
	if err != nil {
		return nil, err
	}
	st, err := store.New(cfg.State.Dir)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(cfg.Output.Timezone)
	if err != nil {
		return nil, err
	}
	r, err := render.New(render.Options{Dir: cfg.Output.Dir, Location: loc,
		EChartsJS: cfg.Output.EChartsJS, Version: version})
	if err != nil {
		return nil, err
	}
	priv, err := private(cfg, client, getenv)
	if err != nil {
		return nil, err
	}
	return daemon.New(daemon.Options{Config: cfg, Client: client, Store: st,
		Publisher: r, Private: priv, Logger: log, Version: version}), nil
}

// private builds the account's signed calls from its credentials, or
// returns nil without an [account]. Errors name the setting, never a
// secret.
func private(cfg config.Config, client *fetch.Client,
	getenv func(string) string) (*fetch.Private, error) {
	a := cfg.Account
	if a == nil {
		return nil, nil
	}
	creds, err := a.LoadCredentials(getenv)
	if err != nil {
		return nil, fmt.Errorf("account credentials: %w", err)
	}
	var s fetch.Signer
	switch a.Profile {
	case config.ProfileAsterV3:
		agent, err := sign.ParseAgentKey(creds.AgentKey.Reveal())
		if err != nil {
			return nil, fmt.Errorf("account: the agent's private key: %w", err)
		}
		if !sign.SameAddress(agent.Address(), a.Signer) {
			return nil, fmt.Errorf("account: the private key is the key of %s, "+
				"not of signer %s", agent.Address(), a.Signer)
		}
		chain := int64(sign.ChainMainnet)
		if a.Testnet {
			chain = sign.ChainTestnet
		}
		s, err = fetch.NewV3Signer(agent, a.User, chain)
		if err != nil {
			return nil, err
		}
	default:
		s, err = fetch.NewHMACSigner(creds.APIKey.Reveal(), creds.HMACSecret.Reveal(),
			a.RecvWindow.Duration)
		if err != nil {
			return nil, err
		}
	}
	return client.NewPrivate(fetch.Profiles[a.Profile], s), nil
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
