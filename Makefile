# status-edge: build the nginx module against the system nginx (Debian's
# nginx-dev source tree), run the tests, the demo and the benchmarks.

SHELL := /bin/bash

NGINX_SRC   ?= /usr/share/nginx/src
NGINX_BIN   ?= /usr/sbin/nginx
BUILD       := $(CURDIR)/build
MODULE      := $(BUILD)/ngx_http_status_edge_module.so
ASAN_MODULE := $(BUILD)/asan/ngx_http_status_edge_module.so

BUILD_PKGS  := nginx nginx-dev libhiredis-dev libjansson-dev libpcre2-dev \
               gcc make perl
TEST_PKGS   := $(BUILD_PKGS) redis-server redis-tools curl \
               libxml-libxml-perl libxml2-utils
DEMO_PKGS   := $(TEST_PKGS) curl
BENCH_PKGS  := $(TEST_PKGS) wrk valgrind
FUZZ_PKGS   := $(BUILD_PKGS) clang libclang-rt-14-dev
BROWSER_PKGS := chromium fonts-noto-cjk
BROWSER_DEPS := $(BUILD)/.browser-deps
WIDGET_DEPS := $(BUILD)/.widget-deps

CORE_SRCS   := $(wildcard src/core/*.c)
# the admin tool has no use for the module's embedded assets
CLI_CORE    := $(filter-out src/core/se_widget_asset.c,$(CORE_SRCS))
CORE_HDRS   := $(wildcard src/core/*.h)
GLUE_SRCS   := $(wildcard src/*.c src/*.h src/redis/*.c src/redis/*.h)
REDIS_SRCS  := $(wildcard src/redis/*.c)
CLI_SRCS    := $(wildcard src/cli/*.c) $(REDIS_SRCS)
CLI_HDRS    := $(wildcard src/cli/*.h src/redis/*.h)
CLI         := $(BUILD)/status-edge
ASAN_CLI    := $(BUILD)/asan/status-edge
CLI_CFLAGS  := -std=c99 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Wpointer-arith \
               -Wno-unused-parameter -Werror -Isrc/core -Isrc/redis -Isrc/cli
UNIT_SRCS   := $(wildcard t/unit/test_*.c)
UNIT_BINS   := $(patsubst t/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRCS))
UNIT_CFLAGS := -std=c99 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror \
               -Isrc/core -It/unit
SAN_FLAGS   := -fsanitize=address,undefined -fno-omit-frame-pointer \
               -fno-sanitize-recover=undefined

.PHONY: all deps cli test test-asan unit demo bench fuzz clean widget

all: $(MODULE) $(if $(CLI_SRCS),$(CLI))

deps:
	@tools/need $(BUILD_PKGS)

# nginx's configure fixes the source list: run it again when that changes
SRC_LIST    := $(sort $(CORE_SRCS) $(wildcard src/*.c) $(REDIS_SRCS))
$(shell mkdir -p $(BUILD)/asan && for d in $(BUILD) $(BUILD)/asan; do \
    echo "$(SRC_LIST)" | cmp -s - $$d/srcs.list \
    || echo "$(SRC_LIST)" > $$d/srcs.list; done)

# $(1): build dir, $(2): extra configure arguments
define configure_nginx
	@tools/need $(BUILD_PKGS)
	rm -rf $(1)/nginx && mkdir -p $(1) && cp -r $(NGINX_SRC) $(1)/nginx
	. $(NGINX_SRC)/conf_flags && cd $(1)/nginx && \
	    ./configure "$${NGX_CONF_FLAGS[@]}" $(2) \
	        --add-dynamic-module=$(CURDIR) > $(1)/configure.log 2>&1 \
	    || { tail -20 $(1)/configure.log; exit 1; }
endef

# $(1): build dir
define make_module
	$(MAKE) -C $(1)/nginx -f objs/Makefile modules
	@if nm -D --undefined-only \
	        $(1)/nginx/objs/ngx_http_status_edge_module.so | grep -E ' (se_|ngx_http_status_edge_)'; \
	then echo "unresolved core symbols" >&2; exit 1; fi
	cp $(1)/nginx/objs/ngx_http_status_edge_module.so $(1)/.new.so
	mv -f $(1)/.new.so $(1)/ngx_http_status_edge_module.so
endef

$(BUILD)/nginx/objs/Makefile: config $(BUILD)/srcs.list
	$(call configure_nginx,$(BUILD))

$(BUILD)/asan/nginx/objs/Makefile: config $(BUILD)/asan/srcs.list
	$(call configure_nginx,$(BUILD)/asan,--with-cc-opt="$(SAN_FLAGS)" \
	    --with-ld-opt="$(SAN_FLAGS)")

$(MODULE): $(BUILD)/nginx/objs/Makefile $(CORE_SRCS) $(CORE_HDRS) \
           $(GLUE_SRCS)
	$(call make_module,$(BUILD))

$(ASAN_MODULE): $(BUILD)/asan/nginx/objs/Makefile $(CORE_SRCS) \
                $(CORE_HDRS) $(GLUE_SRCS)
	$(call make_module,$(BUILD)/asan)

$(BUILD)/unit/%: t/unit/%.c $(CORE_SRCS) $(CORE_HDRS) $(wildcard t/unit/*.h)
	@tools/need $(BUILD_PKGS)
	@mkdir -p $(BUILD)/unit
	$(CC) $(UNIT_CFLAGS) $(UNIT_EXTRA) -o $@ $< $(CORE_SRCS) -ljansson

$(BUILD)/asan/unit/%: t/unit/%.c $(CORE_SRCS) $(CORE_HDRS) \
                      $(wildcard t/unit/*.h)
	@mkdir -p $(BUILD)/asan/unit
	$(CC) $(UNIT_CFLAGS) $(SAN_FLAGS) -o $@ $< $(CORE_SRCS) -ljansson

unit: $(UNIT_BINS)

cli: $(CLI)

# the admin tool: the core plus hiredis and jansson
$(CLI): $(CLI_SRCS) $(CLI_HDRS) $(CLI_CORE) $(CORE_HDRS)
	@tools/need $(BUILD_PKGS)
	@mkdir -p $(BUILD)
	$(CC) $(CLI_CFLAGS) -o $@ $(CLI_SRCS) $(CLI_CORE) -lhiredis -ljansson

$(ASAN_CLI): $(CLI_SRCS) $(CLI_HDRS) $(CLI_CORE) $(CORE_HDRS)
	@mkdir -p $(BUILD)/asan
	$(CC) $(CLI_CFLAGS) $(SAN_FLAGS) -o $@ $(CLI_SRCS) $(CLI_CORE) \
	    -lhiredis -ljansson

# one prove run, one summary line: unit TAP programs and integration tests
test: $(MODULE) $(UNIT_BINS) $(if $(CLI_SRCS),$(CLI)) $(BROWSER_DEPS) \
      $(WIDGET_DEPS)
	@tools/need $(TEST_PKGS)
	prove -I t/lib $(UNIT_BINS) t/*.t

# headless Chromium (Debian's) and playwright-core for t/browser
$(BROWSER_DEPS): t/browser/package.json t/browser/package-lock.json
	@tools/need $(BROWSER_PKGS)
	@command -v npm >/dev/null || tools/need nodejs npm
	cd t/browser && npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(BUILD) && touch $@

# the widget's build tools (terser), for make widget and the freshness test
$(WIDGET_DEPS): widget/package.json widget/package-lock.json
	@command -v npm >/dev/null || tools/need nodejs npm
	cd widget && npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(BUILD) && touch $@

# regenerates src/core/se_widget_asset.c/.h from widget/src (commit them)
widget: $(WIDGET_DEPS)
	cd widget && npm run --silent build

ASAN_UNIT_BINS := $(patsubst t/unit/%.c,$(BUILD)/asan/unit/%,$(UNIT_SRCS))

test-asan: $(ASAN_MODULE) $(ASAN_UNIT_BINS) $(if $(CLI_SRCS),$(ASAN_CLI)) \
           $(BROWSER_DEPS) $(WIDGET_DEPS)
	@tools/need $(TEST_PKGS)
	STATUS_EDGE_MODULE=$(ASAN_MODULE) STATUS_EDGE_CLI=$(ASAN_CLI) \
	STATUS_EDGE_PRELOAD="$$($(CC) -print-file-name=libasan.so)" \
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    prove -I t/lib t/*.t
	ASAN_OPTIONS=detect_leaks=1 prove $(ASAN_UNIT_BINS)

fuzz:
	@tools/need $(FUZZ_PKGS)
	@mkdir -p $(BUILD)/fuzz
	for f in t/fuzz/fuzz_*.c; do \
	    b=$(BUILD)/fuzz/$$(basename $$f .c); \
	    clang -std=c99 -D_GNU_SOURCE -g -O1 \
	        -fsanitize=fuzzer,address,undefined \
	        -fno-sanitize-recover=undefined -Isrc/core -It/unit \
	        -o $$b $$f $(CORE_SRCS) -ljansson || exit 1; \
	    mkdir -p $$b.corpus; \
	    seeds=t/fuzz/corpus-$$(basename $$f .c | sed 's/^fuzz_//'); \
	    $$b -max_total_time=$${FUZZ_SECONDS:-60} -max_len=65536 \
	        $$b.corpus $$seeds || exit 1; \
	done

demo: $(MODULE)
	@tools/need $(DEMO_PKGS)
	tools/demo

bench: $(MODULE)
	@tools/need $(BENCH_PKGS)
	tools/bench

clean:
	rm -rf $(BUILD)
