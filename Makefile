# racelab: build the harness, run the tests, grade the labs.
# `make grade` and `make test` install missing Debian packages first.

CC      ?= gcc
CFLAGS  ?= -O2 -g
# Trailing members left out of an initializer are zero, as C promises.
CFLAGS  += -std=gnu11 -Wall -Wextra -Wno-unused-parameter \
           -Wno-missing-field-initializers -D_GNU_SOURCE
PKGS     = jansson expat
LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -pthread -lm
CHECK_CFLAGS = $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   = $(shell pkg-config --libs check 2>/dev/null)

# The harness's layers, one folder each (README, "Layout"); the runtimes
# under harness/runtime/ are built separately into bin/.
HARNESS_DIRS = cli demo engine tools probe server sched grade report lib
HARNESS_SRC  = harness/main.c $(sort $(foreach d,$(HARNESS_DIRS),$(wildcard harness/$(d)/*.c)))
HARNESS_OBJ  = $(HARNESS_SRC:harness/%.c=build/harness/%.o)
LIB_OBJ      = $(filter-out build/harness/main.o,$(HARNESS_OBJ))
PROBE_SRC    = $(sort $(wildcard harness/runtime/probe/*.c))
# Headers are found from harness/ ("engine/finding.h"); each object's
# header dependencies are generated beside it (-MMD -MP).
DEPFLAGS     = -MMD -MP
UNIT_SRC     = $(sort $(filter-out tests/unit/unit_main.c,$(wildcard tests/unit/*.c)))
UNIT_OBJ     = $(UNIT_SRC:tests/unit/%.c=build/tests/%.o)
# The harness built under ThreadSanitizer (`make tsan-self`, below).
TSAN_DIR     = build/tsan-self

.PHONY: class-screenshot all deps grade test test-fast layers unit corpus labs hostile class demos tsan-self handouts handout-pictures soak \
        bench format format-check clean FORCE autograder handout packages

all: bin/racelab bin/racelab-probe.so bin/racelab-asan-hook.c bin/racelab-stop-hook.c bin/racelab-sched.o

deps:
	@scripts/install-deps.sh

bin/racelab: $(HARNESS_OBJ)
	@mkdir -p bin
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

# The probe is preloaded into user programs: no dependency beyond libc.
bin/racelab-probe.so: $(PROBE_SRC) $(wildcard harness/runtime/probe/*.h harness/protocol/*.h)
	@mkdir -p bin
	$(CC) -std=gnu11 -O1 -g -Wall -Wextra -Wno-unused-parameter -D_GNU_SOURCE \
	    -Iharness -fPIC -shared -pthread -o $@ $(PROBE_SRC) -ldl

# The seeded scheduler (racelab check --schedules): one relocatable object,
# not a preloaded .so, because the program's -fsanitize=thread hooks and
# its --wrap'ed pthread calls must be resolved at link time (sched_explore.c
# links it with -no-pie, so trace pcs are plain executable addresses).
SCHED_SRC = $(sort $(wildcard harness/runtime/sched/*.c))
bin/racelab-sched.o: $(SCHED_SRC) $(wildcard harness/runtime/sched/*.h harness/protocol/*.h)
	@mkdir -p bin
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter -Iharness \
	    -D_GNU_SOURCE -fno-omit-frame-pointer -r -nostdlib -o $@ $(SCHED_SRC)

# Compiled into every ASan build of a user's program (build.c finds it
# beside racelab): lets a program that never exits report its leaks.
# The hooks' copies carry protocol/hooks.h inlined at its #include line:
# user programs are compiled without racelab's -I.
HOOK_INLINE = sed -e '\|^\#include "../../protocol/hooks.h"|{r harness/protocol/hooks.h' -e 'd;}'
bin/racelab-asan-hook.c: harness/runtime/hooks/asan_leak_hook.c harness/protocol/hooks.h
	@mkdir -p bin
	$(HOOK_INLINE) $< > $@

# Grading links a lab's Check tests the way this machine links Check; with
# no Check here at build time grade_run.c keeps its own default. The flags
# are kept in build/check-libs.flags, rewritten only when they change, so
# that grade_run.o is rebuilt once `make deps` has installed Check.
GRADE_RUN_OBJ = build/harness/grade/grade_run.o $(TSAN_DIR)/harness/grade/grade_run.o
$(GRADE_RUN_OBJ): CFLAGS += $(if $(CHECK_LIBS),-DRL_CHECK_LIBS='"$(CHECK_LIBS)"')
$(GRADE_RUN_OBJ): build/check-libs.flags
build/check-libs.flags: FORCE
	@mkdir -p $(dir $@)
	@echo '$(CHECK_LIBS)' | cmp -s - $@ || echo '$(CHECK_LIBS)' > $@
FORCE:

# Compiled into the TSan and ASan builds too: lets the harness end a server
# with exit(0), so the sanitizers still write their exit-time reports.
bin/racelab-stop-hook.c: harness/runtime/hooks/stop_hook.c harness/protocol/hooks.h
	@mkdir -p bin
	$(HOOK_INLINE) $< > $@

build/harness/%.o: harness/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(DEPFLAGS) -Iharness -c -o $@ $<

# The harness itself under ThreadSanitizer: its worker threads (runner.c)
# share the engine's state, so `make tsan-self` builds a TSan racelab in
# build/tsan-self/bin and runs a few real checks and gradings with it
# (scripts/tsan-self.sh). The runtimes it finds beside itself are copies
# of the plain ones: they go into the students' programs, not into racelab.
# tsan_self_options.c sets the harness's own TSan options (halt on the
# first report, into a log of its own), without touching the environment
# that the students' TSan builds inherit.
TSAN_CC       = clang
TSAN_CFLAGS   = $(CFLAGS) -O1 -fsanitize=thread -fno-omit-frame-pointer
TSAN_OBJ      = $(HARNESS_SRC:harness/%.c=$(TSAN_DIR)/harness/%.o)
TSAN_RUNTIMES = $(addprefix $(TSAN_DIR)/bin/,racelab-probe.so \
                  racelab-asan-hook.c racelab-stop-hook.c racelab-sched.o)

$(TSAN_DIR)/harness/%.o: harness/%.c
	@mkdir -p $(dir $@)
	$(TSAN_CC) $(TSAN_CFLAGS) $(DEPFLAGS) -Iharness -c -o $@ $<

$(TSAN_DIR)/bin/racelab: $(TSAN_OBJ) tests/tsan-self/tsan_self_options.c
	@mkdir -p $(dir $@)
	$(TSAN_CC) $(TSAN_CFLAGS) -DTSAN_SELF_LOG='"$(abspath $(TSAN_DIR))/reports/tsan"' \
	    -o $@ $^ $(LIBS)

$(TSAN_DIR)/bin/%: bin/%
	@mkdir -p $(dir $@)
	cp $< $@

# Not part of `make test`, which judges racelab's verdicts and has a time
# budget (10 minutes on 2 cores): this judges the harness itself, from a
# second build of it, in about a minute. .ci/run runs both.
tsan-self: deps
	@$(MAKE) --no-print-directory all $(TSAN_DIR)/bin/racelab $(TSAN_RUNTIMES)
	scripts/tsan-self.sh

# Every tests/unit/check_*.c defines one `Suite *make_<name>_suite(void)`;
# the list of suites is generated so that adding a file is all it takes.
build/tests/suites.h: $(UNIT_SRC)
	@mkdir -p $(dir $@)
	@sed -n 's/^Suite \*\(make_[a-z0-9_]*_suite\)(void).*/SUITE(\1)/p' $(UNIT_SRC) > $@

build/tests/%.o: tests/unit/%.c build/tests/suites.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(DEPFLAGS) $(CHECK_CFLAGS) -Iharness -Ibuild/tests -c -o $@ $<

# The unit runner runs its suites a few at a time, each in a process of
# its own (tests/common/test_jobs.c, as the corpus and lab runners do).
build/tests/unit_main.o: tests/unit/unit_main.c build/tests/suites.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(DEPFLAGS) $(CHECK_CFLAGS) -Iharness -Ibuild/tests \
	    -Itests/common -c -o $@ $<

build/tests/test_jobs.o: tests/common/test_jobs.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

bin/check-unit: build/tests/unit_main.o build/tests/test_jobs.o $(UNIT_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(CHECK_LIBS) $(LIBS)

# The corpus and lab runners start their racelab processes a few at a
# time (tests/common/test_jobs.c: RACELAB_TEST_JOBS, default the cores).
TEST_JOBS = tests/common/test_jobs.c tests/common/test_jobs.h

# Linked with the failure-mode table, to know which EXPECT IDs exist.
bin/check-corpus: tests/corpus/check_corpus.c $(TEST_JOBS) build/harness/engine/failure_modes.o
	@mkdir -p bin
	$(CC) $(CFLAGS) $(CHECK_CFLAGS) -Iharness -Itests/common -o $@ \
	    $(filter %.c %.o,$^) $(CHECK_LIBS) $(LIBS)

bin/check-labs: tests/labs/check_labs.c $(TEST_JOBS)
	@mkdir -p bin
	$(CC) $(CFLAGS) $(CHECK_CFLAGS) -Itests/common -o $@ $(filter %.c,$^) \
	    $(CHECK_LIBS) $(LIBS)

# The lecture demos, each run twice with --no-pause (tests/demo/).
bin/check-demos: tests/demo/check_demos.c $(TEST_JOBS)
	@mkdir -p bin
	$(CC) $(CFLAGS) $(CHECK_CFLAGS) -Itests/common -o $@ $(filter %.c,$^) \
	    $(CHECK_LIBS) $(LIBS)

# Submissions and result files that try to forge a grade (tests/hostile/).
bin/check-hostile: tests/hostile/check_hostile.c $(LIB_OBJ)
	$(CC) $(CFLAGS) $(CHECK_CFLAGS) -Iharness -o $@ $^ $(CHECK_LIBS) $(LIBS)

unit: all bin/check-unit
	bin/check-unit

# The unit tests that run no tool (parsers, policy, reports, rubric files,
# options, sources, analysis of recorded samples): their tcases carry the
# Check tag "fast". For the edit-compile loop: about a second.
test-fast: bin/check-unit layers
	CK_INCLUDE_TAGS=fast bin/check-unit

# No harness layer includes a layer above it (README, "Layout").
layers:
	@scripts/check-layers.sh

corpus: all bin/check-corpus
	bin/check-corpus tests/cases

# Every lab's starter, solution and seeded variants through racelab grade.
labs: all bin/check-labs
	bin/check-labs
	tests/labs/demos.sh

hostile: all bin/check-hostile
	bin/check-hostile

# A small class graded with `make grade SUBMISSIONS=`: summary.csv, the
# class report (class.html read back by an XML parser), re-runs.
bin/html-outline: tests/class/html_outline.c
	@mkdir -p bin
	$(CC) $(CFLAGS) -o $@ $< $(LIBS)

class: all bin/html-outline
	tests/class/grade-class.sh

# Every `racelab demo` shows the bug it promises, twice in a row.
demos: all bin/check-demos
	bin/check-demos

test: deps
	@$(MAKE) --no-print-directory layers unit corpus labs hostile class demos packages \
	    handout-pictures

grade: deps
	@$(MAKE) --no-print-directory all
	@scripts/grade.sh

# The class report in headless Chromium (an optional package).
class-screenshot:
	@scripts/install-deps.sh chromium
	@scripts/class-screenshot.sh

soak: deps
	@$(MAKE) --no-print-directory all
	@scripts/soak.sh
	@$(MAKE) --no-print-directory bin/check-labs
	LABS_RUNS=5 bin/check-labs

bench: deps
	@$(MAKE) --no-print-directory all
	@scripts/bench.sh
	@scripts/bench-labs.sh
	@if [ -x scripts/bench-sched.sh ]; then scripts/bench-sched.sh; fi

# The lab handouts as HTML in build/handouts (pandoc), with racelab's own
# pictures of the labs' programs (handouts/pictures.sh).
handouts: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory -C handouts

# The pictures in handouts 06 and 08, read back by an XML parser; a run
# without the bug fails its handout (a few seconds).
handout-pictures: all bin/html-outline
	tests/handouts/pictures.sh

# The course platforms' packages and the student kit (docs/platforms.md):
#   make autograder LAB=04-threads PLATFORM=gradescope|prairielearn|autolab
#   make handout [LAB=06-counter]
# The PrairieLearn and Autolab packages carry a racelab built here, with
# jansson and expat linked in: their images have neither (glibc is the
# only library it needs, 2.34 at most).
build/portable/racelab: $(HARNESS_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ -Wl,-Bstatic -ljansson -lexpat -Wl,-Bdynamic -lm -pthread

autograder: all build/portable/racelab
	@scripts/autograder/package.sh "$(LAB)" "$(PLATFORM)"

handout:
	@$(MAKE) --no-print-directory all
	@scripts/handout.sh $(LAB)

# Each package run in a mock of its platform's layout, and the kit
# unpacked and graded (tests/packages/).
packages: all build/portable/racelab
	tests/packages/run.sh

# Fixture programs are left as captured: their reports cite line numbers.
FORMAT_FILES = $(shell git ls-files '*.c' '*.h' ':!tests/fixtures' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	clang-format --dry-run --Werror $(FORMAT_FILES)

clean:
	rm -rf bin build

-include $(HARNESS_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) build/tests/unit_main.d build/tests/test_jobs.d \
         $(TSAN_OBJ:.o=.d)
