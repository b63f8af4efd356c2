// Package app wires snapshotter's parts into a daemon for one
// configuration: the state folder's lock, the one HTTP client, the budgeted
// exchange client, the cache, the renderer and the account's signer. The
// snapshotter command, its demo and the benchmarks all build the daemon
// here, so they run the same product.
package app

import (
	"fmt"
	"log/slog"
	"net/http"
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

// Deps are what differs between the places that build a daemon.
type Deps struct {
	// Clock is the local clock; nil means clock.Real.
	Clock clock.Clock
	// HTTP is the one HTTP client; nil means fetch.NewHTTPClient with the
	// configured timeout. The benchmarks hand in one that reaches the
	// built-in exchange inside the process.
	HTTP *http.Client
	// Getenv reads the environment variables the [account] names.
	Getenv func(string) string
	// Wrap, when set, puts a Publisher around the renderer.
	Wrap    func(daemon.Publisher) daemon.Publisher
	Logger  *slog.Logger
	Version string
}

// Wire builds the daemon for cfg. The state folder is locked first, before
// the saved ban is read from it; the returned function releases it.
func Wire(cfg config.Config, deps Deps) (*daemon.Daemon, func(), error) {
	unlock, err := store.Lock(cfg.State.Dir)
	if err != nil {
		return nil, nil, err
	}
	d, err := wireLocked(cfg, deps)
	if err != nil {
		unlock()
		return nil, nil, err
	}
	return d, unlock, nil
}

func wireLocked(cfg config.Config, deps Deps) (*daemon.Daemon, error) {
	if deps.Clock == nil {
		deps.Clock = clock.Real{}
	}
	if deps.HTTP == nil {
		deps.HTTP = fetch.NewHTTPClient(cfg.Exchange.Timeout.Duration, deps.Version)
	}
	client, err := fetch.New(fetch.Options{
		BaseURL:   cfg.Exchange.BaseURL,
		HTTP:      deps.HTTP,
		Clock:     deps.Clock,
		Share:     cfg.Budget.Share,
		IPMargin:  cfg.Budget.IPMargin,
		PausePath: filepath.Join(cfg.State.Dir, "pause.json"),
		Logger:    deps.Logger,
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
		EChartsJS: cfg.Output.EChartsJS, Version: deps.Version})
	if err != nil {
		return nil, err
	}
	var pub daemon.Publisher = r
	if deps.Wrap != nil {
		pub = deps.Wrap(r)
	}
	priv, err := private(cfg, client, deps.Getenv)
	if err != nil {
		return nil, err
	}
	return daemon.New(daemon.Options{Config: cfg, Client: client, Store: st,
		Publisher: pub, Private: priv, Logger: deps.Logger, Version: deps.Version}), nil
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
