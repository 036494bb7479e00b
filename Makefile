# pscLab - Google Cloud Private Service Connect for self-hosted Kafka, on one
# Linux machine.  One Makefile, pkg-config for every library.
#
#   sudo make up     set-up (make deps), build, then `bin/pscLab up portmap`
#   sudo make test   set-up, build, and every test
#   make             build bin/pscLab
#   make deps        Debian packages, Apache Kafka (mvn), kafka-proxy (from
#                    its source archives, go), the Go client's modules
#   make check       unit tests only (no set-up)
#   sudo make test-reliability
#                    tests/reliability/*.sh in full (100 SIGKILL points
#                    of up and of down, two labs, service floods; network
#                    only, no brokers; about 2 min); `make test` runs
#                    them with RELIABILITY_POINTS=20
#   make asan        unit tests under AddressSanitizer + UBSan
#   make fuzz        the loader's and the DNS stub's libFuzzer targets,
#                    FUZZ_SECONDS each
#   make install     PREFIX=/usr/local DESTDIR= (the topologies and their
#                    scenarios/ too)
#   make matrix      Kafka x kafka-proxy x client library (root, ~10 min)

PREFIX    ?= /usr/local
DESTDIR   ?=
BINDIR    ?= $(PREFIX)/bin
SHAREDIR  ?= $(PREFIX)/share/psclab
VERSION   := 0.1.0
TOPOLOGY  ?= portmap
FUZZ_SECONDS ?= 60

CC        ?= cc
PKG_CONFIG ?= pkg-config
PKGS      := yaml-0.1 libnl-3.0 libnl-route-3.0 libnftables rdkafka ldns \
             jansson libnetfilter_conntrack libgvc
TEST_PKGS := cmocka

CFLAGS    ?= -O2 -g
override CFLAGS += -std=c11 -Wall -Wextra -Werror -Wshadow -Wformat=2 \
             -Wstrict-prototypes -Wmissing-prototypes -Iinclude \
             -DPSCLAB_VERSION='"$(VERSION)"' \
             -DPSCLAB_TOPODIR='"$(SHAREDIR)/topologies"' \
             -DPSCLAB_EXDIR='"$(SHAREDIR)/exercises"'
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(PKGS))

# the library part of pscLab: every src/<layer>/*.c but the CLI's main
CLI_SRCS  := src/cli/cli.c
LIB_SRCS  := $(filter-out $(CLI_SRCS),$(wildcard src/*/*.c))
HEADERS   := $(wildcard include/*/*.h)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
# integration tests: root, real namespaces (and later real brokers)
INTEG_SRCS := $(wildcard tests/integration/test_*.c)

BUILD     := build
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CLI_OBJS  := $(CLI_SRCS:%.c=$(BUILD)/%.o)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
INTEG_BINS := $(INTEG_SRCS:tests/integration/%.c=$(BUILD)/itests/%)

.PHONY: all deps check test test-reliability asan fuzz install uninstall \
        up bench clean pkgcheck matrix

all: bin/pscLab bin/psclab-kclient

# The Go client of the checks that must speak as TiCDC's own Kafka
# libraries (franz-go, Sarama): verify runs it in the changefeed's node.
KCLIENT_SRCS := $(wildcard lab/kclient/*.go) lab/kclient/go.mod lab/kclient/go.sum
bin/psclab-kclient: $(KCLIENT_SRCS) lab/kclient/build.sh
	@mkdir -p bin
	lab/kclient/build.sh $@

# A clear word when a library is missing, instead of a compiler error.
pkgcheck:
	@for p in $(PKGS); do \
	  $(PKG_CONFIG) --exists $$p || { \
	    echo "pscLab: the library '$$p' is not installed; run 'sudo make deps'" >&2; \
	    exit 1; }; done

bin/pscLab: $(LIB_OBJS) $(CLI_OBJS) | pkgcheck
	@mkdir -p bin
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/%.o: %.c $(HEADERS) | pkgcheck
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) \
	  $$($(PKG_CONFIG) --cflags $(TEST_PKGS)) -Itests/unit \
	  -DPSCLAB_SRCDIR='"$(CURDIR)"' -o $@ $< $(LIB_OBJS) \
	  $(PKG_LIBS) $$($(PKG_CONFIG) --libs $(TEST_PKGS))

$(BUILD)/itests/%: tests/integration/%.c $(LIB_OBJS) $(wildcard tests/unit/*.h) $(wildcard tests/integration/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) \
	  $$($(PKG_CONFIG) --cflags $(TEST_PKGS)) -Itests/unit -Itests/integration \
	  -DPSCLAB_SRCDIR='"$(CURDIR)"' -o $@ $< $(LIB_OBJS) \
	  $(PKG_LIBS) $$($(PKG_CONFIG) --libs $(TEST_PKGS))

# then the brokers' storage template and class-data archive (pscLab
# prepare: runtime/kafka_prepare.h), so that no up pays for them
deps:
	lab/deps/install.sh
	@$(MAKE) --no-print-directory bin/pscLab
	bin/pscLab prepare

# Unit tests only: pure logic, no root, no network.
check: $(UNIT_BINS) bin/pscLab
	@tests/run.sh unit $(UNIT_BINS)

# Everything: set-up first, then every suite; ends with the summary line.
# The benchmarks are built too (not run), so that they cannot rot unseen.
test: deps
	@$(MAKE) --no-print-directory $(UNIT_BINS) $(INTEG_BINS) bin/pscLab \
	  bin/psclab-kclient $(BENCH_BINS)
	@INTEG_BINS="$(INTEG_BINS)" tests/run.sh all $(UNIT_BINS)

# The reliability suite in full (root, network-only labs rel-*, no
# brokers): RELIABILITY_POINTS (100) SIGKILL points, RELIABILITY_SEED to
# replay; see README "Reliability".
test-reliability: bin/pscLab
	@tests/run.sh reliability

asan:
	$(MAKE) --no-print-directory BUILD=build/asan \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  LDFLAGS="-fsanitize=address,undefined" check

FUZZ_BIN := $(BUILD)/fuzz/fuzz_loader
$(FUZZ_BIN): tests/fuzz/fuzz_loader.c $(LIB_SRCS) $(HEADERS)
	@mkdir -p $(dir $@)
	clang -std=c11 -g -O1 -Iinclude $(PKG_CFLAGS) \
	  -fsanitize=fuzzer,address,undefined -o $@ \
	  tests/fuzz/fuzz_loader.c $(LIB_SRCS) $(PKG_LIBS)

FUZZ_DNS_BIN := $(BUILD)/fuzz/fuzz_dns
$(FUZZ_DNS_BIN): tests/fuzz/fuzz_dns.c $(LIB_SRCS) $(HEADERS)
	@mkdir -p $(dir $@)
	clang -std=c11 -g -O1 -Iinclude $(PKG_CFLAGS) \
	  -fsanitize=fuzzer,address,undefined -o $@ \
	  tests/fuzz/fuzz_dns.c $(LIB_SRCS) $(PKG_LIBS)

fuzz: $(FUZZ_BIN) $(FUZZ_DNS_BIN)
	@mkdir -p $(BUILD)/fuzz/corpus
	@cp topologies/*.yaml tests/lint/*.yaml $(BUILD)/fuzz/corpus/ 2>/dev/null || true
	@tests/lint/build.sh -o $(BUILD)/fuzz/corpus
	$(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	  -timeout=10 -rss_limit_mb=2048 -dict=tests/fuzz/topology.dict \
	  $(BUILD)/fuzz/corpus
	@mkdir -p $(BUILD)/fuzz/corpus-dns
	$(FUZZ_DNS_BIN) -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	  -timeout=10 -rss_limit_mb=2048 $(BUILD)/fuzz/corpus-dns \
	  tests/fuzz/dns-seeds

install: bin/pscLab bin/psclab-kclient
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHAREDIR)/topologies \
	  $(DESTDIR)$(SHAREDIR)/topologies/scenarios \
	  $(DESTDIR)$(SHAREDIR)/exercises
	install -m 0755 bin/pscLab $(DESTDIR)$(BINDIR)/pscLab
	install -m 0755 bin/psclab-kclient $(DESTDIR)$(BINDIR)/psclab-kclient
	install -m 0644 topologies/*.yaml $(DESTDIR)$(SHAREDIR)/topologies/
	install -m 0644 topologies/scenarios/*.yaml \
	  $(DESTDIR)$(SHAREDIR)/topologies/scenarios/
	install -m 0644 lab/exercises/*.yaml lab/exercises/README.md \
	  $(DESTDIR)$(SHAREDIR)/exercises/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/pscLab $(DESTDIR)$(BINDIR)/psclab-kclient
	rm -rf $(DESTDIR)$(SHAREDIR)

up: deps
	@$(MAKE) --no-print-directory bin/pscLab bin/psclab-kclient
	bin/pscLab up $(TOPOLOGY)

# Benchmarks: ratios measured side by side in one run (the machine is
# shared and noisy); root.
BENCH_BINS := $(BUILD)/bench/bench_network $(BUILD)/bench/bench_kafka
$(BUILD)/bench/%: tests/bench/%.c $(LIB_OBJS) $(wildcard tests/bench/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(LIB_OBJS) $(PKG_LIBS)

# The table goes to stdout and $(BUILD)/bench.txt, the figures (every run,
# the machine, the load) to $(BUILD)/bench.json (tests/bench/run.sh).
bench: $(BENCH_BINS) bin/pscLab bin/psclab-kclient
	tests/bench/run.sh $(BUILD) bin/pscLab

# Kafka x kafka-proxy x client library, every check run through the lab
# (root; about 10 minutes here): the table lands in build/matrix.txt.
matrix: deps bin/pscLab bin/psclab-kclient
	tests/matrix/matrix.sh

clean:
	rm -rf build bin
