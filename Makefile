# gftlab: `make reproduce` (install, build, run the default experiments, draw figures) and `make test`.
SHELL := /bin/bash
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
PYTHON := /usr/bin/python3

# Every package here is used by the default suite (`make test`), so `make test` and `make reproduce` install
# the same list: matplotlib draws the reports that cli.collect_and_report_* check, POT and scipy are the
# reference libraries of the numerical tests, python3-torch writes the TorchScript stand-ins
# (tests/py/torchscript_standins.py), dataset-fashion-mnist feeds the image tests, slurm-wlm and munge run the
# private cluster of the slurm.* tests.
# Never libopenblas0-pthread: under LibTorch's OpenMP it is about 3x slower than the OpenMP build.
DEB_PACKAGES := build-essential cmake git libtorch-dev libopenblas0-openmp libyaml-cpp-dev libhdf5-dev \
  libfmt-dev catch2 libcli11-dev zlib1g-dev libssl-dev python3-matplotlib python3-h5py python3-numpy python3-scipy \
  python3-pot python3-torch \
  dataset-fashion-mnist slurm-wlm munge

SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

# `make reproduce` runs each experiment's sweep at PROFILE scale (resuming what an interrupted run left) and
# its report: results/<experiment>/<profile>/figures/report.md.
# own_data reads Fashion-MNIST from HDF5 files, as your own data would be (experiments/own_data.yaml).
# fmnist_shift first: its one U-Net pretrains on all cores, and a report drawn beside it (the others' are)
# made that 2-thread pretraining 4x slower (89 against 23 s), where single-threaded jobs merely share.
EXPERIMENTS ?= fmnist_shift own_data toy_shift gmm_shift schedules couplings temperature
PROFILE ?= quick
GFTLAB := $(BUILD_DIR)/gftlab

.PHONY: deps build test test-full reproduce bench clean

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing:" $$missing; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "All Debian packages present."; fi

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release -DPython3_EXECUTABLE=$(PYTHON)

build: $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS) $(if $(TARGET),--target $(TARGET))

# The suite's budget: the tests' wall time on the 2-core machine; over it, `make test` warns (never fails).
TEST_BUDGET_SECONDS ?= 240
test: deps
	$(MAKE) build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -LE full 2>&1 | tee ctest.log; status=$${PIPESTATUS[0]}; \
	  $(PYTHON) $(CURDIR)/tests/test_budget.py ctest.log $(TEST_BUDGET_SECONDS); exit $$status

# The tests of what `make reproduce` uses at full size (the feature network behind FD: over 90% test accuracy).
test-full: deps
	$(MAKE) build
	cd $(BUILD_DIR) && ctest --output-on-failure -L full

# A failed run does not stop the other experiments or the reports, which list it; the exit status does.
# Each report (one single-threaded Python process) is drawn while the next sweep runs, so that it and the
# sweep's last runs fill each other's idle core; its output goes to report.log beside the sweep.
reproduce: deps
	$(MAKE) build TARGET=gftlab
	$(GFTLAB) features  # FD's feature network, trained once on all cores before the image sweep needs it
	$(PYTHON) analysis/export_fashion_mnist.py results/data  # own_data's HDF5 files (kept once written)
	@status=0; reports=(); for e in $(EXPERIMENTS); do \
	  $(GFTLAB) sweep run experiments/$$e.yaml --profile $(PROFILE) --jobs $(JOBS) || status=1; \
	  mkdir -p results/$$e/$(PROFILE); \
	  $(GFTLAB) report experiments/$$e.yaml --profile $(PROFILE) > results/$$e/$(PROFILE)/report.log 2>&1 & \
	  reports+=($$!); \
	done; \
	for pid in "$${reports[@]}"; do wait $$pid || status=1; done; \
	for e in $(EXPERIMENTS); do cat results/$$e/$(PROFILE)/report.log; \
	  echo "report: results/$$e/$(PROFILE)/figures/report.md"; done; \
	exit $$status

bench: deps
	$(MAKE) build
	cmake --build $(BUILD_DIR) -j $(JOBS) --target benchmarks
	@for b in $(BUILD_DIR)/bench_*; do echo "== $$b"; $$b; done

clean:
	rm -rf $(BUILD_DIR)
