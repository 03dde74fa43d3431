# cachectl — build, test, benchmark, document, install.
#
#   make demo      install missing packages, build release, run Scripts/demo.sh (no server needed)
#   make test      every test suite against private redis-servers, plus the generated-docs check
#   make bench     Scripts/bench.sh: ratios against reference commands, also in .build/bench.md
#   make build     debug build          make release   release build, Swift stdlib and libstdc++ linked statically
#   make docs      regenerate completions/ and man/ from the argument parser
#   make install   binary, man page and completions under $(PREFIX) (and $(DESTDIR))
#   make clean

SHELL := /bin/bash
SWIFT ?= swift
PREFIX ?= /usr/local
DESTDIR ?=
RELEASE_FLAGS := -c release --static-swift-stdlib

.PHONY: all deps build release demo test bench docs install clean

all: build

deps:
	Scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build $(RELEASE_FLAGS)

demo: release
	CACHECTL_BIN="$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/cachectl" Scripts/demo.sh

test:
	Scripts/test.sh

bench:
	Scripts/bench.sh

docs: deps
	Scripts/generate-docs.sh

install: release
	install -d "$(DESTDIR)$(PREFIX)/bin" "$(DESTDIR)$(PREFIX)/share/man/man1" \
		"$(DESTDIR)$(PREFIX)/share/bash-completion/completions" \
		"$(DESTDIR)$(PREFIX)/share/zsh/site-functions" \
		"$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d"
	install -m 755 "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/cachectl" "$(DESTDIR)$(PREFIX)/bin/cachectl"
	install -m 644 man/cachectl.1 "$(DESTDIR)$(PREFIX)/share/man/man1/cachectl.1"
	install -m 644 completions/cachectl.bash "$(DESTDIR)$(PREFIX)/share/bash-completion/completions/cachectl"
	install -m 644 completions/_cachectl "$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_cachectl"
	install -m 644 completions/cachectl.fish "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/cachectl.fish"

clean:
	$(SWIFT) package clean
	rm -rf .build/bench .build/bench.md .cachectl/demo.snapshot .cachectl/demo.snapshot-wal .cachectl/demo.snapshot-shm
