# The two commands a new user needs:
#   make demo   installs the chart script, then runs the daemon against the
#               built-in exchange into public/ and serves it on loopback
#   make test   installs the chart script, then runs every test
GO ?= go

.PHONY: demo test assets build bench vet clean

demo: assets
	$(GO) run ./cmd/snapshotter demo

test: assets
	$(GO) vet ./...
	$(GO) test -count=1 ./...

# ECharts from the npm registry, at the version pinned in web/package-lock.json.
assets: web/node_modules/echarts/dist/echarts.min.js

web/node_modules/echarts/dist/echarts.min.js: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

build:
	$(GO) build -o snapshotter ./cmd/snapshotter

vet:
	$(GO) vet ./...

clean:
	rm -rf public/assets public/data public/*.html state snapshotter
