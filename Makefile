# status-edge: build the nginx module against an nginx source tree (by
# default the system nginx's, Debian's nginx-dev), run the tests, the demo
# and the benchmarks.
#
#   make                         the module against the system nginx
#   make NGINX_SRC=<tree>        the module against another nginx tree
#   make test NGINX=1.30.4       a whole nginx built from ../shared/nginx/,
#                                and the whole suite against it
#   make test-matrix             the suite on the system nginx and on every
#                                release in ../shared/nginx/
#   make deb                     the Debian packages, into build/deb/

SHELL := /bin/bash

# the rules made by $(eval) below come first in the file: a plain make
# must still make all
.DEFAULT_GOAL := all

# nginx reads an inherited listening socket list from NGINX: a make
# variable of that name must not reach the nginx the tests start
unexport NGINX

BUILD       := $(CURDIR)/build
SHARED      ?= $(abspath $(CURDIR)/../shared)
NGINX_RELEASES := $(SHARED)/nginx
SYSTEM_SRC  := /usr/share/nginx/src

# what a test nginx is built with: the modules the suite exercises
TEST_NGINX_FLAGS := --with-compat --with-debug --with-threads \
               --with-pcre-jit --with-http_ssl_module --with-http_v2_module \
               --with-http_sub_module --with-http_addition_module \
               --with-http_gunzip_module --with-http_gzip_static_module \
               --with-http_realip_module --with-http_auth_request_module \
               --with-http_stub_status_module

# Three kinds of nginx to build against, each in its own folder:
#   NGINX=<version>  a release tarball from $(NGINX_RELEASES), built whole
#                    (nginx and the module) in build/nginx-<version>;
#   NGINX_SRC=<tree> another tree, the module only (--with-compat, plus
#                    NGINX_CONFIGURE_ARGS), in build/src-<version>;
#   neither          the system nginx's tree with Debian's own flags, in
#                    build/ (the default the tests and the demo load).
ifneq ($(NGINX),)
NGINX_TARBALL := $(NGINX_RELEASES)/nginx-$(NGINX).tar.gz
NGX_DIR     := $(BUILD)/nginx-$(NGINX)
NGX_FLAGS   := $(TEST_NGINX_FLAGS) $(NGINX_CONFIGURE_ARGS)
NGX_SOURCE  := $(NGINX_TARBALL)
NGINX_BIN   := $(NGX_DIR)/nginx/objs/nginx
NGX_TARGET  :=
else ifneq ($(filter-out $(SYSTEM_SRC),$(NGINX_SRC)),)
NGX_VERSION := $(shell sed -n 's/^\#define NGINX_VERSION *"\(.*\)"/\1/p' \
                   $(NGINX_SRC)/src/core/nginx.h 2>/dev/null)
NGX_DIR     := $(BUILD)/src-$(or $(NGX_VERSION),unknown)
NGX_FLAGS   := --with-compat $(NGINX_CONFIGURE_ARGS)
NGX_SOURCE  := $(NGINX_SRC)
NGX_TARGET  := modules
else
NGINX_SRC   := $(SYSTEM_SRC)
NGX_DIR     := $(BUILD)
NGX_FLAGS   := "$${NGX_CONF_FLAGS[@]}" $(NGINX_CONFIGURE_ARGS)
NGX_SOURCE  := $(SYSTEM_SRC)
NGX_TARGET  := modules
endif

NGINX_BIN   ?= /usr/sbin/nginx
MODULE      := $(NGX_DIR)/ngx_http_status_edge_module.so
ASAN_MODULE := $(NGX_DIR)/asan/ngx_http_status_edge_module.so

# libpcre2-dev: none of our code uses PCRE, but Debian's nginx headers
# (nginx-dev) include pcre2.h; libssl-dev: the admin tool's TLS and the
# tokens' HMAC; libcurl4-openssl-dev: the notifier's deliveries
BUILD_PKGS  := nginx nginx-dev libhiredis-dev libjansson-dev libpcre2-dev \
               libssl-dev libcurl4-openssl-dev gcc make perl
# a whole nginx from a release tarball needs OpenSSL and zlib as well
NGX_PKGS    := $(BUILD_PKGS) $(if $(NGINX),libssl-dev zlib1g-dev)
TEST_PKGS   := $(BUILD_PKGS) redis-server redis-sentinel redis-tools openssl \
               curl \
               libxml-libxml-perl libxml2-utils
DEMO_PKGS   := $(TEST_PKGS) curl
BENCH_PKGS  := $(TEST_PKGS) wrk valgrind
FUZZ_PKGS   := $(BUILD_PKGS) clang libclang-rt-14-dev libxml2-dev \
               libgumbo-dev
BROWSER_PKGS := chromium fonts-noto-cjk
BROWSER_DEPS := $(BUILD)/.browser-deps
WIDGET_DEPS := $(BUILD)/.widget-deps

# the tests and tools run this nginx binary and load this module
TEST_ENV    := STATUS_EDGE_NGINX=$(NGINX_BIN) STATUS_EDGE_MODULE=$(MODULE)

CORE_SRCS   := $(wildcard src/core/*.c)
CORE_HDRS   := $(wildcard src/core/*.h)
ASSET_SRCS  := $(wildcard src/asset/*.c src/asset/*.h)
GLUE_DIRS   := src src/snapshot src/publish src/link src/serve
GLUE_SRCS   := $(wildcard $(addsuffix /*.c,$(GLUE_DIRS)) \
                 $(addsuffix /*.h,$(GLUE_DIRS)) src/redis/*.c src/redis/*.h) \
               $(ASSET_SRCS)
REDIS_SRCS  := $(wildcard src/redis/*.c)
CLI_SRCS    := $(wildcard src/cli/*.c)
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

# The core (src/core) and the hiredis reply glue (src/redis) are compiled
# once per flavour into static libraries that the module, the admin tool,
# the unit tests and the fuzzers link:
#   build/lib/       normal: nginx's own default flags (-O, as the module
#                    was built before), -fPIC for the module
#   build/asan/lib/  the same with ASan and UBSan
#   build/fuzz/lib/  clang, instrumented for libFuzzer (no main)
# A static library gives a program only the objects it calls.
CORE_CFLAGS := -std=c99 -D_GNU_SOURCE -O -g -fPIC -W -Wall -Wextra \
               -Wpointer-arith -Wno-unused-parameter -Werror \
               -Isrc/core -Isrc/redis
FUZZ_SAN    := -fsanitize=fuzzer-no-link,address,undefined \
               -fno-sanitize-recover=undefined
LIB_DIR     := $(BUILD)/lib
ASAN_LIB_DIR := $(BUILD)/asan/lib
FUZZ_LIB_DIR := $(BUILD)/fuzz/lib
LIB_NAMES   := libse_core.a libse_redis.a
LIBS        := $(addprefix $(LIB_DIR)/,$(LIB_NAMES))
ASAN_LIBS   := $(addprefix $(ASAN_LIB_DIR)/,$(LIB_NAMES))
FUZZ_LIBS_A := $(addprefix $(FUZZ_LIB_DIR)/,$(LIB_NAMES))
CORE_LIB    := $(LIB_DIR)/libse_core.a
ASAN_CORE_LIB := $(ASAN_LIB_DIR)/libse_core.a
FUZZ_CORE_LIB := $(FUZZ_LIB_DIR)/libse_core.a

# $(1): library dir; the objects of each library
core_objs   = $(patsubst src/core/%.c,$(1)/core/%.o,$(CORE_SRCS))
redis_objs  = $(patsubst src/redis/%.c,$(1)/redis/%.o,$(REDIS_SRCS))

$(LIB_DIR)/core/%.o $(LIB_DIR)/redis/%.o: \
    LIB_CC = $(CC) $(CORE_CFLAGS) $(CPPFLAGS) $(CFLAGS)
$(ASAN_LIB_DIR)/core/%.o $(ASAN_LIB_DIR)/redis/%.o: \
    LIB_CC = $(CC) $(CORE_CFLAGS) $(SAN_FLAGS)
$(FUZZ_LIB_DIR)/core/%.o $(FUZZ_LIB_DIR)/redis/%.o: \
    LIB_CC = clang $(CORE_CFLAGS) -O1 $(FUZZ_SAN)

# $(1): library dir, $(2): the packages its compiler needs.  -MMD: each
# object depends on the headers it includes (the .d files).
define lib_rules
$(1)/core/%.o: src/core/%.c | need-$(2)
	@mkdir -p $$(@D)
	$$(LIB_CC) -MMD -MP -c -o $$@ $$<

$(1)/redis/%.o: src/redis/%.c | need-$(2)
	@mkdir -p $$(@D)
	$$(LIB_CC) -MMD -MP -c -o $$@ $$<

$(1)/libse_core.a: $(call core_objs,$(1))
	rm -f $$@ && ar rcs $$@ $$^

$(1)/libse_redis.a: $(call redis_objs,$(1))
	rm -f $$@ && ar rcs $$@ $$^

-include $(patsubst %.o,%.d,$(call core_objs,$(1)) $(call redis_objs,$(1)))
endef

$(eval $(call lib_rules,$(LIB_DIR),build))
$(eval $(call lib_rules,$(ASAN_LIB_DIR),build))
$(eval $(call lib_rules,$(FUZZ_LIB_DIR),fuzz))

.PHONY: need-build need-fuzz
need-build:
	@tools/need $(BUILD_PKGS)
need-fuzz:
	@tools/need $(FUZZ_PKGS)

.PHONY: all deps cli test test-asan unit demo bench fuzz clean widget \
        scan-tables check-tables \
        test-integration test-matrix test-compat man deb test-deb chaos \
        check-layers

# the rules of the libraries come first: plain "make" still builds all
.DEFAULT_GOAL := all

all: $(MODULE) $(if $(CLI_SRCS),$(CLI))

deps:
	@tools/need $(NGX_PKGS)

# nginx's configure fixes the lists of sources and headers: run it again
# when they change (the core's and the Redis glue's sources are in the
# libraries, their headers are still the module's)
SRC_LIST    := $(sort $(wildcard $(addsuffix /*.c,$(GLUE_DIRS)) \
                                 $(addsuffix /*.h,$(GLUE_DIRS)) \
                                 src/asset/*.c src/asset/*.h) \
                 $(CORE_HDRS) $(wildcard src/redis/*.h))
# (or the tree, or the arguments it is given)
NGX_ID      := $(SRC_LIST) $(NGX_SOURCE) $(subst ",,$(subst ',,$(NGINX_CONFIGURE_ARGS)))
$(shell mkdir -p $(NGX_DIR)/asan && for d in $(NGX_DIR) $(NGX_DIR)/asan; do \
    echo "$(NGX_ID)" | cmp -s - $$d/srcs.list \
    || echo "$(NGX_ID)" > $$d/srcs.list; done)

# $(1): build dir, $(2): configure's arguments, $(3): the directory of
# the prebuilt core libraries for config (none: config compiles the core
# itself).  The tree is copied (or unpacked) into $(1)/nginx: the source
# tree is never written to.  A release's repository tree keeps configure
# in auto/.
define configure_nginx
	@tools/need $(NGX_PKGS)
	@test -e $(NGX_SOURCE) || { echo "no nginx source: $(NGX_SOURCE)" >&2; \
	    exit 1; }
	rm -rf $(1)/nginx && mkdir -p $(1)/nginx
	if [ -d $(NGX_SOURCE) ]; then cp -r $(NGX_SOURCE)/. $(1)/nginx; \
	else tar -xzf $(NGX_SOURCE) -C $(1)/nginx --strip-components=1; fi
	if [ -f $(NGX_SOURCE)/conf_flags ]; then \
	    . $(NGX_SOURCE)/conf_flags; fi; \
	cd $(1)/nginx && \
	if [ -x configure ]; then cfg=./configure; else cfg=auto/configure; fi; \
	    STATUS_EDGE_LIB_DIR=$(3) $$cfg $(2) > $(1)/configure.log 2>&1 \
	    || { tail -20 $(1)/configure.log; exit 1; }
endef

# $(1): build dir, $(2): objs/Makefile's target (the module, or all).
# objs/Makefile does not know the libraries: the module is linked again.
define make_module
	rm -f $(1)/nginx/objs/ngx_http_status_edge_module.so
	$(MAKE) -C $(1)/nginx -f objs/Makefile $(2)
	@if nm -D --undefined-only \
	        $(1)/nginx/objs/ngx_http_status_edge_module.so | grep -E ' (se_|ngx_http_status_edge_)'; \
	then echo "unresolved core symbols" >&2; exit 1; fi
	cp $(1)/nginx/objs/ngx_http_status_edge_module.so $(1)/.new.so
	mv -f $(1)/.new.so $(1)/ngx_http_status_edge_module.so
endef

$(NGX_DIR)/nginx/objs/Makefile: config $(NGX_DIR)/srcs.list
	$(call configure_nginx,$(NGX_DIR),$(NGX_FLAGS) \
	    --add-dynamic-module=$(CURDIR),$(LIB_DIR))

# -z nodelete: the module stays mapped after nginx's dlclose() at exit,
# so a leak report there names its functions
ASAN_LD_OPT := $(SAN_FLAGS) -Wl,-z,nodelete

$(NGX_DIR)/asan/nginx/objs/Makefile: config $(NGX_DIR)/asan/srcs.list Makefile
	$(call configure_nginx,$(NGX_DIR)/asan,$(NGX_FLAGS) \
	    --with-cc-opt="$(SAN_FLAGS)" --with-ld-opt="$(ASAN_LD_OPT)" \
	    --add-dynamic-module=$(CURDIR),$(ASAN_LIB_DIR))

$(MODULE): $(NGX_DIR)/nginx/objs/Makefile $(LIBS) $(CORE_HDRS) \
           $(GLUE_SRCS)
	$(call make_module,$(NGX_DIR),$(NGX_TARGET))

ifneq ($(NGINX),)
# the binary is made with the module (objs/Makefile's default target)
$(NGINX_BIN): $(MODULE)
endif

$(ASAN_MODULE): $(NGX_DIR)/asan/nginx/objs/Makefile $(ASAN_LIBS) \
                $(CORE_HDRS) $(GLUE_SRCS)
	$(call make_module,$(NGX_DIR)/asan,modules)

$(BUILD)/unit/%: t/unit/%.c $(CORE_LIB) $(CORE_HDRS) $(wildcard t/unit/*.h)
	@tools/need $(BUILD_PKGS)
	@mkdir -p $(BUILD)/unit
	$(CC) $(UNIT_CFLAGS) -o $@ $< $(UNIT_LIBS) $(CORE_LIB) -ljansson \
	    -lcrypto

$(BUILD)/asan/unit/%: t/unit/%.c $(ASAN_CORE_LIB) $(CORE_HDRS) \
                      $(wildcard t/unit/*.h)
	@mkdir -p $(BUILD)/asan/unit
	$(CC) $(UNIT_CFLAGS) $(SAN_FLAGS) -o $@ $< $(ASAN_UNIT_LIBS) \
	    $(ASAN_CORE_LIB) -ljansson -lcrypto

# the hiredis glue's own test links it and hiredis
$(BUILD)/unit/test_redis_raw: $(LIB_DIR)/libse_redis.a
$(BUILD)/unit/test_redis_raw: \
    UNIT_LIBS = -Isrc/redis $(LIB_DIR)/libse_redis.a -lhiredis
$(BUILD)/asan/unit/test_redis_raw: $(ASAN_LIB_DIR)/libse_redis.a
$(BUILD)/asan/unit/test_redis_raw: \
    ASAN_UNIT_LIBS = -Isrc/redis $(ASAN_LIB_DIR)/libse_redis.a -lhiredis

unit: $(UNIT_BINS) check-tables

# the scanner's tables are tools/scan-tables' output: regenerate them
# with make scan-tables; check-tables fails when one byte differs
SCAN_TABLES := src/core/se_scan_tables.h

scan-tables:
	tools/scan-tables > $(SCAN_TABLES).new && mv -f $(SCAN_TABLES).new \
	    $(SCAN_TABLES)

check-tables:
	@tools/scan-tables | cmp - $(SCAN_TABLES) \
	|| { echo "$(SCAN_TABLES) is not tools/scan-tables' output" \
	    "(make scan-tables)" >&2; exit 1; }

cli: $(CLI)

# the admin tool: the core plus hiredis, jansson and OpenSSL
$(CLI): $(CLI_SRCS) $(CLI_HDRS) $(LIBS) $(CORE_HDRS)
	@tools/need $(BUILD_PKGS)
	@mkdir -p $(BUILD)
	$(CC) $(CLI_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_SRCS) \
	    $(LIBS) -lhiredis -ljansson -lcurl -lssl -lcrypto

$(ASAN_CLI): $(CLI_SRCS) $(CLI_HDRS) $(ASAN_LIBS) $(CORE_HDRS)
	@mkdir -p $(BUILD)/asan
	$(CC) $(CLI_CFLAGS) $(SAN_FLAGS) -o $@ $(CLI_SRCS) $(ASAN_LIBS) \
	    -lhiredis -ljansson -lcurl -lssl -lcrypto

# the glue's layers: no include or use of a higher layer
check-layers:
	tools/check-layers src

# One prove run, one summary line, in two lanes side by side: the Redis
# link's tests (t/3x, t/4x: they wait on Redis' and nginx's timers more
# than they use the CPU, and take their ports from a block of their own)
# and the rest, in order.  PROVE_LANES=1: one lane.
PROVE_LANES ?= 2
REDIS_LANE  := t/{3,4}?-*.t
PROVE       := prove -I t/lib $(if $(filter-out 1,$(PROVE_LANES)),-j2 \
               --rules='seq=$(REDIS_LANE)' --rules='seq=**')

# unit TAP programs and integration tests
test: check-layers $(MODULE) $(UNIT_BINS) $(if $(CLI_SRCS),$(CLI)) \
      $(BROWSER_DEPS) $(WIDGET_DEPS) check-tables
	@tools/need $(TEST_PKGS)
	$(TEST_ENV) $(PROVE) $(UNIT_BINS) t/*.t

# the integration suite alone, for another nginx: without the unit tests
# and the tests of the admin tool and the harness alone, which run no
# nginx
NO_NGINX_TESTS := t/01-redis-data.t $(wildcard t/7[0-6]-cli-*.t) \
                  t/78-cli-review.t t/790-cli-tls-sentinel.t \
                  t/791-cli-reset.t t/985-notify.t

test-integration: $(MODULE) $(if $(CLI_SRCS),$(CLI)) $(BROWSER_DEPS) \
                  $(WIDGET_DEPS)
	@tools/need $(TEST_PKGS)
	$(TEST_ENV) $(PROVE) $(filter-out $(NO_NGINX_TESTS),$(wildcard t/*.t))

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

# regenerates src/asset/se_widget_asset.c/.h from widget/src (commit them)
widget: $(WIDGET_DEPS)
	cd widget && npm run --silent build

ASAN_UNIT_BINS := $(patsubst t/unit/%.c,$(BUILD)/asan/unit/%,$(UNIT_SRCS))

# leaks too: what the module (and the admin tool) still holds at exit is
# reported, the stacks unwound slowly as nginx has no frame pointers; a
# report does not end the process (nginx leaks a little of its own at
# exit): the tests read the reports and fail on those of the module
ASAN_TEST_OPTIONS := detect_leaks=1:fast_unwind_on_malloc=0:malloc_context_size=12:abort_on_error=1

test-asan: $(ASAN_MODULE) $(if $(NGINX),$(MODULE)) $(ASAN_UNIT_BINS) \
           $(if $(CLI_SRCS),$(ASAN_CLI)) $(BROWSER_DEPS) $(WIDGET_DEPS)
	@tools/need $(TEST_PKGS)
	STATUS_EDGE_NGINX=$(NGINX_BIN) \
	STATUS_EDGE_MODULE=$(ASAN_MODULE) STATUS_EDGE_CLI=$(ASAN_CLI) \
	STATUS_EDGE_PRELOAD="$$($(CC) -print-file-name=libasan.so)" \
	ASAN_OPTIONS=$(ASAN_TEST_OPTIONS) LSAN_OPTIONS=exitcode=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    prove -I t/lib t/*.t
	ASAN_OPTIONS=detect_leaks=1 prove $(ASAN_UNIT_BINS)

# the chaos suite (t/chaos): Redis faults, restarts, reloads and a binary
# upgrade under a checked mixed load, and the XSS corpus in Chromium;
# loopback only, bounded; the short form by default (CI), the long one
# (the figures of docs/reliability.md) with CHAOS_LONG=1
chaos: $(MODULE) $(BROWSER_DEPS)
	@tools/need $(TEST_PKGS) openssl
	$(TEST_ENV) CHAOS_LONG=$(CHAOS_LONG) prove -I t/lib t/chaos/*.t

# make fuzz [FUZZ=badge reply] [FUZZ_RUNS=N | FUZZ_SECONDS=S]: each
# target (t/fuzz/fuzz_NAME.c, its seeds in t/fuzz/corpus-NAME) for N
# runs, else S seconds (60), one after another; the corpus grows in
# build/fuzz/fuzz_NAME.corpus, the log is build/fuzz/fuzz_NAME.log, and
# a line per target tells runs, runs per second and seconds
FUZZ        ?= $(patsubst t/fuzz/fuzz_%.c,%,$(wildcard t/fuzz/fuzz_*.c))
FUZZ_CFLAGS  = $(shell pkg-config --cflags libxml-2.0 gumbo)
FUZZ_LIBS    = $(shell pkg-config --libs libxml-2.0 gumbo) -lhiredis \
               -ljansson -lcrypto
FUZZ_LIMIT   = $(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS),\
                   -max_total_time=$(or $(FUZZ_SECONDS),60))

fuzz: need-fuzz $(FUZZ_LIBS_A)
	@mkdir -p $(BUILD)/fuzz
	@for n in $(FUZZ); do \
	    b=$(BUILD)/fuzz/fuzz_$$n; \
	    echo "fuzz_$$n: build"; \
	    clang -std=c99 -D_GNU_SOURCE -g -O1 \
	        -fsanitize=fuzzer,address,undefined \
	        -fno-sanitize-recover=undefined -Isrc/core -Isrc/redis -It/unit \
	        $(FUZZ_CFLAGS) -o $$b t/fuzz/fuzz_$$n.c $(FUZZ_LIBS_A) \
	        $(FUZZ_LIBS) || exit 1; \
	done
	@for n in $(FUZZ); do \
	    b=$(BUILD)/fuzz/fuzz_$$n; \
	    mkdir -p $$b.corpus; \
	    echo "fuzz_$$n: $(FUZZ_LIMIT) (log: $$b.log)"; \
	    t0=$$(date +%s); \
	    $$b $(FUZZ_LIMIT) -max_len=65536 -print_final_stats=1 \
	        $$b.corpus t/fuzz/corpus-$$n > $$b.log 2>&1 \
	        || { tail -40 $$b.log; exit 1; }; \
	    echo $$(( $$(date +%s) - t0 )) > $$b.secs; \
	done
	@for n in $(FUZZ); do \
	    b=$(BUILD)/fuzz/fuzz_$$n; \
	    printf '%-12s %12s runs %8s runs/s %6s s\n' $$n \
	        $$(sed -n 's/^stat::number_of_executed_units: *//p' $$b.log) \
	        $$(sed -n 's/^stat::average_exec_per_sec: *//p' $$b.log) \
	        $$(cat $$b.secs); \
	done

# the admin tool's man page, from docs/cli.md (its title line dropped,
# its headings one level up: "## NAME" is the page's NAME section, its
# line in the "name - what it does" form whatis reads; left-aligned and
# unhyphenated, for its tables at 80 columns)
MAN         := $(BUILD)/status-edge.1

man: $(MAN)

$(MAN): docs/cli.md debian/changelog
	@tools/need lowdown
	@mkdir -p $(BUILD)
	sed 1d docs/cli.md | perl -pe '$$c = !$$c if /^```/; s/^#(#+ )/$$1/ unless $$c;' \
	        -e 's/^`status-edge` \x{e2}\x{80}\x{94} /status-edge - /' \
	    | lowdown -s -Tman -M title=status-edge -M section=1 \
	        -M source="status-edge $(PKG_VERSION)" -M date="$(PKG_DATE)" \
	        -o $@.new
	sed -i '/^\.TH /a .ad l\n.nh' $@.new && mv -f $@.new $@

# the Debian packages, built from a copy of the tracked and new files
# (not build/) with dpkg-buildpackage, into build/deb/
PKG_VERSION := $(shell dpkg-parsechangelog -l debian/changelog -S Version 2>/dev/null)
PKG_DATE    := $(shell date -u -d "$$(dpkg-parsechangelog -l debian/changelog -S Date 2>/dev/null)" +%Y-%m-%d 2>/dev/null)
DEB_PKGS    := $(BUILD_PKGS) dpkg-dev debhelper lowdown lintian man-db
DEB_DIR     := $(BUILD)/deb

deb:
	@tools/need $(DEB_PKGS)
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/status-edge-$(PKG_VERSION)
	git ls-files -z --cached --others --exclude-standard \
	    | tar --null -T - -cf - \
	    | tar -xf - -C $(DEB_DIR)/status-edge-$(PKG_VERSION)
	cd $(DEB_DIR)/status-edge-$(PKG_VERSION) \
	    && dpkg-buildpackage -b -us -uc > $(DEB_DIR)/build.log 2>&1 \
	    || { tail -30 $(DEB_DIR)/build.log; exit 1; }
	set -o pipefail; lintian --fail-on error $(DEB_DIR)/*.changes \
	    | tee $(DEB_DIR)/lintian.log
	@ls $(DEB_DIR)/*.deb

# installs both packages into this machine's system nginx, tests them
# and purges them: for CI and throwaway machines (root, no nginx service
# in use)
test-deb: deb
	@tools/need $(TEST_PKGS)
	prove -I t/lib t/deb/*.t

# test-compat NGINX=<release>: the module built against the release loads
# into an nginx of that release configured otherwise (no threads, SSL or
# HTTP/2, another module set), and a module of another version is refused
COMPAT_FLAGS := --with-compat --with-http_dav_module --with-http_slice_module \
               --without-http_gzip_module --without-http_ssi_module \
               --without-http_userid_module
COMPAT_DIR  := $(NGX_DIR)/other
COMPAT_BIN  := $(COMPAT_DIR)/nginx/objs/nginx
SYSTEM_MODULE := $(BUILD)/ngx_http_status_edge_module.so

$(COMPAT_BIN):
	@test -n "$(NGINX)" || { echo "usage: make test-compat NGINX=<release>" >&2; \
	    exit 1; }
	$(call configure_nginx,$(COMPAT_DIR),$(COMPAT_FLAGS))
	$(MAKE) -C $(COMPAT_DIR)/nginx -f objs/Makefile binary

ifneq ($(NGINX),)
$(SYSTEM_MODULE): $(CORE_SRCS) $(REDIS_SRCS) $(CORE_HDRS) $(GLUE_SRCS) config
	$(MAKE) NGINX= NGINX_SRC= $@
endif

test-compat: $(MODULE) $(COMPAT_BIN) $(SYSTEM_MODULE)
	@tools/need $(TEST_PKGS)
	STATUS_EDGE_NGINX=$(COMPAT_BIN) STATUS_EDGE_MODULE=$(MODULE) \
	STATUS_EDGE_FOREIGN_NGINX=/usr/sbin/nginx \
	STATUS_EDGE_FOREIGN_MODULE=$(SYSTEM_MODULE) \
	    prove -I t/lib t/compat/*.t

# make test on the system nginx and on every release in ../shared/nginx
test-matrix:
	SHARED=$(SHARED) tools/test-matrix

demo: $(MODULE)
	@tools/need $(DEMO_PKGS)
	$(TEST_ENV) tools/demo

bench: $(MODULE) $(CLI)
	@tools/need $(BENCH_PKGS)
	$(TEST_ENV) STATUS_EDGE_CLI=$(CLI) tools/bench

clean:
	rm -rf $(BUILD)
