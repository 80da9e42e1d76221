# Build, test and install `ntm`. Every target works from a fresh clone.

SWIFT ?= swift
PYTHON ?= python3
GCC ?= gcc
GXX ?= g++
CLANG ?= clang
PREFIX ?= /usr/local
DESTDIR ?=

# Tests run optimised: the learning test trains a real NTM, and `-O` is
# what users run. `-enable-testing` lets the tests see internal names. Their
# own scratch path keeps `make test` from invalidating the user's
# `swift run -c release ntm` build in .build (different flags).
TEST_FLAGS = -c release -Xswiftc -enable-testing --scratch-path .build-test

.PHONY: all test swift-test python-test python-wheel-test clean lib header check-header c-test c-header-test c-unit-test \
        c-library-test c-valgrind-test c-examples c-install-test install examples fuzz-lib fuzz-test fuzz lua-example \
        swiftpm-consumer-test swift-asan-test torch-test c-allocation-test

all:
	$(SWIFT) build -c release

## Every test: the Swift tests (optimised, then a debug build under ASan), the
## C API's, the Python bindings', then a package that depends on this one by version.
test: swift-test swift-asan-test c-test python-test swiftpm-consumer-test

## a consumer package depending on this tree, tagged, with `from: VERSION`
## (no unsafe flags may reach it; `traits: []` must not fetch the CLI's dependency)
swiftpm-consumer-test:
	SWIFT=$(SWIFT) bash scripts/check-swiftpm-consumer

## the Python bindings' pytest suite against build/lib/libntm.so (with Ray
## installed and the test build's ntm command for the ntm.cluster grid test),
## then the wheel as a user installs it (its tag, fresh venvs of each Python)
python-test: lib
	NTM_TEST_RAY=1 NTM_COMMAND="$$($(SWIFT) build $(TEST_FLAGS) --show-bin-path)/ntm" bash bindings/python/run-tests.sh
	bash bindings/python/test-wheel.sh

python-wheel-test: lib
	bash bindings/python/test-wheel.sh

# A Python with PyTorch for torch-test, e.g. a venv made with
#   python3 -m venv --system-site-packages /tmp/venv-torch
#   /tmp/venv-torch/bin/pip install torch --index-url https://download.pytorch.org/whl/cpu
TORCH_PYTHON ?= python3

## ntm.torch's tests (bindings/python/tests/test_torch.py, which `make test`
## skips because CI installs no torch) and the chunk API's, with
## TORCH_PYTHON's torch against build/lib/libntm.so; fails if torch is missing
torch-test: lib
	cd bindings/python && NTM_REQUIRE_TORCH=1 NTM_LIBRARY=$(CURDIR)/$(LIB) PYTHONPATH=$(CURDIR)/bindings/python \
	  PYTHONDONTWRITEBYTECODE=1 $(TORCH_PYTHON) -m pytest -p no:cacheprovider -ra tests/test_torch.py tests/test_chunks.py

swift-test:
	$(SWIFT) build $(TEST_FLAGS) --build-tests
	$(SWIFT) test $(TEST_FLAGS) --skip-build --disable-swift-testing

# The same tests as a debug build under AddressSanitizer: Swift's bounds and
# overflow checks and the core's assertions are on, and ASan watches the
# raw-pointer kernels. Debug code runs hundreds of times slower, so only
# the suites that finish in seconds there (they cover every stage's
# forward and backward, the optimisers, the files and the tasks).
ASAN_TEST_FLAGS = -c debug --sanitize=address -Xswiftc -enable-testing --scratch-path .build-asan
ASAN_TESTS = GradientCheckTests|StageTests|CarriedGradientTests|OptimizerTests|WideKernelTests|ColumnBlockingTests|\
    SerializationTests|CheckpointTests|FilePathTests|FiniteTests|RefusedUpdateTests|TaskTests

## a subset of the Swift tests, debug build, AddressSanitizer
swift-asan-test:
	$(SWIFT) build $(ASAN_TEST_FLAGS) --build-tests
	@# Leak checking is off: on Linux, XCTest never frees its test-case
	@# objects, and those are all LeakSanitizer reports here. The C tests
	@# check the library for leaks (LeakSanitizer and valgrind).
	ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test $(ASAN_TEST_FLAGS) --skip-build --disable-swift-testing --filter '$(ASAN_TESTS)'

clean:
	rm -rf .build .build-test .build-lib .build-fuzz build

# ---------------------------------------------------------------- libntm.so
#
# SwiftPM cannot have a library and an executable product both named `ntm`,
# so the product is NTMC and the file is renamed. The Swift runtime is
# linked statically; lld with the version script exports the ntm_* functions
# and nothing else (gold leaves local entries in the dynamic symbol table);
# the soname is set below. A separate scratch path keeps this build from
# invalidating the test build in .build-test or the user's in .build.

# The version comes from the generated header (one source: Version.swift).
# The soname carries the ABI version: the major number from 1.0 on, and
# 0.MINOR before, where a minor release may change the ABI. build/lib holds
# libntm.so and a link named by the soname, which programs linked against it
# look up at run time; `make install` installs libntm.so.VERSION with both
# links, as distributions do.
VERSION = $(shell sed -n 's/^\#define NTM_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)$$/\2/p' include/ntm.h | paste -sd. -)
SOVERSION = $(shell echo $(VERSION) | awk -F. '{ print ($$1 == 0 ? $$1 "." $$2 : $$1) }')
SONAME = libntm.so.$(SOVERSION)

LIB_DIR = build/lib
LIB = $(LIB_DIR)/libntm.so
# The C target's debug information is DWARF 4, which Debian 12's valgrind
# (3.19) can read; clang's default DWARF 5 makes valgrind give up on the
# whole library. (A flag here, not in Package.swift, where it would be an
# unsafe flag that versioned dependants refuse.)
LIB_BUILD_FLAGS = -c release --product NTMC --scratch-path .build-lib -Xcc -gdwarf-4 \
    -Xswiftc -static-stdlib -Xswiftc -use-ld=lld \
    -Xlinker --version-script=$(CURDIR)/scripts/libntm.map -Xlinker -soname=$(SONAME)

## build/lib/libntm.so
lib: $(LIB)

$(LIB): Package.swift scripts/libntm.map include/ntm.h $(shell find Sources/NTM Sources/CNTM Sources/AVX2Kernels -type f)
	$(SWIFT) build $(LIB_BUILD_FLAGS)
	@mkdir -p $(LIB_DIR)
	@# Copy then rename: a process using the old library keeps its mapping
	@# instead of crashing when the file under it is rewritten.
	cp "$$($(SWIFT) build $(LIB_BUILD_FLAGS) --show-bin-path)/libNTMC.so" $(LIB).tmp
	mv -f $(LIB).tmp $(LIB)
	ln -sfn libntm.so $(LIB_DIR)/$(SONAME)

# ------------------------------------------------------------------- header

## include/ntm.h from the Swift declarations (never edit it by hand)
header:
	$(PYTHON) scripts/generate-header

## fails if include/ntm.h differs from a fresh generation
check-header:
	$(PYTHON) scripts/generate-header --check

# ------------------------------------------------------------------ C tests

C99_WARNINGS = -std=c99 -Wall -Wextra -Werror -pedantic
SANITIZE = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
CTEST_DIR = build/ctest
RPATH = -Wl,-rpath,$(CURDIR)/$(LIB_DIR)
C_TEST_SOURCES = $(wildcard Tests/C/test_*.c)
C_TEST_HEADERS = $(wildcard Tests/C/*.h)

# ASan, UBSan and LeakSanitizer on the test program; libntm.so itself (with
# its statically linked Swift runtime) is not instrumented, but its heap goes
# through ASan's malloc, so overflows of library-owned buffers by the test,
# double frees and leaks of library memory are still caught. LeakSanitizer
# needs no suppressions: the Swift runtime's process-lifetime caches are
# reachable through (interior) pointers from its globals, which LSan counts.
# valgrind (c-valgrind-test) checks leaks a second way. Any report fails
# the run (halt_on_error, -fno-sanitize-recover=undefined).
ASAN_ENV = ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1 \
           UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

## the C API's tests (run by `make test` after the Swift tests)
c-test: check-header lib c-header-test c-library-test c-unit-test c-allocation-test c-valgrind-test c-examples lua-example c-install-test \
        fuzz-test
	@echo "C API: all checks passed"

## include/ntm.h compiles warning-free as C99 (gcc, clang) and C++17 (g++);
## include/ntm_ffi.h has no preprocessor line and compiles as C99 after the
## standard headers it leaves out
c-header-test: $(LIB)
	@mkdir -p $(CTEST_DIR)
	$(GCC) $(C99_WARNINGS) -Iinclude -fsyntax-only Tests/C/header_c.c
	@if grep -n '^[[:space:]]*#' include/ntm_ffi.h; then echo "include/ntm_ffi.h has preprocessor lines"; exit 1; fi
	printf '#include <stddef.h>\n#include <stdint.h>\n#include <stdbool.h>\n#include "ntm_ffi.h"\n' | \
	  $(GCC) $(C99_WARNINGS) -Iinclude -x c -fsyntax-only -
	@if command -v $(CLANG) >/dev/null 2>&1; then \
	  echo "$(CLANG) $(C99_WARNINGS) -Iinclude -fsyntax-only Tests/C/header_c.c"; \
	  $(CLANG) $(C99_WARNINGS) -Iinclude -fsyntax-only Tests/C/header_c.c; \
	else \
	  echo "!!!!! SKIPPED: the clang header check ($(CLANG) not found; it ships with the Swift toolchain) !!!!!"; \
	fi
	@if command -v $(GXX) >/dev/null 2>&1; then \
	  echo "$(GXX) -std=c++17 -Wall -Wextra -Werror -pedantic -Iinclude Tests/C/header_cpp.cpp -lntm ..."; \
	  $(GXX) -std=c++17 -Wall -Wextra -Werror -pedantic -Iinclude Tests/C/header_cpp.cpp -L$(LIB_DIR) -lntm $(RPATH) \
	    -o $(CTEST_DIR)/header_cpp && $(CTEST_DIR)/header_cpp; \
	else \
	  echo "!!!!! SKIPPED: the C++ header check ($(GXX) not found) !!!!!"; \
	fi

## ldd, exported symbols, header vs exports, test coverage of every function
c-library-test: $(LIB)
	scripts/check-library $(LIB) include/ntm.h Tests/C

$(CTEST_DIR)/capi_test: $(C_TEST_SOURCES) $(C_TEST_HEADERS) include/ntm.h $(LIB)
	@mkdir -p $(CTEST_DIR)
	$(GCC) $(C99_WARNINGS) -D_POSIX_C_SOURCE=200809L -g -O1 $(SANITIZE) -Iinclude -ITests/C \
	  $(C_TEST_SOURCES) -L$(LIB_DIR) -lntm $(RPATH) -lpthread -lm -o $@

## the C test suite under AddressSanitizer and UBSan
c-unit-test: $(CTEST_DIR)/capi_test
	@echo "cd $(CTEST_DIR) && $(ASAN_ENV) ./capi_test"
	@cd $(CTEST_DIR) && { $(ASAN_ENV) ./capi_test > capi_test.log 2>&1; status=$$?; cat capi_test.log; \
	  tail -n 1 capi_test.log | grep -Eq '^[0-9]+ passed, 0 failed$$' && [ $$status = 0 ] \
	  || { echo "C test suite failed (exit status $$status)"; exit 1; }; }

$(CTEST_DIR)/cycle: Tests/C/cycle.c include/ntm.h $(LIB)
	@mkdir -p $(CTEST_DIR)
	$(GCC) $(C99_WARNINGS) -D_POSIX_C_SOURCE=200809L -g -O1 -Iinclude Tests/C/cycle.c -L$(LIB_DIR) -lntm $(RPATH) \
	  -lpthread -o $@

# Counts heap calls with the benchmark's interposer (its dlsym casts are
# not ISO C, hence no -pedantic here).
$(CTEST_DIR)/allocations: Tests/C/allocations.c benchmarks/alloc_count.h include/ntm.h $(LIB)
	@mkdir -p $(CTEST_DIR)
	$(GCC) -std=c11 -Wall -Wextra -Werror -O1 -Iinclude -Ibenchmarks Tests/C/allocations.c -L$(LIB_DIR) -lntm \
	  $(RPATH) -ldl -lpthread -o $@

## no heap allocation in a steady-state update or inference step through the C API
c-allocation-test: $(CTEST_DIR)/allocations
	$(CTEST_DIR)/allocations

## valgrind --leak-check=full on the train-save-load-step cycle
c-valgrind-test: $(CTEST_DIR)/cycle
	@if ! command -v valgrind >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing valgrind"; apt-get install -y -qq valgrind >/dev/null 2>&1 \
	    || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq valgrind >/dev/null 2>&1; } || true; \
	fi
	@if command -v valgrind >/dev/null 2>&1; then \
	  echo "valgrind --leak-check=full --error-exitcode=1 $(CTEST_DIR)/cycle $(CTEST_DIR)"; \
	  valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=1 \
	    --suppressions=Tests/C/valgrind.supp $(CTEST_DIR)/cycle $(CTEST_DIR); \
	else \
	  echo "!!!!! SKIPPED: the valgrind leak check (valgrind is not installed and could not be installed) !!!!!"; \
	fi

# ------------------------------------------------------------------ fuzzing
#
# libFuzzer targets over the C API (Tests/Fuzz/fuzz_*.c): the loaders, the
# JSON configs, random call sequences. They link a second build of
# libntm.so whose Swift code carries libFuzzer's coverage instrumentation
# (-sanitize=fuzzer; its hooks resolve to the target's libFuzzer, hence
# -rdynamic), so the fuzzer is guided by the library's branches, not only
# the target's. The targets themselves run under ASan and UBSan. The seed
# corpora in Tests/Fuzz/corpus are read-only; new inputs go to
# build/fuzz/corpus-<target>. `make fuzz-test` (part of `make test`) runs
# a fixed number of inputs from a fixed seed; `make fuzz` runs each target
# for FUZZ_SECONDS. A failure leaves crash-*/leak-*/timeout-* in build/fuzz:
# rerun it with `build/fuzz/fuzz_<target> <file>` and add it to the target's
# corpus as a regression seed.

FUZZ_DIR = build/fuzz
FUZZ_LIB = $(FUZZ_DIR)/lib/libntm.so
FUZZ_TARGETS = load config api
FUZZ_SECONDS ?= 600
# inputs per target in `make fuzz-test`: about 10-20 s each on one core
FUZZ_RUNS_load = 4000
FUZZ_RUNS_config = 100000
FUZZ_RUNS_api = 20000
FUZZ_FLAGS = -seed=1 -max_len=16384 -timeout=30 -rss_limit_mb=2048 -dict=Tests/Fuzz/json.dict
FUZZ_LIB_BUILD_FLAGS = -c release --product NTMC --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer \
    -Xswiftc -static-stdlib -Xswiftc -use-ld=lld -Xlinker --version-script=$(CURDIR)/scripts/libntm.map

## build/fuzz/lib/libntm.so with coverage instrumentation for libFuzzer
fuzz-lib: $(FUZZ_LIB)

$(FUZZ_LIB): Package.swift scripts/libntm.map $(shell find Sources/NTM Sources/CNTM Sources/AVX2Kernels -type f)
	$(SWIFT) build $(FUZZ_LIB_BUILD_FLAGS)
	@mkdir -p $(FUZZ_DIR)/lib
	cp "$$($(SWIFT) build $(FUZZ_LIB_BUILD_FLAGS) --show-bin-path)/libNTMC.so" $(FUZZ_LIB).tmp
	mv -f $(FUZZ_LIB).tmp $(FUZZ_LIB)

$(FUZZ_DIR)/fuzz_%: Tests/Fuzz/fuzz_%.c Tests/Fuzz/fuzz.h include/ntm.h $(FUZZ_LIB)
	$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -fuse-ld=lld \
	  -Wall -Wextra -Werror -Iinclude $< -L$(FUZZ_DIR)/lib -lntm -Wl,-rpath,$(CURDIR)/$(FUZZ_DIR)/lib -rdynamic -lm -o $@

## each fuzz target on a fixed number of inputs (part of `make test`)
fuzz-test:
	@if ! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; return (int)n * 0; }' \
	    | $(CLANG) -x c -fsanitize=fuzzer - -o /dev/null >/dev/null 2>&1; then \
	  echo "!!!!! SKIPPED: the fuzz targets ($(CLANG) with libFuzzer not found; it ships with the Swift toolchain) !!!!!"; \
	else \
	  $(MAKE) --no-print-directory $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%) && \
	  for target in $(FUZZ_TARGETS); do \
	    runs=$$(case $$target in load) echo $(FUZZ_RUNS_load);; config) echo $(FUZZ_RUNS_config);; \
	      *) echo $(FUZZ_RUNS_api);; esac); \
	    mkdir -p $(FUZZ_DIR)/corpus-$$target && \
	    echo "fuzz_$$target: $$runs inputs" && \
	    $(FUZZ_DIR)/fuzz_$$target $(FUZZ_FLAGS) -runs=$$runs -artifact_prefix=$(FUZZ_DIR)/ \
	      $(FUZZ_DIR)/corpus-$$target Tests/Fuzz/corpus/$$target > $(FUZZ_DIR)/fuzz_$$target.log 2>&1 \
	    && grep -E '^Done [0-9]+ runs' $(FUZZ_DIR)/fuzz_$$target.log \
	    || { tail -n 40 $(FUZZ_DIR)/fuzz_$$target.log; echo "fuzz_$$target failed (log: $(FUZZ_DIR)/fuzz_$$target.log)"; exit 1; }; \
	  done; \
	fi

## each fuzz target for FUZZ_SECONDS (default 600) seconds, one after another
fuzz: $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)
	@for target in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_DIR)/corpus-$$target && \
	  echo "fuzz_$$target: $(FUZZ_SECONDS) s" && \
	  $(FUZZ_DIR)/fuzz_$$target $(FUZZ_FLAGS) -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_DIR)/ $(FUZZ_DIR)/corpus-$$target Tests/Fuzz/corpus/$$target \
	    > $(FUZZ_DIR)/fuzz_$$target.log 2>&1 \
	  && grep -E '^(Done [0-9]+ runs|stat::number_of_executed_units|stat::new_units_added)' $(FUZZ_DIR)/fuzz_$$target.log \
	  || { tail -n 40 $(FUZZ_DIR)/fuzz_$$target.log; echo "fuzz_$$target failed (log: $(FUZZ_DIR)/fuzz_$$target.log)"; exit 1; }; \
	done

# ----------------------------------------------------------------- examples

EXAMPLES = $(CTEST_DIR)/train_copy $(CTEST_DIR)/step

$(CTEST_DIR)/%: examples/c/%.c include/ntm.h $(LIB)
	@mkdir -p $(CTEST_DIR)
	$(GCC) $(C99_WARNINGS) -O2 -Iinclude $< -L$(LIB_DIR) -lntm $(RPATH) -o $@

## build the C examples against build/lib
examples: lib $(EXAMPLES)

## the C examples, with short settings, and the sample in docs/C-API.md (compiled)
c-examples: $(EXAMPLES)
	@mkdir -p $(CTEST_DIR)
	awk '/^```c$$/ {on = 1; next} /^```$$/ {on = 0} on' docs/C-API.md > $(CTEST_DIR)/doc_sample.c
	$(GCC) $(C99_WARNINGS) -Iinclude $(CTEST_DIR)/doc_sample.c -L$(LIB_DIR) -lntm $(RPATH) -o $(CTEST_DIR)/doc_sample
	cd $(CTEST_DIR) && NTM_STEPS=60 NTM_MAX_LENGTH=3 NTM_TEST_LENGTH=6 NTM_REPORT_EVERY=20 ./train_copy copy-model.safetensors
	cd $(CTEST_DIR) && ./step copy-model.safetensors 3

## the LuaJIT example (examples/lua), through include/ntm_ffi.h, if luajit is installed
lua-example: $(LIB)
	@if ! command -v luajit >/dev/null 2>&1; then \
	  echo "!!!!! SKIPPED: the LuaJIT example (luajit is not installed; apt-get install luajit) !!!!!"; exit 0; fi; \
	mkdir -p $(CTEST_DIR) && cd $(CTEST_DIR) && \
	echo "luajit examples/lua/train_copy.lua" && \
	NTM_LIBRARY=$(CURDIR)/$(LIB) NTM_INCLUDE=$(CURDIR)/include NTM_STEPS=3000 NTM_MAX_LENGTH=3 \
	  luajit $(CURDIR)/examples/lua/train_copy.lua lua-model.safetensors

# ------------------------------------------------------------------ install


## install lib/libntm.so.VERSION (with the soname and libntm.so links), include/ntm.h, include/ntm_ffi.h and lib/pkgconfig/ntm.pc under PREFIX
install: lib
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include
	install -m 755 $(LIB) $(DESTDIR)$(PREFIX)/lib/libntm.so.$(VERSION)
	ln -sfn libntm.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/$(SONAME)
	ln -sfn $(SONAME) $(DESTDIR)$(PREFIX)/lib/libntm.so
	install -m 644 include/ntm.h $(DESTDIR)$(PREFIX)/include/ntm.h
	install -m 644 include/ntm_ffi.h $(DESTDIR)$(PREFIX)/include/ntm_ffi.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' scripts/ntm.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/ntm.pc
	@echo "installed libntm $(VERSION) under $(DESTDIR)$(PREFIX)"

## install into a temporary prefix and build an example there with pkg-config
c-install-test: c-examples
	@if ! command -v pkg-config >/dev/null 2>&1; then \
	  echo "!!!!! SKIPPED: the install test (pkg-config is not installed) !!!!!"; exit 0; fi; \
	prefix=$$(mktemp -d) && trap 'rm -rf "$$prefix"' EXIT && \
	$(MAKE) --no-print-directory install PREFIX="$$prefix" && \
	flags=$$(PKG_CONFIG_PATH="$$prefix/lib/pkgconfig" pkg-config --cflags --libs ntm) && \
	echo "pkg-config --cflags --libs ntm: $$flags" && \
	$(GCC) $(C99_WARNINGS) examples/c/step.c $$flags -o "$$prefix/step" && \
	LD_LIBRARY_PATH="$$prefix/lib" "$$prefix/step" $(CTEST_DIR)/copy-model.safetensors 2 && \
	{ readelf -d "$$prefix/step" | grep -q 'NEEDED.*\[$(SONAME)\]' || \
	  { echo "the example does not record the soname $(SONAME)"; exit 1; }; } && \
	echo "install test: ok (the example needs $(SONAME))"
