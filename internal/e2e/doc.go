// Package e2e tests snapshotter the way users run it: the real binary
// publishes into a folder, nginx serves that folder with the example site
// deploy/nginx.conf, and headless Chromium opens every page. It holds only
// tests; this file is here for the package comment.
//
// What the tests show:
//
//   - nginx_test.go: every page, snapshot and script comes through nginx
//     whole, with its type and cache lifetime, plain and as the
//     precompressed .gz the product wrote; nothing outside the published
//     folder is reachable.
//   - torn_test.go: case C19, thousands of requests through nginx while the
//     renderer rewrites the files: every answer whole, old or new, and a
//     page never newer than its JSON.
//   - browser_test.go: every page in Chromium, with no console error, no
//     request to any host but the nginx on loopback, the chart drawn with
//     the candles expected, a screenshot of each, the largest allowed chart
//     timed, and a minute of pages refreshing themselves without a single
//     request reaching the exchange.
//   - systemd_test.go: the units in deploy/ pass systemd-analyze verify.
//
// Each test skips, saying why, when its tool is missing: nginx, Chromium
// (/usr/bin/chromium, Debian's package), the chart script of `make assets`,
// or systemd-analyze. .ci/run installs nginx and Chromium. Everything runs
// on loopback: the built-in exchange, nginx and a proxy that refuses and
// records whatever the browser might send elsewhere.
//
// Screenshots are written to $SNAPSHOTTER_ARTIFACTS when it is set, else to
// a temporary folder; the test log names the folder. Set
// SNAPSHOTTER_SCREENSHOTS to a folder to also write the pictures the README
// shows (make screenshots does, into docs/screenshots).
package e2e
