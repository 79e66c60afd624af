# Mattermost Apps plugin: build, test and package.
#
#   make demo      run the whole flow locally (no AWS, no Mattermost needed)
#   make test      every test: Go (unit + end-to-end with the built bundle) and webapp
#   make dist      dist/<id>-<version>.tar.gz for all server platforms
#   make deploy    upload and enable dist/... on $MM_SERVICESETTINGS_SITEURL with $MM_ADMIN_TOKEN
#   make check     gofmt, go vet, staticcheck, webapp type check
#   make bench     Go benchmarks
#
# PLUGIN_ID=... builds the plugin under another id (see README: servers 10+
# run com.mattermost.apps only with FeatureFlags.AppsEnabled).

GO ?= go
NPM ?= npm
PLUGIN_ID ?= com.mattermost.apps
PLUGIN_VERSION := $(shell $(GO) run ./build/pluginmanifest get version)
BUILD_HASH := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
BUILD_DATE := $(shell date -u +%Y-%m-%d)
LDFLAGS := -s -w -X main.pluginID=$(PLUGIN_ID) -X main.version=$(PLUGIN_VERSION) -X main.buildHash=$(BUILD_HASH) -X main.buildDate=$(BUILD_DATE)
PLATFORMS := linux-amd64 linux-arm64 darwin-amd64 darwin-arm64 windows-amd64

TOOLS_DIR := $(CURDIR)/.tools
STATICCHECK_VERSION := v0.8.2
STATICCHECK := $(TOOLS_DIR)/staticcheck-$(STATICCHECK_VERSION)
# MinIO for the S3 tests (test/s3test): built from the Go module proxy, not
# downloaded. MinIO tags no semver releases, so a pseudo-version pins the commit.
MINIO_VERSION := v0.0.0-20260212201848-7aac2a2c5b7c
MINIO := $(TOOLS_DIR)/minio-$(MINIO_VERSION)

BUNDLE_ROOT := dist/bundle
BUNDLE_DIR := $(BUNDLE_ROOT)/$(PLUGIN_ID)
BUNDLE := dist/$(PLUGIN_ID)-$(PLUGIN_VERSION).tar.gz

GO_TEST_FLAGS ?= -count=1 -timeout 20m

.PHONY: all server webapp webapp-deps dist deploy test test-go test-webapp check bench demo clean

all: check test dist

GO_SOURCES := $(shell find . -name '*.go' -not -name '*_test.go' -not -path '*/testdata/*' -not -path './webapp/*' -not -path './.tools/*' 2>/dev/null) go.mod go.sum
SERVER_BINS := $(foreach p,$(PLATFORMS),server/dist/plugin-$(p)$(if $(findstring windows,$(p)),.exe))
WEBAPP_SOURCES := $(shell find webapp/src -type f 2>/dev/null) webapp/webpack.config.js webapp/tsconfig.json
# What the build stamps into the binaries and the webapp; a change rebuilds them.
BUILD_STAMP := dist/.stamp-$(PLUGIN_ID)-$(PLUGIN_VERSION)-$(BUILD_HASH)

$(BUILD_STAMP):
	@mkdir -p dist && rm -f dist/.stamp-* && touch $@

## server: the plugin executable for every platform
server: $(SERVER_BINS)

$(SERVER_BINS): $(GO_SOURCES) $(BUILD_STAMP)
	@p=$(basename $(notdir $@)); p=$${p#plugin-}; os=$${p%-*}; arch=$${p#*-}; \
	echo "building $@"; \
	CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $@ ./server

webapp/node_modules/.package-lock.json: webapp/package-lock.json
	cd webapp && $(NPM) ci --no-audit --no-fund
	@touch $@

webapp-deps: webapp/node_modules/.package-lock.json

## webapp: the webapp bundle, registered under PLUGIN_ID
webapp: webapp/dist/main.js

webapp/dist/main.js: webapp/node_modules/.package-lock.json $(WEBAPP_SOURCES) $(BUILD_STAMP)
	cd webapp && PLUGIN_ID=$(PLUGIN_ID) PLUGIN_VERSION=$(PLUGIN_VERSION) $(NPM) run build

## dist: the plugin bundle (one top-level folder named after the id)
dist: $(BUNDLE)

$(BUNDLE): $(SERVER_BINS) webapp/dist/main.js plugin.json $(wildcard assets/*)
	rm -rf $(BUNDLE_ROOT) && mkdir -p $(BUNDLE_DIR)/server/dist $(BUNDLE_DIR)/webapp/dist
	$(GO) run ./build/pluginmanifest write -id $(PLUGIN_ID) -out $(BUNDLE_DIR)/plugin.json
	cp -r assets $(BUNDLE_DIR)/
	cp $(SERVER_BINS) $(BUNDLE_DIR)/server/dist/
	chmod 0755 $(BUNDLE_DIR)/server/dist/plugin-*
	cp webapp/dist/main.js $(BUNDLE_DIR)/webapp/dist/
	tar -C $(BUNDLE_ROOT) --owner=0 --group=0 -czf $@ $(PLUGIN_ID)
	@echo "plugin bundle: $@"

## deploy: upload, enable and wait until the server runs it
deploy: dist
	$(GO) run ./build/deploy -id $(PLUGIN_ID) $(BUNDLE)

## test: all tests; the end-to-end tests run the bundle built by dist
test: dist test-go test-webapp

test-go: minio
	APPS_TEST_MINIO=$(MINIO) APPS_PLUGIN_BUNDLE=$(CURDIR)/$(BUNDLE) $(GO) test $(GO_TEST_FLAGS) ./...

# The browser test runs twice: against the Node fake of the plugin, then
# against the real plugin binary in the test host (test/webhost): under
# `make test` the bundle make dist built, otherwise one built from source.
test-webapp: webapp-deps
	cd webapp && $(NPM) test -- --ci
	bash webapp/scripts/install-browser.sh
	cd webapp && $(NPM) run test:browser
	cd webapp && GO=$(GO) $(if $(filter test all,$(MAKECMDGOALS)),APPS_PLUGIN_BUNDLE=$(CURDIR)/$(BUNDLE)) $(NPM) run test:browser:real

$(STATICCHECK):
	mkdir -p $(TOOLS_DIR)
	GOBIN=$(TOOLS_DIR) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	mv $(TOOLS_DIR)/staticcheck $@

## minio: the MinIO server for the S3 tests (first build: a few minutes)
.PHONY: minio
minio: $(MINIO)

$(MINIO):
	rm -rf $(TOOLS_DIR)/.minio-build && mkdir -p $(TOOLS_DIR)/.minio-build
	GOBIN=$(TOOLS_DIR)/.minio-build $(GO) install github.com/minio/minio@$(MINIO_VERSION)
	mv $(TOOLS_DIR)/.minio-build/minio $@
	rm -rf $(TOOLS_DIR)/.minio-build

## check: formatting, vet, staticcheck, webapp types
check: $(STATICCHECK) webapp-deps
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...
	cd webapp && $(NPM) run check

## bench: benchmarks (figures are ratios against a baseline measured in the same run)
bench: dist minio
	APPS_TEST_MINIO=$(MINIO) APPS_PLUGIN_BUNDLE=$(CURDIR)/$(BUNDLE) $(GO) test -run '^$$' -bench . -benchtime 2s ./...

## demo: the whole flow on embedded parts
demo: dist
	$(GO) run ./test/demo -bundle $(BUNDLE)

clean:
	rm -rf dist server/dist webapp/dist
