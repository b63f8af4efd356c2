package compare

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"snapshotter/internal/app"
	"snapshotter/internal/config"
	"snapshotter/internal/daemon"
	"snapshotter/internal/exchange"
	"snapshotter/internal/kline"
	"snapshotter/internal/render"
)

// Tuning is what a user may change in the product's configuration for a
// run. The zero value is the configuration's defaults.
type Tuning struct {
	// AccountEvery is [account] every; zero keeps the default, 1m.
	AccountEvery time.Duration
}

func (t Tuning) String() string {
	if t.AccountEvery == 0 {
		return "defaults"
	}
	return fmt.Sprintf("[account] every = %q", shortDuration(t.AccountEvery))
}

// Environment variables the benchmark's configuration names for the
// account's credentials; the run hands their values to the daemon itself.
const (
	envAPIKey = "SNAPSHOTTER_BENCH_API_KEY"
	envSecret = "SNAPSHOTTER_BENCH_SECRET"
)

// ProductConfig returns the configuration file the product runs with in
// the benchmark: the defaults, the workload's charts and its account,
// publishing under dir, and the tuning.
func ProductConfig(w Workload, base, dir, echarts string, t Tuning) string {
	var charts []config.Klines
	for _, sym := range w.Symbols {
		charts = append(charts, config.Klines{Symbol: sym, Interval: w.Interval, Keep: w.Keep})
	}
	return configFile(base, dir, echarts, charts, true, t)
}

// configFile writes a configuration with the given charts and, when
// account is set, the account; its state and output folders under dir.
func configFile(base, dir, echarts string, charts []config.Klines, account bool,
	t Tuning) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[exchange]\nbase_url = %q\n\n", base)
	fmt.Fprintf(&b, "[output]\ndir = %q\necharts_js = %q\n\n",
		filepath.Join(dir, "public"), echarts)
	fmt.Fprintf(&b, "[state]\ndir = %q\n\n", filepath.Join(dir, "state"))
	if account {
		fmt.Fprintf(&b, "[account]\nprofile = %q\napi_key_env = %q\nsecret_env = %q\n",
			config.ProfileAsterV1, envAPIKey, envSecret)
		if t.AccountEvery > 0 {
			fmt.Fprintf(&b, "every = %q\n", shortDuration(t.AccountEvery))
		}
	}
	for _, k := range charts {
		fmt.Fprintf(&b, "\n[[klines]]\nsymbol = %q\ninterval = %q\nkeep = %d\n",
			k.Symbol, k.Interval, k.Keep)
	}
	return b.String()
}

// benchEnv is the environment the daemon reads the account's credentials
// from.
func benchEnv(name string) string {
	switch name {
	case envAPIKey:
		return benchAPIKey
	case envSecret:
		return benchSecret
	}
	return ""
}

// productRun is what the product's run leaves besides the exchange's log.
type productRun struct {
	// errors are the daemon's Error lines.
	errors []string
}

// runProduct plays the product: its daemon, wired as the snapshotter
// command wires it, runs from w.Start to w.End, while at each view a
// viewer reads the published files and nothing else. fresh gets the
// moment each chart was published; seen what the viewers saw. It runs
// inside a bubble whose clock is at w.Start.
func runProduct(w Workload, views []time.Time, echarts string, t Tuning,
	fresh, seen *tracker) (*upstream, productRun, error) {
	dir, err := os.MkdirTemp("", "snapshotter-compare-")
	if err != nil {
		return nil, productRun{}, err
	}
	defer os.RemoveAll(dir)

	up := newUpstream(exchange.New(w.exchangeConfig()))
	cfg, err := config.Parse("bench.toml", ProductConfig(w, baseURL, dir, echarts, t))
	if err != nil {
		return nil, productRun{}, err
	}
	log := &errorLog{}
	d, unlock, err := wireProduct(cfg, up, slog.New(log), fresh)
	if err != nil {
		return nil, productRun{}, err
	}
	defer unlock()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	reader := newSiteReader(cfg.Output.Dir, w)
	for _, v := range views {
		sleepUntil(v)
		reader.view(seen)
	}
	sleepUntil(w.End())
	cancel()
	if err := <-done; err != nil {
		return nil, productRun{}, fmt.Errorf("daemon: %w", err)
	}
	return up, productRun{errors: log.lines()}, nil
}

// wireProduct builds the product as the snapshotter command does, in
// internal/app, but with the in-process transport and with the renderer
// watched, so each chart's publication is timed.
func wireProduct(cfg config.Config, up *upstream, log *slog.Logger,
	fresh *tracker) (*daemon.Daemon, func(), error) {
	return app.Wire(cfg, app.Deps{HTTP: up.client(), Getenv: benchEnv, Logger: log,
		Version: "bench", Wrap: func(p daemon.Publisher) daemon.Publisher {
			return watched{Publisher: p, fresh: fresh}
		}})
}

// watched is the renderer with a stopwatch: when a chart's files are in
// place, its newest closed candle is there for every viewer from then on.
type watched struct {
	daemon.Publisher
	fresh *tracker
}

func (p watched) Series(s kline.Series, m render.SeriesMeta) error {
	if err := p.Publisher.Series(s, m); err != nil {
		return err
	}
	if newest, ok := newestClosed(s.Candles); ok {
		p.fresh.observe(s.Symbol, newest, time.Now())
	}
	return nil
}

// shortDuration writes d as the configuration does, "5m" rather than
// "5m0s".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}
