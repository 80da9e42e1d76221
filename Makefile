# Build, test and install `ntm`. Every target works from a fresh clone.

SWIFT ?= swift
# Tests run optimised: the learning test trains a real NTM, and `-O` is
# what users run. `-enable-testing` lets the tests see internal names.
TEST_FLAGS = -c release -Xswiftc -enable-testing

.PHONY: all test swift-test clean

all:
	$(SWIFT) build -c release

## Every test: Swift unit, gradient-check, determinism and learning tests.
test: swift-test

swift-test:
	$(SWIFT) build $(TEST_FLAGS) --build-tests
	$(SWIFT) test $(TEST_FLAGS) --skip-build --disable-swift-testing

clean:
	rm -rf .build
