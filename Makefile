# cnibench — the two commands that do everything on a fresh machine:
#   make bench   install what is missing, build (release), run the default benchmarks into bench-results/
#   make test    install what is missing, build, run unit and kernel tests (kernel tests need root)
SWIFT ?= swift
CNIBENCH_RELEASE := .build/release/cnibench
NETFILTER_COST_MODES := host-gw,flannel-vxlan,calico-bgp,calico-ipip,calico-vxlan
RESULTS ?= bench-results
# make bench PROFILE=1: the matrix with perf sampling of one round per mode/path/test (stage tables,
# differences from the baseline, flame graphs in the reports). Off by default: see README
# "Where the CPU goes" for the measured cost of profiling.
PROFILE ?=
BENCH_PROFILE := $(if $(filter 1 yes on true,$(PROFILE)),--profile,)

.PHONY: all deps deps-build deps-run build release test bench bench-quick gate clean-runs test-asan format lint

all: build

# Build dependencies (headers, pkg-config) are separate from run-time ones (iperf3, bird2, …),
# so that a non-root build on a machine with the headers never fails over a daemon.
deps-build:
	@scripts/install-deps.sh build

deps-run:
	@scripts/install-deps.sh run

deps: deps-build deps-run

-include bpf/bpf.mk

build: deps-build
	$(SWIFT) build

release: deps-build
	$(SWIFT) build -c release

test: deps
	scripts/check-layers.py
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# The tree is formatted with swift-format (the toolchain's `swift format`) per .swift-format.
format:
	$(SWIFT) format --in-place --recursive --parallel Sources Tests Benchmarks/Benchmarks Benchmarks/Package.swift Package.swift

lint:
	scripts/check-layers.py
	$(SWIFT) format lint --strict --recursive --parallel Sources Tests Benchmarks/Benchmarks Benchmarks/Package.swift Package.swift

# Default benchmark matrix (see README "Benchmarks"): topology build/teardown against the
# ip(8) script, route/FDB programming against ip -batch, the packet-builder microbenchmarks.
bench: deps-run release
	# One round: the ip script's build of 100×10 takes ~2 min a round here, and the ratio (~15×)
	# needs no second one to be read; `cnibench bench topology` alone runs 2.
	$(CNIBENCH_RELEASE) bench topology --rounds 1 --out $(RESULTS)
	$(CNIBENCH_RELEASE) bench routes --out $(RESULTS)
	$(CNIBENCH_RELEASE) bench pktgen --rounds 3 --duration 5 --out $(RESULTS)
	# bench (matrix): every mode vs the node→node baseline, tcp4, rr and pktgen, 8 rounds × 1 s per
	# test: ~7 min (1.24 s a test here). 8 rounds a side is the fewest with which `cnibench gate`
	# (either method) judges every gated metric of this matrix at 95% family-wise (README "Gate").
	# tcp1 and udp are left out to keep make bench within 15 min with the netfilter cost below:
	# the verdict reads tcp4 and rr, tcp1 is measured there, and udp at its fixed offered load adds
	# the least (its CPU per GB is noise here; VerdictTable). `cnibench bench` alone runs all of them.
	$(CNIBENCH_RELEASE) bench --tests tcp4,rr,pktgen --rounds 8 --duration 1 --out $(RESULTS) --basename matrix $(BENCH_PROFILE)
	# The matrix exported for the trackers CI users run (README "Exports").
	$(CNIBENCH_RELEASE) report $(RESULTS)/matrix.json --format bmf > $(RESULTS)/matrix.bmf.json
	$(CNIBENCH_RELEASE) report $(RESULTS)/matrix.json --format github-action-benchmark --direction higher > $(RESULTS)/matrix.gab-bigger.json
	$(CNIBENCH_RELEASE) report $(RESULTS)/matrix.json --format github-action-benchmark --direction lower > $(RESULTS)/matrix.gab-smaller.json
	# What the modes' own netfilter rules cost: the five pod modes with a cross-node datapath of their
	# own (flannel-udp shares flannel-vxlan's rules) built with and without their agents' rules,
	# interleaved, tcp1 and rr, 4 rounds × 1 s: ~4 min.
	$(CNIBENCH_RELEASE) bench --modes $(NETFILTER_COST_MODES) --netfilter real,none --tests tcp1,rr --rounds 4 --duration 1 --out $(RESULTS) --basename netfilter-cost
	@if [ -x scripts/bench-packet.sh ]; then scripts/bench-packet.sh; fi
	@echo "results in $(RESULTS)/"

bench-quick: deps-run release
	$(CNIBENCH_RELEASE) bench topology --nodes 10 --pods-per-node 4 --out $(RESULTS)/quick
	$(CNIBENCH_RELEASE) bench routes --routes 1000 --fdb 100 --out $(RESULTS)/quick
	# bench (matrix), smoke-sized: 1 round × 1 s per test (~1.5 min)
	$(CNIBENCH_RELEASE) bench --rounds 1 --duration 1 --out $(RESULTS)/quick --basename matrix

# Same-runner A/B regression gate: make gate BASE=origin/main [HEAD=<rev>] (see README "Gate").
BASE ?= HEAD~1
gate: deps
	scripts/gate-ab.sh $(BASE) $(if $(HEAD),$(HEAD),) --out $(RESULTS)/gate

clean-runs:
	-.build/debug/cnibench clean || $(CNIBENCH_RELEASE) clean

# Both input fuzzers, run long (make test runs each for a few thousand mutants).
.PHONY: fuzz fuzz-topology
fuzz: fuzz-topology fuzz-results

# Result-file fuzzing, longer than the default test run (3,000 mutations): the decoder and
# validator behind report/compare/gate must give a valid result or a typed error.
.PHONY: fuzz-results
fuzz-results: deps-build
	$(SWIFT) build --build-tests
	CNIBENCH_FUZZ_ITERATIONS=$${CNIBENCH_FUZZ_ITERATIONS:-200000} $(SWIFT) test --skip-build --filter ResultFuzzTests

# The packet parser and builder tests (fuzz included) under AddressSanitizer, in a scratch
# directory of their own so the instrumented build never replaces the normal one. Leak
# detection is off: LeakSanitizer only finds XCTest's own never-freed runner objects.
test-asan:
	ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test -c debug --sanitize=address --scratch-path .build/asan --filter CNIPacketTests

# The topology loader's mutation fuzz test, run long (make test runs 3000 mutants). A trap
# leaves the input that caused it in .build/fuzz-topology-last-input.yaml.
fuzz-topology: deps-build
	$(SWIFT) build --build-tests
	CNIBENCH_FUZZ_ITERATIONS=$(or $(FUZZ_ITERATIONS),300000) CNIBENCH_FUZZ_LAST_INPUT=.build/fuzz-topology-last-input.yaml \
		$(SWIFT) test --skip-build --filter TopologyFuzzTests
