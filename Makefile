# Two commands for a new user on a fresh Debian 12 machine:
#   make demo   installs what is missing, builds a release build, runs `recur gates` (about 3 min)
#   make test   installs what is missing, runs the Criterion suite plainly and under ASan+UBSan
# And, on demand, `make bench` (BENCH_ARGS="--threads 2" for two threads) and `make bench-rnn`
# (recurrent layers against oneDNN's fused RNN and PyTorch, training and inference, 1 and 2
# threads; BENCH_RNN_ARGS), `make bench-load` (1 and 2 threads beside a busy core;
# BENCH_LOAD_ARGS): bench/README.md; and
# `make fuzz` (FUZZ_SECONDS per target): fuzz/README.md.
# Everything else is meson: see README.md.

DEBIAN_PACKAGES := gcc g++ make meson ninja-build pkg-config libdnnl-dev libcriterion-dev \
                   libjansson-dev graphviz gnuplot-nox clang-format
BENCH_PACKAGES := python3-torch
# PyTorch's peer BLAS for bench-rnn (Debian's torch otherwise runs on the reference BLAS).
BENCH_RNN_PACKAGES := python3-torch libopenblas0-openmp
# make test builds and runs the MPI checks (tests/dist) when these can be installed; without
# them recur builds for one process and those checks are skipped.
MPI_PACKAGES := openmpi-bin libopenmpi-dev
# make fuzz: clang's libFuzzer, sanitizer runtimes and OpenMP.
FUZZ_PACKAGES := clang libclang-rt-14-dev libomp-14-dev
FUZZ_SECONDS ?= 60
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
MESON_TEST := meson test --print-errorlogs -v --num-processes 1

# Data sets for the tests that use them (they skip with a message when this is unset).
ifeq ($(origin RECUR_DATA), undefined)
ifneq ($(wildcard ../shared/data/README.md),)
export RECUR_DATA := $(abspath ../shared/data)
endif
endif

.PHONY: deps mpi-deps bench-deps bench-rnn-deps fuzz-deps demo test test-plain test-sanitize format-check \
        format fuzz bench bench-rnn bench-load clean

deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

bench-deps: deps
	@missing=$$(for p in $(BENCH_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

bench-rnn-deps: deps
	@missing=$$(for p in $(BENCH_RNN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

fuzz-deps: deps
	@missing=$$(for p in $(FUZZ_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

mpi-deps: deps
	@missing=$$(for p in $(MPI_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages (optional, for the MPI checks):" $$missing; \
	  { $(SUDO) apt-get update -qq && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; } || \
	    echo "MPI packages not installed: the MPI checks will be skipped"; \
	fi

build-release/build.ninja:
	meson setup build-release --buildtype=release

build-test/build.ninja:
	meson setup build-test --buildtype=debugoptimized -Dwerror=true

build-san/build.ninja:
	meson setup build-san --buildtype=debug -Dwerror=true \
	  -Db_sanitize=address,undefined -Db_lundef=false

demo: deps build-release/build.ninja
	ninja -C build-release
	./build-release/tools/recur gates --out gates-out

test: deps mpi-deps test-plain test-sanitize

test-plain: build-test/build.ninja format-check
	ninja -C build-test
	$(MESON_TEST) -C build-test

# Every tracked C/C++ file must equal clang-format's output (.clang-format; generated tables are
# listed in .clang-format-ignore). `make format` rewrites them in place.
format-check: build-test/build.ninja
	ninja -C build-test clang-format-check

format: build-test/build.ninja
	ninja -C build-test clang-format

test-sanitize: build-san/build.ninja
	ninja -C build-san
	$(MESON_TEST) -C build-san

build-fuzz/build.ninja:
	CC=clang CXX=clang++ meson setup build-fuzz --buildtype=debugoptimized -Dfuzz=true \
	  -Db_sanitize=address,undefined -Db_lundef=false

# Every libFuzzer target for FUZZ_SECONDS (default 60) each, ASan and UBSan fatal: fuzz/README.md.
fuzz: fuzz-deps build-fuzz/build.ninja
	ninja -C build-fuzz
	fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

bench: bench-deps build-release/build.ninja
	ninja -C build-release
	bench/run_overhead.sh --build build-release $(BENCH_ARGS)

bench-rnn: bench-rnn-deps build-release/build.ninja
	ninja -C build-release
	bench/run_rnn.sh --build build-release $(BENCH_RNN_ARGS)

# Steady under load: 1 and 2 threads, quiet and beside a busy loop pinned to one core.
bench-load: deps build-release/build.ninja
	ninja -C build-release bench/rnn
	bench/run_load.sh $(BENCH_LOAD_ARGS)

clean:
	rm -rf build-release build-test build-san build-fuzz demo-out gates-out
