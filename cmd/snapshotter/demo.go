package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"snapshotter/internal/clock"
	"snapshotter/internal/config"
	"snapshotter/internal/exchange"
	"snapshotter/internal/kline"
	"snapshotter/internal/sign"
)

func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "public", "output `folder` for the published files")
	state := fs.String("state", "state/demo", "state `folder` for the cache")
	serve := fs.String("serve", "127.0.0.1:8080",
		"serve the output folder at this loopback `host:port` (empty: don't)")
	echarts := fs.String("echarts", config.Default().Output.EChartsJS,
		"the ECharts `script` installed by make assets")
	duration := fs.Duration("for", 0, "stop after this long (0: run until Ctrl-C)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: snapshotter demo [flags]\n\n"+
			"Starts a built-in exchange on loopback that generates markets, runs the\n"+
			"daemon against it and serves the published folder. Nothing leaves this machine.")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *duration < 0 {
		fmt.Fprintf(stderr, "snapshotter demo: -for %v: must not be negative\n", *duration)
		return exitUsage
	}
	if *serve != "" {
		if err := checkLoopback(*serve); err != nil {
			fmt.Fprintf(stderr, "snapshotter demo: -serve %q: %v\n", *serve, err)
			return exitUsage
		}
	}
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}

	agentKey, agent, err := demoAgent()
	if err != nil {
		fmt.Fprintln(stderr, "snapshotter demo:", err)
		return exitStartUp
	}
	ex := exchange.New(exchange.Config{Accounts: []exchange.Account{{
		User: demoUser, Signer: agent.Address(), Balance: "10000.00000000",
		Symbols: []string{"BTCUSDT", "ETHUSDT", "ASTERUSDT"}, Seed: 7}}})
	base, err := ex.Start()
	if err != nil {
		fmt.Fprintln(stderr, "snapshotter demo: start built-in exchange:", err)
		return exitStartUp
	}
	defer ex.Close()

	cfg := demoConfig(base, *out, *state, *echarts)
	cfg.Account = demoAccount(agent.Address())
	log := newLogger(cfg.Log, stderr)
	getenv := func(name string) string {
		if name == demoKeyEnv {
			return agentKey
		}
		return ""
	}
	d, unlock, err := wire(cfg, clock.Real{}, log, getenv)
	if err != nil {
		fmt.Fprintln(stderr, "snapshotter demo:", err)
		return exitUsage
	}
	defer unlock()

	fmt.Fprintf(stdout, "Built-in exchange on %s (loopback only).\n", base)
	fmt.Fprintf(stdout, "Publishing into %s/: open %s/index.html in a browser", *out, *out)
	if *serve == "" {
		fmt.Fprintln(stdout, ".")
	} else {
		fmt.Fprintln(stdout, ",")
		addr, stop, err := serveDir(*out, *serve)
		if err != nil {
			fmt.Fprintln(stderr, "snapshotter demo: serve:", err)
			return exitStartUp
		}
		defer stop()
		fmt.Fprintf(stdout, "or http://%s/ (a static server, like nginx would be).\n", addr)
	}
	fmt.Fprintln(stdout, "Snapshots: "+*out+"/data/status.json, "+*out+"/data/klines/*.json. "+
		"Ctrl-C stops.")

	if err := d.Run(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		log.Error("daemon stopped", "err", err)
		return exitFailed
	}
	return exitOK
}

// demoConfig charts a few of the built-in markets, 1-minute ones so the
// pages change while you watch, and one being settled, which the daemon
// reports and leaves out.
func demoConfig(base, out, state, echarts string) config.Config {
	cfg := config.Default()
	cfg.Exchange.BaseURL = base
	cfg.Output.Dir = out
	cfg.Output.EChartsJS = echarts
	cfg.State.Dir = state
	cfg.Schedule.Delay = config.Duration{Duration: time.Second}
	charts := []struct {
		symbol string
		iv     kline.Interval
		keep   int
	}{
		{"BTCUSDT", "1m", 240},
		{"ETHUSDT", "1m", 240},
		{"币安人生USDT", "1m", 120},
		{"BTCUSDT", "1h", 500},
		{"ETHUSDT", "5m", 288},
		{"ASTERUSDT", "15m", 672},
		{"OLDCOINUSDT", "1h", 100},
	}
	for _, c := range charts {
		cfg.Klines = append(cfg.Klines, config.Klines{Symbol: c.symbol, Interval: c.iv,
			Keep: c.keep})
	}
	return cfg
}

// checkLoopback refuses an address that is not host:port on loopback: the
// demo serves this machine only.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("want host:port, such as 127.0.0.1:8080")
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("the demo serves loopback only; use 127.0.0.1:PORT")
	}
	return nil
}

// staticFiles serves dir as nginx with deploy/nginx.conf does: no folder
// listings, no hidden files (the publisher's temporary files are hidden),
// no gzip copies by name.
func staticFiles(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if strings.Contains(p, "/.") || (strings.HasSuffix(p, "/") && p != "/") ||
			strings.HasSuffix(p, ".gz") {
			http.NotFound(w, r)
			return
		}
		files.ServeHTTP(w, r)
	})
}

// The demo's account: a made-up main wallet, and an agent key drawn at
// random for each run, handed to the daemon in the process, never written.
const (
	demoUser   = "0x00000000000000000000000000000000DeaDBeef"
	demoKeyEnv = "SNAPSHOTTER_DEMO_AGENT_KEY"
)

func demoAgent() (string, *sign.Agent, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, err
	}
	key := hex.EncodeToString(b[:])
	agent, err := sign.ParseAgentKey(key)
	return key, agent, err
}

func demoAccount(signer string) *config.Account {
	def := config.DefaultAccount()
	a := &def
	a.Profile = config.ProfileAsterV3
	a.User, a.Signer, a.PrivateKeyEnv = demoUser, signer, demoKeyEnv
	return a
}

// serveDir serves dir read-only at addr, or at a free loopback port when
// addr is taken.
func serveDir(dir, addr string) (string, func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", nil, err
		}
	}
	srv := &http.Server{Handler: staticFiles(dir), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	return ln.Addr().String(), func() { srv.Close() }, nil
}
