# The two commands a new user needs:
#   make demo   installs the chart script, then runs the daemon against the
#               built-in exchange into public/ and serves it on loopback
#   make test   installs the chart script, then runs every test; those
#               through nginx and Chromium (internal/e2e) skip themselves
#               when either is missing (.ci/run installs both)
GO ?= go

.PHONY: demo test e2e screenshots assets build bench bench-strategies bench-render \
	bench-memory vet clean

demo: assets
	$(GO) run ./cmd/snapshotter demo

test: assets
	$(GO) vet ./...
	$(GO) test -count=1 ./...

# Only the tests through nginx and headless Chromium, with their log:
# figures of the largest chart, refresh counts, where the screenshots are.
e2e: assets
	$(GO) test -count=1 -v ./internal/e2e/

# The README's screenshots, taken by the browser test into docs/screenshots.
screenshots: assets
	SNAPSHOTTER_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test -count=1 -short \
		-run 'TestBrowser_Pages' ./internal/e2e/

# ECharts from the npm registry, at the version pinned in web/package-lock.json.
assets: web/node_modules/echarts/dist/echarts.min.js

web/node_modules/echarts/dist/echarts.min.js: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

build:
	$(GO) build -o snapshotter ./cmd/snapshotter

# The measurements of docs/benchmarks.md, not part of `make test`: the three
# designs on the simulated reference workload (a few minutes), the render
# benchmarks, and the daemon's memory over 10 minutes of real time.
bench: bench-strategies bench-render bench-memory

bench-render:
	$(GO) test ./internal/render/ -run '^$$' -bench . -benchmem

bench-strategies:
	$(GO) test -count=1 -timeout 60m -run '^TestStrategies$$' ./internal/compare -v \
		-args -strategies

bench-memory: assets
	tmp=$$(mktemp -d) && $(GO) build -o $$tmp/snapshotter ./cmd/snapshotter && \
	$(GO) run ./cmd/benchcompare memory -snapshotter $$tmp/snapshotter; \
	status=$$?; rm -rf $$tmp; exit $$status

vet:
	$(GO) vet ./...

clean:
	rm -rf public/assets public/data public/*.html public/*.html.gz state snapshotter

