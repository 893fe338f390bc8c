# looplab — the only build entry point. `make` lists the targets.
#
# How chapters are built (tests/README.md): chapter NN compiles against its own
# folder first, then the earlier chapters' folders, newest first. A "set" says
# which folders those are:
#   sol       solutions/ for every chapter (the reference, built with -Werror)
#   les       lessons/NN (your code) on solutions/ for the chapters before it
#   mine      lessons/ for every chapter up to NN (STACK=mine: your loop from the ground up)
#   pristine  a fresh generation of lessons/NN on solutions/ (make test's honesty check)
#   scratch   lessons/NN at DEPTH=scratch (make test compiles its library objects)
#   probe     solutions/NN with each exercise region instrumented (make probe: which
#             exercises each test runs, and the score after each exercise)
# Objects are compiled once per (compiler and sanitizer, set, chapter) and reused.

.DEFAULT_GOAL := help
SHELL := /bin/bash
.SUFFIXES:
.DELETE_ON_ERROR:

CH ?=
FROM ?=
STACK ?=
T ?=
FAILFAST ?=
SAN ?=
V ?=
EX ?=
JOBS ?= $(shell nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 2)

comma := ,
Q := $(if $(V),,@)
# A chapter still being written holds a file named WIP: its lessons are
# generated, but it is neither built nor graded until that file goes.
WIP_CHAPTERS := $(notdir $(patsubst %/WIP,%,$(wildcard solutions/[0-9][0-9]-*/WIP)))
chapter_num = $(firstword $(subst -, ,$1))

# LOOP=fast: every chapter on chapter 14's fast loop, a drop-in for 03-05 (as
# uvloop is for asyncio). Chapter 14's folder holds only the files whose
# internals it replaces, under the names of the files they shadow: its folder
# comes FIRST on every chapter's include path, so its headers win, and its .cpp
# files are linked INSTEAD of the same-named ones of the earlier chapters (its
# other .cpp files join them). Everything is built apart, under build/<cxx>-fast,
# since the shadowed headers change what every object means. A shadowed header
# must be included with <> where a file of its own folder includes it: a ""
# include looks beside the including file before the include path. Chapter 14 itself
# only exists on that flavour: CH=14 selects it, WIP or not. Which chapter-14
# folder every object sees depends on what is graded: solutions/14, or with
# CH=14 the learner's lessons/14 (unless FROM=solutions), the fresh stubs
# (make stubs) or the probe's copy (make probe), each its own flavour
# (build/<cxx>-fast-lessons, -fast-pristine, -fast-probe).
LOOP ?=
FAST_CH := $(notdir $(wildcard solutions/14-*))
FAST_IS_CH := $(and $(FAST_CH),$(CH),$(filter $(CH),$(call chapter_num,$(FAST_CH))))
FAST := $(if $(FAST_CH),$(if $(or $(filter fast,$(LOOP)),$(FAST_IS_CH)),fast))
# Decided by the top-level goal, then handed to every sub-make (whose goal is
# a file or a helper target) through the environment.
ifeq ($(origin FAST_VARIANT),undefined)
FAST_VARIANT := $(if $(FAST_IS_CH),$(if $(filter stubs,$(MAKECMDGOALS)),pristine,$(if $(filter probe,$(MAKECMDGOALS)),probe,$(if \
    $(filter mutants test-fast,$(MAKECMDGOALS))$(filter solutions,$(FROM)),,lessons))))
endif
export FAST_VARIANT
FAST_LESSONS := $(filter lessons,$(FAST_VARIANT))
FAST_SRC := $(if $(FAST),$(if $(filter lessons,$(FAST_VARIANT)),lessons,$(if $(filter pristine,$(FAST_VARIANT)),build/pristine,$(if \
    $(filter probe,$(FAST_VARIANT)),build/probe-src,solutions)))/$(FAST_CH))
FAST_NAMES := $(if $(FAST),$(notdir $(basename $(filter-out %/demo.cpp,$(wildcard solutions/$(FAST_CH)/*.cpp)))))
CHAPTERS := $(sort $(filter-out $(WIP_CHAPTERS) $(FAST_CH),$(notdir $(wildcard solutions/[0-9][0-9]-*))) $(if $(FAST),$(FAST_CH)))
reverse = $(if $1,$(call reverse,$(wordlist 2,$(words $1),$1)) $(firstword $1))
# UPTO_<ch>: the chapters up to and including <ch>; BEFORE_<ch>: those before it.
_upto :=
$(foreach c,$(CHAPTERS),$(eval UPTO_$c := $(_upto) $c)$(eval BEFORE_$c := $(_upto))$(eval _upto := $(UPTO_$c)))

COMPILER := $(notdir $(firstword $(CXX)))
BUILD := build/$(COMPILER)$(if $(SAN),-$(subst $(comma),-,$(SAN)))$(if $(FAST),-fast$(if $(FAST_VARIANT),-$(FAST_VARIANT)))
TOOLS := build/tools
PRISTINE := build/pristine
PROBE := build/probe-src
SCRATCH := build/scratch-src
GRADES := build/grades
RECORDS := build/test-records
GRADER := $(TOOLS)/grader
MAKE_LESSONS := $(TOOLS)/make_lessons

CXXFLAGS_BASE := -std=c++20 -pthread -g -O0 -MMD -MP
# The sets nobody debugs (make test's stubs, probe and scratch builds) skip the
# debug information: a fifth less compile time. Code the learner runs keeps it.
CXXFLAGS_pristine := $(filter-out -g,$(CXXFLAGS_BASE))
CXXFLAGS_probe := $(CXXFLAGS_pristine)
CXXFLAGS_scratch := $(CXXFLAGS_pristine)
# On the fast loop the reference chapters include chapter 14's folder: stubs
# there may warn, and the probe's copy calls the probe.
WARN_sol = -Wall -Wextra $(if $(filter lessons pristine,$(FAST_VARIANT)),$(WARN_pristine),-Werror) \
    $(if $(filter probe,$(FAST_VARIANT)),-include tests/support/probe.hpp)
WARN_les := -Wall -Wextra -Wno-unused-parameter
WARN_mine := $(WARN_les)
WARN_pristine := $(WARN_les) -Wno-unused-variable -Wno-unused-private-field -Wno-unused-function
WARN_scratch := $(WARN_pristine)
WARN_probe := $(WARN_sol) -include tests/support/probe.hpp
SANFLAGS := $(if $(SAN),-fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all)
# Sanitized code runs slower; the grader stretches every time limit by this.
TIMEOUT_SCALE := $(if $(SAN),3,1)
LDLIBS := -lgtest -pthread
export ASAN_OPTIONS ?= detect_leaks=1
export UBSAN_OPTIONS ?= print_stacktrace=1
export TSAN_OPTIONS ?= second_deadlock_stack=1

# Every test object starts from one precompiled header (gtest and the standard
# headers the tests share), parsed once per build flavour instead of once per
# test file: about a second saved per file. g++ only; clang++ parses as before.
PCH := $(if $(filter g++,$(COMPILER)),$(BUILD)/pch/precompiled.hpp)
PCH_GCH := $(if $(PCH),$(PCH).gch)
PCH_FLAG := $(if $(PCH),-include $(PCH))

SUPPORT_SRC := $(wildcard tests/support/*.cpp)
SUPPORT_OBJ := $(patsubst tests/support/%.cpp,$(BUILD)/support/%.o,$(SUPPORT_SRC))
DEMO_SUPPORT_OBJ := $(filter-out %/test_main.o,$(SUPPORT_OBJ))

# Which set `make check` and `make demo` use.
CHECK_FROM := $(or $(FROM),lessons)
DEMO_FROM := $(or $(FROM),solutions)
set_for = $(if $(filter solutions,$1),sol,$(if $(filter mine,$(STACK)),mine,les))
CHECK_SET := $(call set_for,$(CHECK_FROM))
DEMO_SET := $(call set_for,$(DEMO_FROM))
SELECTED := $(if $(CH),$(filter $(CH)-%,$(CHAPTERS)),$(CHAPTERS))
DEMO_CH := $(filter $(or $(CH),00)-%,$(CHAPTERS))

# ---------------------------------------------------------------- per chapter
# The earlier chapters whose headers and objects chapter $1's tests use: all
# of them, but for chapter 14, whose tests use only the loop it replaces
# (00-05). Each chapter-14 build (stubs, probe, a learner's first check)
# compiles those again, since its headers change what they mean.
linked_before = $(if $(filter $(FAST_CH),$1),$(filter 00-% 01-% 02-% 03-% 04-% 05-%,$(BEFORE_$1)),$(BEFORE_$1))
# $1 chapter folder. Include paths per set: the chapter's own folder first.
# On the fast loop (LOOP=fast) every other chapter puts chapter 14's folder
# first and leaves out the sources it shadows.
define CHAPTER_VARS
FAST_INC_$1 := $(if $(filter-out $(FAST_CH),$1),$(if $(FAST_SRC),-I$(FAST_SRC)))
INC_sol_$1 := $$(FAST_INC_$1) $(foreach d,$(call reverse,$(call linked_before,$1) $1),-Isolutions/$d)
INC_les_$1 := $$(FAST_INC_$1) -Ilessons/$1 $(foreach d,$(call reverse,$(call linked_before,$1)),-Isolutions/$d)
INC_mine_$1 := $$(FAST_INC_$1) $(foreach d,$(call reverse,$(call linked_before,$1) $1),-Ilessons/$d)
INC_pristine_$1 := $$(FAST_INC_$1) -I$(PRISTINE)/$1 $(foreach d,$(call reverse,$(call linked_before,$1)),-Isolutions/$d)
INC_scratch_$1 := $$(FAST_INC_$1) -I$(SCRATCH)/$1 $(foreach d,$(call reverse,$(call linked_before,$1)),-Isolutions/$d)
INC_probe_$1 := $$(FAST_INC_$1) -I$(PROBE)/$1 $(foreach d,$(call reverse,$(call linked_before,$1)),-Isolutions/$d)
SRCDIR_sol_$1 := solutions/$1
SRCDIR_les_$1 := lessons/$1
SRCDIR_mine_$1 := lessons/$1
SRCDIR_pristine_$1 := $(PRISTINE)/$1
SRCDIR_probe_$1 := $(PROBE)/$1
SRCDIR_scratch_$1 := $(SCRATCH)/$1
LIBNAMES_$1 := $(filter-out $(if $(filter-out $(FAST_CH),$1),$(FAST_NAMES)),$(notdir $(basename $(filter-out %/demo.cpp,$(wildcard solutions/$1/*.cpp)))))
TESTNAMES_$1 := $(notdir $(basename $(wildcard tests/$1/*.cpp)))
# No exercise region in the chapter's headers: its stubs' and probe's headers
# equal the reference's, so those sets link the reference's test objects.
SHARED_TESTS_$1 := $(if $(shell grep -l '//@exercise' solutions/$1/*.hpp 2>/dev/null),,yes)
endef

# $1 chapter, $2 set. Library objects of the earlier chapters come from
# solutions/ unless the set is `mine`.
define SET_RULES
LIBOBJ_$2_$1 := $(addprefix $(BUILD)/$2/$1/lib/,$(addsuffix .o,$(LIBNAMES_$1)))
STACKOBJ_$2_$1 := $$(LIBOBJ_$2_$1) $(foreach d,$(call linked_before,$1),$$(LIBOBJ_$(if $(filter mine,$2),mine,sol)_$d)) \
    $(if $(filter-out $(FAST_CH),$1),$$(FAST_ARCHIVE))
TESTOBJ_$2_$1 := $(addprefix $(BUILD)/$(if $(and $(SHARED_TESTS_$1),$(filter pristine probe,$2)),sol,$2)/$1/tests/,$(addsuffix .o,$(TESTNAMES_$1)))

$(BUILD)/$2/$1/lib/%.o: $(SRCDIR_$2_$1)/%.cpp
	@mkdir -p $$(@D)
	$$(if $(Q),@echo "  CXX   $$<")
	$(Q)$$(CXX) $$(or $$(CXXFLAGS_$2),$$(CXXFLAGS_BASE)) $(WARN_$2) $$(SANFLAGS) $$(INC_$2_$1) -Itests/support -c $$< -o $$@
$(BUILD)/$2/$1/tests/%.o: tests/$1/%.cpp $$(PCH_GCH)
	@mkdir -p $$(@D)
	$$(if $(Q),@echo "  CXX   $$< ($2)")
	$(Q)$$(CXX) $$(or $$(CXXFLAGS_$2),$$(CXXFLAGS_BASE)) $$(PCH_FLAG) $(WARN_$2) $$(SANFLAGS) $$(INC_$2_$1) -Itests/support -c $$< -o $$@
$(BUILD)/$2/$1/test: $$(TESTOBJ_$2_$1) $$(STACKOBJ_$2_$1) $$(SUPPORT_OBJ)
	@mkdir -p $$(@D)
	$$(if $(Q),@echo "  LINK  $$@")
	$(Q)$$(CXX) $$(SANFLAGS) $$(filter-out %.a,$$^) $$(filter %.a,$$^) $$(LDLIBS) -o $$@
$(BUILD)/$2/$1/demo: $(BUILD)/$2/$1/lib/demo.o $$(STACKOBJ_$2_$1) $$(DEMO_SUPPORT_OBJ)
	@mkdir -p $$(@D)
	$$(if $(Q),@echo "  LINK  $$@")
	$(Q)$$(CXX) $$(SANFLAGS) $$(filter-out %.a,$$^) $$(filter %.a,$$^) -pthread -o $$@
endef

# Two passes: every chapter's variables first, since a set's rules name them.
$(foreach c,$(CHAPTERS),$(eval $(call CHAPTER_VARS,$c)))
# The fast loop's archive (below), named before the sets' link lines take it in.
FAST_SET := $(if $(FAST_LESSONS),$(if $(filter mine,$(STACK)),mine,les),$(if $(FAST_VARIANT),$(FAST_VARIANT),sol))
FAST_ARCHIVE := $(if $(FAST),$(if $(LIBNAMES_$(FAST_CH)),$(BUILD)/$(FAST_SET)/$(FAST_CH)/libfast.a))
$(foreach c,$(CHAPTERS),$(foreach s,sol les mine pristine probe scratch,$(eval $(call SET_RULES,$c,$s))))

# The fast loop's own objects, as an archive: a chapter links only the members
# it needs (a replacement for chapter 05's code stays out of chapter 03's tests).
# Built from the same chapter-14 folder as the include path names.
ifneq ($(FAST_ARCHIVE),)
$(FAST_ARCHIVE): $(LIBOBJ_$(FAST_SET)_$(FAST_CH))
	$(if $(Q),@echo "  AR    $@")
	$(Q)rm -f $@ && ar rcs $@ $^
endif

# The precompiled header: the same flags as the objects that use it (a
# mismatch makes g++ ignore it and parse the header as text).
$(BUILD)/pch/precompiled.hpp: tests/support/precompiled.hpp
	@mkdir -p $(@D)
	@cp $< $@
$(BUILD)/pch/precompiled.hpp.gch: $(BUILD)/pch/precompiled.hpp
	$(if $(Q),@echo "  PCH   $@")
	$(Q)$(CXX) $(filter-out -MMD -MP,$(CXXFLAGS_BASE)) $(SANFLAGS) -x c++-header $< -o $@

$(BUILD)/support/%.o: tests/support/%.cpp
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CXX   $<")
	$(Q)$(CXX) $(CXXFLAGS_BASE) $(WARN_sol) $(SANFLAGS) $(if $(FAST_SRC),-I$(FAST_SRC)) -Isolutions/00-sync-vs-async -Itests/support -c $< -o $@

$(TOOLS)/grader: $(addprefix tests/support/tools/,grader.cpp manifest.cpp runner.cpp report.cpp probe.cpp leaks.cpp hint_checks.cpp mutants.cpp hints.cpp exercise_sites.cpp) tests/support/tools/*.hpp
	@mkdir -p $(@D)
	$(Q)$(CXX) -std=c++20 -O1 -Wall -Wextra -Werror $(filter %.cpp,$^) -o $@
# make watch: built on the reference loop (chapters 00-03), whatever the
# state of the learner's own, so it works from the first chapter on.
WATCH_CHAPTERS := 00-sync-vs-async 01-selectors 02-timers 03-event-loop
WATCH_SRC := $(wildcard tests/support/watch/*.cpp) \
             $(filter-out %/demo.cpp,$(foreach c,$(WATCH_CHAPTERS),$(wildcard solutions/$c/*.cpp)))
$(TOOLS)/watch: $(WATCH_SRC) $(wildcard tests/support/watch/*.hpp) $(foreach c,$(WATCH_CHAPTERS),$(wildcard solutions/$c/*.hpp))
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CXX   $@")
	$(Q)$(CXX) -std=c++20 -pthread -O1 -Wall -Wextra -Werror $(foreach c,$(call reverse,$(WATCH_CHAPTERS)),-Isolutions/$c) \
	  -Itests/support -Itests/support/watch $(WATCH_SRC) -o $@
$(TOOLS)/make_lessons: tests/support/tools/make_lessons.cpp tests/support/tools/text.hpp
	@mkdir -p $(@D)
	$(Q)$(CXX) -std=c++20 -O1 -Wall -Wextra -Werror $(filter %.cpp,$^) -o $@

-include $(shell find build -name '*.d' 2>/dev/null)

# ---------------------------------------------------------------- learner targets
.PHONY: help check grade hint reveal reset demo diagrams lessons test test-full test-sanitizer test-fast test-fast-run test-fast-chapter test-mutants test-fuzz-replay fuzz stubs probe mutants mutants-one \
        doctor compdb format clean tools bench watch

help:
	@echo "looplab — build an asyncio-style event loop in C++20, one chapter at a time"
	@echo
	@echo "Chapters:"
	@for c in $(CHAPTERS); do printf '  %s\n' "$$c"; done
	@echo
	@echo "Targets:"
	@echo "  make check CH=NN     grade chapter NN: your lessons/NN on the reference for earlier chapters"
	@echo "  make grade           every chapter's score in one table (also build/grades.json)"
	@echo "  make watch CH=NN     re-grade chapter NN each time you save one of its files (Ctrl-C stops)"
	@echo "  make hint CH=NN      one more hint stage for the exercise the grader says is next (EX=id, STAGE=all)"
	@echo "  make mutants CH=NN   every trap graded: each mutant of the reference must fail a mapped test"
	@echo "  make demo CH=NN      the chapter's classroom demonstration (default: chapter 00)"
	@echo "  make test            the maintainer's suite: solutions 100/100 (also under ASan+UBSan, TSan),"
	@echo "                      stubs fail, lessons fresh, mutants caught, 03-14 on the fast loop"
	@echo "  make test-full       make test, plus the fast loop under ASan+UBSan"
	@echo "  make bench           the standard workloads (-O2): reference and fast loop against raw baselines"
	@echo "  make stubs CH=NN     the honesty check alone: every graded test must fail on the stubs"
	@echo "  make lessons         regenerate lessons/ from solutions/ (maintainers; overwrites lessons/)"
	@echo "  make doctor          check the compiler, coroutines, GoogleTest, epoll"
	@echo "  make compdb          compile_commands.json for clangd / VS Code"
	@echo "  make format          clang-format solutions/ and tests/, then regenerate lessons/"
	@echo "  make clean           remove build/"
	@echo
	@echo "Variables:"
	@echo "  CH=NN                a chapter (check, demo, hint); no CH: every chapter"
	@echo "  FROM=solutions       grade or run the reference instead (FROM=lessons: your code)"
	@echo "  STACK=mine           use your lessons for every earlier chapter too"
	@echo "  T=Suite.Name         run one test with its full output"
	@echo "  FAILFAST=1           stop at the first failing test"
	@echo "  SAN=address,undefined or SAN=thread   build with sanitizers"
	@echo "  LOOP=fast            build every chapter on chapter 14's fast loop (make test-fast: 03-14 on it)"
	@echo "  CXX=clang++          another compiler (g++ >= 12, clang++ >= 14)"
	@echo "  JOBS=N               tests run in parallel (default: the number of cores)"
	@echo "  V=1                  show the full compiler commands"

tools: $(GRADER) $(MAKE_LESSONS)

# The first build of a chapter compiles the chapters before it too: it says how
# many files, an estimate from this machine's load (about 3 s of one core per
# file at -O0, measured with g++ 12), then [n/m] per file.
BUILD_STAMP = $(BUILD)/$(CHECK_SET)/$(C)/.build-started
WATCHED = $(if $(filter sol,$(CHECK_SET)),solutions/$(C),$(if $(filter mine,$(CHECK_SET)),$(addprefix lessons/,$(UPTO_$(C))),lessons/$(C)))
BUILD_WITH_PROGRESS = mkdir -p $(BUILD)/$(CHECK_SET)/$(C) && touch $(BUILD_STAMP) && \
	m=$$($(MAKE) --no-print-directory -n V=1 -j1 $(1) 2>/dev/null | grep -c -- ' -c ') ; \
	if [ "$$m" -gt 3 ]; then read load _ < /proc/loadavg 2>/dev/null || load=0; cores=$$(nproc 2>/dev/null || echo 2); \
	  awk -v m=$$m -v l=$$load -v c=$$cores -v ch=$(C) 'BEGIN { busy = l / c; if (busy < 1) busy = 1; \
	    s = m * 3 * busy / c; printf "  building chapter %s: %d files to compile, about %d min %02d s on %d cores%s;\n  later checks recompile only what you change\n", \
	    ch, m, s / 60, s % 60, c, (l > c ? sprintf(" (the machine is busy: load %.1f)", l) : "") }'; fi; \
	set -o pipefail; $(MAKE) --no-print-directory -j$(JOBS) $(1) | \
	awk -v m=$$m '/^  CXX / { printf "  [%d/%d]%s\n", ++n, m, substr($$0, 6); fflush(); next } { print; fflush() }'
# A file saved while its chapter was building: build again (up to three times),
# so the score is of one consistent version of the learner's code.
REBUILD_IF_CHANGED = for i in 1 2 3; do \
	  changed=$$(find $(WATCHED) -newer $(BUILD_STAMP) \( -name '*.cpp' -o -name '*.hpp' \) 2>/dev/null | head -1); \
	  [ -z "$$changed" ] && break; echo "  $$changed changed during the build: building again"; \
	  touch $(BUILD_STAMP); $(MAKE) --no-print-directory -j$(JOBS) $(BUILD)/$(CHECK_SET)/$(C)/test || exit 1; done
WARN_IF_CHANGED = changed=$$(find $(WATCHED) -newer $(BUILD_STAMP) \( -name '*.cpp' -o -name '*.hpp' \) 2>/dev/null | head -1); \
	[ -z "$$changed" ] || echo "  note: $$changed changed while the tests ran; this score is of the version before it (make check CH=$(call chapter_num,$(C)) again)"

# Grade one chapter (C) with the selected set: build quietly, then grade. The
# grader's verdict goes to a file, so only a build error makes this fail.
check-one: tools
	@$(call BUILD_WITH_PROGRESS,$(BUILD)/$(CHECK_SET)/$(C)/test)
	@$(REBUILD_IF_CHANGED)
	@mkdir -p $(GRADES); $(GRADER) check --manifest tests/$(C)/manifest --binary $(BUILD)/$(CHECK_SET)/$(C)/test \
	  --graded "$(if $(filter sol,$(CHECK_SET)),solutions/$(C),lessons/$(C)$(if $(filter les,$(CHECK_SET)), on solutions/ for the chapters before it,$(if $(BEFORE_$(C)), on your own lessons for the chapters before it)))$(if $(FAST), on the fast loop)" \
	  --jobs $(JOBS) --timeout-scale $(TIMEOUT_SCALE) --grades $(GRADES) \
	  $(if $(filter sol,$(CHECK_SET)),,--sources lessons/$(C)) $(if $(T),--test $(T)) $(if $(FAILFAST),--failfast) $(EXTRA_GRADER_FLAGS); \
	  echo $$? > $(GRADES)/$(call chapter_num,$(C)).status; $(WARN_IF_CHANGED)

check: tools
	@$(if $(SELECTED),,echo "no chapter $(CH); the chapters are: $(CHAPTERS)"; exit 2;) \
	status=0; for c in $(SELECTED); do \
	  n=$${c%%-*}; rm -f $(GRADES)/$$n.status; \
	  $(MAKE) --no-print-directory check-one C=$$c; \
	  [ "$$(cat $(GRADES)/$$n.status 2>/dev/null)" = 0 ] || status=1; echo; \
	  if [ -n "$(FAILFAST)" ] && [ $$status -ne 0 ]; then break; fi; \
	done; $(END_QUIETLY)

# Below 100/100 `make check` must exit non-zero, but a failing recipe makes make
# print "make: *** [Makefile:NN: check] Error 1", which reads as a build error
# under the grader's summary. So a top-level check ends make with SIGPIPE, which
# make does not catch and shells do not report: exit status 141, no extra line.
# Under make watch (WATCHING=1) the score on the screen is the whole answer: exit 0.
END_QUIETLY = if [ -n "$(WATCHING)" ]; then exit 0; fi; \
	if [ $$status -ne 0 ] && [ "$(MAKELEVEL)" = 0 ]; then kill -PIPE $$PPID; fi; exit $$status

grade: tools
	@mkdir -p build; rm -f $(GRADES)/*.tsv; \
	for c in $(CHAPTERS); do \
	  $(MAKE) --no-print-directory $(BUILD)/$(CHECK_SET)/$$c/test >>build/grade-build.log 2>&1 || \
	    echo "  chapter $$c does not build: see build/grade-build.log"; \
	  $(MAKE) --no-print-directory check-one C=$$c EXTRA_GRADER_FLAGS=--quiet >/dev/null 2>&1; \
	done; $(GRADER) table --grades $(GRADES)

hint: tools
	@$(if $(CH),,echo "usage: make hint CH=NN [EX=chNN.name]"; exit 2;) \
	$(GRADER) hint --manifest tests/$(filter $(CH)-%,$(CHAPTERS))/manifest \
	  $(if $(EX),--exercise $(EX),$(if $(wildcard $(GRADES)/$(CH).next),--next-file $(GRADES)/$(CH).next)) --grades $(GRADES) $(if $(STAGE),--stage $(STAGE))

# Re-grade chapter CH each time one of its lesson files is saved, until Ctrl-C.
WATCH_CH := $(filter $(CH)-%,$(CHAPTERS))
watch: tools $(TOOLS)/watch
	@$(if $(CH),$(if $(WATCH_CH),,echo "no chapter $(CH); the chapters are: $(CHAPTERS)"; exit 2;),echo "usage: make watch CH=NN"; exit 2;) \
	$(TOOLS)/watch --dir $(if $(filter solutions,$(FROM)),solutions,lessons)/$(WATCH_CH) \
	  --command "$(MAKE) --no-print-directory check WATCHING=1 CH=$(CH)$(if $(FROM), FROM=$(FROM))$(if $(STACK), STACK=$(STACK))$(if $(SAN), SAN=$(SAN))" || true

# The answer of one exercise, on purpose: printed and recorded (make grade lists it).
reveal: tools
	@$(if $(EX),,echo "usage: make reveal EX=chNN.name   (make hint CH=NN first: the hints are free)"; exit 2;) \
	$(GRADER) reveal --sources solutions/$(filter $(word 1,$(subst ., ,$(patsubst ch%,%,$(EX))))-%,$(CHAPTERS)) \
	  --exercise $(EX) --grades $(GRADES)

# Fresh stubs for chapter CH: DEPTH=guided (the default) or DEPTH=scratch (core
# function bodies blanked whole). The learner's files are kept under build/kept/.
RESET_DEPTH := $(or $(DEPTH),guided)
reset: tools
	@$(if $(filter 1,$(words $(filter $(CH)-%,$(CHAPTERS)))),,echo "usage: make reset CH=NN [DEPTH=scratch]"; exit 2;) \
	$(if $(filter guided scratch,$(RESET_DEPTH)),,echo "DEPTH is guided or scratch"; exit 2;) \
	c=$(filter $(CH)-%,$(CHAPTERS)); mkdir -p build/kept && \
	keep=$$(mktemp -d build/kept/$$c-$$(date +%Y%m%d-%H%M%S)-XXXX) && cp -r lessons/$$c/. $$keep/ && \
	$(MAKE_LESSONS) solutions lessons --depth $(RESET_DEPTH) --chapter $$c >/dev/null && \
	echo "lessons/$$c now holds the $(RESET_DEPTH) stubs; your previous files are kept in $$keep/"

# A demo that draws timelines writes them under build/timelines (it says where);
# `make diagrams` (maintainers) runs them to refresh the committed figures.
TIMELINE_DIR ?= build/timelines
# Chapter 14's demonstration is a measurement: the reference loop and the fast
# one side by side on B1, B3 and B4 (make bench, -O2), as bars and a table.
DEMO_IS_FAST := $(and $(FAST_CH),$(filter $(FAST_CH),$(DEMO_CH)))
demo:
	@$(if $(DEMO_CH),,echo "no chapter $(CH); the chapters are: $(CHAPTERS)"; exit 2;) \
	$(if $(DEMO_IS_FAST),$(MAKE) --no-print-directory bench BENCH_ARGS="B1 B3 B4" BENCH_VIEW=chart \
	  $(if $(filter mine,$(STACK)),STACK=mine); exit $$?;) \
	$(MAKE) --no-print-directory $(BUILD)/$(DEMO_SET)/$(DEMO_CH)/demo && \
	mkdir -p $(TIMELINE_DIR) && LOOPLAB_TIMELINE_DIR=$(TIMELINE_DIR) $(BUILD)/$(DEMO_SET)/$(DEMO_CH)/demo
# The demos whose timelines are figures in diagrams/ (00, 05, and 13 through
# its tracer; chapter 11's stays under build/timelines): `make diagrams`
# refreshes every one of them, CH=NN one chapter's.
DIAGRAM_DEMOS = $(filter 00-% 05-% 13-%,$(CHAPTERS))
diagrams:
	@for c in $(if $(CH),$(DEMO_CH),$(DIAGRAM_DEMOS)); do \
	  $(MAKE) --no-print-directory demo FROM=solutions CH=$${c%%-*} TIMELINE_DIR=diagrams >/dev/null || exit 1; \
	  echo "diagrams: chapter $${c%%-*}'s demo drew its timelines"; \
	done

lessons: $(MAKE_LESSONS)
	@$(MAKE_LESSONS) solutions lessons

# ---------------------------------------------------------------- maintainer targets
ALL_SOL_BINS := $(foreach c,$(CHAPTERS),$(BUILD)/sol/$c/test)
ALL_PRISTINE_BINS := $(foreach c,$(CHAPTERS),$(BUILD)/pristine/$c/test)
ALL_DEMOS := $(foreach c,$(CHAPTERS),$(BUILD)/sol/$c/demo)
ALL_PROBE_BINS := $(foreach c,$(CHAPTERS),$(BUILD)/probe/$c/test)
ALL_SCRATCH_OBJS = $(foreach c,$(CHAPTERS),$(LIBOBJ_scratch_$c))
REC = $(RECORDS)/records.txt
# Seconds since `make test` began, on each of its headings (where the time goes).
export TEST_T0 ?= $(shell date +%s)
SINCE_START = [$$(( $$(date +%s) - $(TEST_T0) )) s]

# Every chapter against solutions (100/100, -Werror), every graded test
# failing on pristine stubs, lessons/ fresh, manifests valid; then a summary.
test: tools
	@rm -rf $(RECORDS) $(GRADES); mkdir -p $(RECORDS)
	@echo "== lessons/ is a fresh generation of solutions/ $(SINCE_START)"
	@if $(MAKE_LESSONS) solutions lessons --check; then $(GRADER) record --record $(REC) --pass "lessons/ equals a fresh generation"; \
	 else $(GRADER) record --record $(REC) --fail "lessons/ equals a fresh generation: run make lessons"; fi
	@echo "== the kit stands alone: no pointer to a document it does not ship"
	@refs=$$(grep -rnE '\b(DESIGN|API|BENCH|STYLE)\.md\b|\.\./shared/' README.md Makefile solutions tests .ci 2>/dev/null); \
	 if [ -z "$$refs" ]; then $(GRADER) record --record $(REC) --pass "no reference to a document outside the kit"; \
	 else echo "$$refs" | head; $(GRADER) record --record $(REC) --fail "no reference to a document outside the kit"; fi
	@$(MAKE_LESSONS) solutions $(PRISTINE) >/dev/null
	@$(MAKE_LESSONS) solutions $(PROBE) --depth probe >/dev/null
	@$(MAKE_LESSONS) solutions $(SCRATCH) --depth scratch >/dev/null
	@echo "== build: every chapter against solutions/ (-Werror), pristine stubs, the probe, scratch stubs, demos ($(COMPILER)$(if $(SAN), SAN=$(SAN))) $(SINCE_START)"
	@$(MAKE) --no-print-directory -k -j$(JOBS) $(ALL_SOL_BINS) $(ALL_PRISTINE_BINS) $(ALL_PROBE_BINS) $(ALL_DEMOS) >build/test-build.log 2>&1 \
	  || { grep -E 'error|Error' build/test-build.log | head -40; }
	@$(MAKE) --no-print-directory -k -j$(JOBS) $(ALL_SCRATCH_OBJS) >build/test-build-scratch.log 2>&1 \
	  && $(GRADER) record --record $(REC) --pass "scratch-depth lessons compile" \
	  || { grep -E 'error' build/test-build-scratch.log | head -20; $(GRADER) record --record $(REC) --fail "scratch-depth lessons compile: see build/test-build-scratch.log"; }
	@for c in $(CHAPTERS); do \
	  for d in $(BUILD)/sol/$$c/demo; do [ -x $$d ] && r=--pass || r=--fail; $(GRADER) record --record $(REC) $$r "chapter $$c demo builds"; done; \
	  sol=$(BUILD)/sol/$$c/test; stub=$(BUILD)/pristine/$$c/test; \
	  if [ ! -x $$sol ]; then $(GRADER) record --record $(REC) --fail "chapter $$c builds against solutions/: see build/test-build.log"; continue; fi; \
	  echo "== chapter $$c $(SINCE_START)"; \
	  $(GRADER) validate --manifest tests/$$c/manifest --binary $$sol --sources solutions/$$c --record $(REC); \
	  $(GRADER) check --manifest tests/$$c/manifest --binary $$sol --jobs $(JOBS) --timeout-scale $(TIMEOUT_SCALE) --quiet --grades $(GRADES) --graded solutions/$$c --record $(REC) | grep -v '^ *$$' | grep -v '^chapter '; \
	  if [ -x $$stub ]; then $(GRADER) stubs --manifest tests/$$c/manifest --binary $$stub --jobs $(JOBS) --timeout-scale $(TIMEOUT_SCALE) --record $(REC); \
	  else $(GRADER) record --record $(REC) --fail "chapter $$c builds against pristine lessons: see build/test-build.log"; fi; \
	  if [ -x $(BUILD)/probe/$$c/test ]; then $(GRADER) probe --manifest tests/$$c/manifest --binary $(BUILD)/probe/$$c/test \
	    --probe-dir build/probe-runs/$$c --jobs $(JOBS) --timeout-scale $(TIMEOUT_SCALE) --record $(REC) | grep -v '^chapter '; \
	  else $(GRADER) record --record $(REC) --fail "chapter $$c probe build: see build/test-build.log"; fi; \
	  $(GRADER) leaks --manifest tests/$$c/manifest --sources solutions/$$c --readme solutions/$$c/README.md --record $(REC) || true; \
	done
	@echo "== make watch: a save re-grades (debounced), Ctrl-C stops it $(SINCE_START)"
	@$(MAKE) --no-print-directory $(TOOLS)/watch >build/test-build-watch.log 2>&1 || cat build/test-build-watch.log; \
	for mode in inotify --poll; do \
	  if tests/support/watch/watch_check.sh $(TOOLS)/watch $${mode#inotify}; then r=--pass; else r=--fail; fi; \
	  $(GRADER) record --record $(REC) $$r "make watch ($$mode) grades once per save and stops on Ctrl-C"; \
	done
	@$(if $(SAN)$(if $(FAST_CH),,none),,$(FAST_RUN))
	@$(if $(SAN)$(if $(FAST_CH),,none),,$(MAKE) --no-print-directory test-fast-chapter)
	@$(if $(SAN),,$(MAKE) --no-print-directory test-mutants)
	@$(MAKE) --no-print-directory test-fuzz-replay
	@$(if $(SAN),,for s in $(TEST_SANITIZERS); do $(MAKE) --no-print-directory test-sanitizer SAN=$$s; done)
	@$(GRADER) table --grades $(GRADES) | sed -n '2,$$p'
	@echo "make test took $$(( $$(date +%s) - $(TEST_T0) )) s"
	@$(GRADER) summary --records $(RECORDS)

# The mutants of every chapter (make mutants): each must be caught by a test
# mapped to its exercise, and every exercise must have one. All of them do not
# fit in make test's time on 2 cores, so it runs a fixed subset: the first
# mutant (by file name) of each design exercise and of every second other
# exercise in the manifest's order (first-per-exercise takes every exercise's
# first, about 8 minutes more for chapters 00-12); `make mutants` runs them all.
TEST_MUTANT_SAMPLE ?= design-and-alternate
test-mutants: tools
	@echo "== mutants: every trap is a patch to the reference that a mapped test must catch $(SINCE_START)"
	@for c in $(CHAPTERS); do \
	  if [ ! -d tests/$$c/mutants ]; then $(GRADER) record --record $(REC) --fail "chapter $$c has mutants (mutants)"; continue; fi; \
	  [ -x $(BUILD)/sol/$$c/test ] || continue; \
	  $(MAKE) --no-print-directory mutants-one C=$$c MUTANT_RECORD=$(REC) MUTANT_SAMPLE=$(TEST_MUTANT_SAMPLE) | grep -v -e '^  CAUGHT' || true; \
	done

# The sanitizer passes of a plain `make test` (one of its honesty checks): the
# graded tests of every chapter against solutions/, built with each sanitizer in
# turn. Stubs and demos are left out: the question is whether the reference is
# clean. `make test SAN=...` instead runs the whole suite under that one.
TEST_SANITIZERS := address,undefined thread
# ThreadSanitizer finds races, which need threads: it checks the chapters whose
# tests start them (a worker, a resolver, a server in a thread, a threadsafe call).
TSAN_CHAPTERS := $(filter 00-% 01-% 03-% 05-% 09-% 10-% 11-% 13-%,$(CHAPTERS))
SANITIZER_CHAPTERS = $(if $(filter thread,$(SAN)),$(TSAN_CHAPTERS),$(CHAPTERS))
test-sanitizer: tools
	@echo "== sanitizers: solutions/ under SAN=$(SAN) (chapters $(foreach c,$(SANITIZER_CHAPTERS),$(firstword $(subst -, ,$c)))) $(SINCE_START)"
	@$(MAKE) --no-print-directory -k -j$(JOBS) $(foreach c,$(SANITIZER_CHAPTERS),$(BUILD)/sol/$c/test) >build/test-build-$(SAN).log 2>&1 \
	  || { grep -E 'error|Error' build/test-build-$(SAN).log | head -40; }
	@for c in $(SANITIZER_CHAPTERS); do \
	  sol=$(BUILD)/sol/$$c/test; \
	  if [ ! -x $$sol ]; then $(GRADER) record --record $(REC) --fail "chapter $$c builds with SAN=$(SAN): see build/test-build-$(SAN).log"; continue; fi; \
	  $(GRADER) check --manifest tests/$$c/manifest --binary $$sol --jobs $(JOBS) --timeout-scale $(TIMEOUT_SCALE) \
	    --quiet --record $(REC) --record-label "solutions, SAN=$(SAN)$(if $(FAST), LOOP=fast)" | grep -v -e '^ *$$' -e '^chapter ' -e '^  grading ' \
	    | sed "s/^  score/  chapter $${c%%-*} score/"; \
	done

# The fast loop as a drop-in (chapter 14, as uvloop passes asyncio's own
# suite): the graded tests of chapters 03-13 against solutions/, built with
# LOOP=fast, and chapter 14's own tests (its row of the grade table), recorded
# in make test's records. Part
# of make test; without debug information, as make test's other extra builds.
FAST_TEST_CHAPTERS = $(filter-out 00-% 01-% 02-%,$(CHAPTERS))
FAST_RUN = $(MAKE) --no-print-directory test-fast-run LOOP=fast CXXFLAGS_sol='$(CXXFLAGS_pristine)'
test-fast: tools
	@$(if $(FAST_CH),,echo "make test-fast: chapter 14 (the fast loop) is missing"; exit 2;) \
	$(FAST_RUN)
test-fast-run:
	@mkdir -p $(RECORDS)
	@echo "== the fast loop: solutions/ with LOOP=fast (chapters $(foreach c,$(FAST_TEST_CHAPTERS),$(call chapter_num,$c))) $(SINCE_START)"
	@$(MAKE) --no-print-directory -k -j$(JOBS) LOOP=fast $(foreach c,$(FAST_TEST_CHAPTERS),$(BUILD)/sol/$c/test) >build/test-build-fast.log 2>&1 \
	  || { grep -E 'error|Error' build/test-build-fast.log | head -40; }
	@for c in $(FAST_TEST_CHAPTERS); do \
	  sol=$(BUILD)/sol/$$c/test; \
	  if [ ! -x $$sol ]; then $(GRADER) record --record $(REC) --fail "chapter $$c builds with LOOP=fast: see build/test-build-fast.log"; continue; fi; \
	  $(GRADER) check --manifest tests/$$c/manifest --binary $$sol --jobs $(JOBS) --timeout-scale $(TIMEOUT_SCALE) \
	    $$([ $$c = "$(FAST_CH)" ] && echo "--grades $(GRADES) --graded solutions/$$c") \
	    --quiet --record $(REC) --record-label "solutions, LOOP=fast" | grep -v -e '^ *$$' -e '^chapter ' -e '^  grading ' \
	    | sed "s/^  score/  chapter $${c%%-*} score/"; \
	done

# Chapter 14's own honesty checks, which the chapter loop of make test cannot
# run: each is a build of its own flavour of the fast loop (chapters 00-05
# under chapter 14's pristine stubs, or its instrumented probe). The stubs
# must fail every graded test; the probe proves the map, the progression and
# the learner's share; every mutant must be caught (all of them: a chapter-14
# mutant recompiles only chapter 14's files). Recorded with make test's.
test-fast-chapter: tools
	@echo "== chapter $(call chapter_num,$(FAST_CH)) (the fast loop): manifest, stubs, map and progression, every mutant $(SINCE_START)"
	@c=$(FAST_CH); n=$(call chapter_num,$(FAST_CH)); \
	$(GRADER) validate --manifest tests/$$c/manifest --binary build/$(COMPILER)-fast/sol/$$c/test --sources solutions/$$c --record $(REC); \
	$(MAKE) --no-print-directory stubs CH=$$n FAST_VARIANT=pristine CXXFLAGS_sol='$(CXXFLAGS_pristine)' STUBS_RECORD=$(REC) >build/test-fast-stubs.log 2>&1 \
	  || { grep -E 'error|FAIL|PASS' build/test-fast-stubs.log | head -20; $(GRADER) record --record $(REC) --fail "chapter $$c stubs build: see build/test-fast-stubs.log"; }; \
	grep -E '^  chapter' build/test-fast-stubs.log; \
	$(MAKE) --no-print-directory probe CH=$$n FAST_VARIANT=probe CXXFLAGS_sol='$(CXXFLAGS_pristine)' PROBE_RECORD=$(REC) 2>&1 | grep -v -e '^  \[' -e '^  CXX' -e '^  LINK' -e '^  PCH' -e 'pragma once' -e '^ *[0-9]* |' -e '^chapter ' -e 'Error 1' || true; \
	$(MAKE) --no-print-directory mutants CH=$$n FAST_VARIANT= MUTANT_RECORD=$(REC) 2>&1 | grep -v -e '^  CAUGHT' -e '^==' -e 'Error 1' || true

# make test, then what does not fit in its hour on 2 cores: the fast loop
# under ASan+UBSan.
test-full: test
	@echo "== make test-full: the fast loop under ASan+UBSan $(SINCE_START)"
	@status=0; \
	$(MAKE) --no-print-directory test-sanitizer SAN=address,undefined LOOP=fast || status=1; \
	$(GRADER) summary --records $(RECORDS) || status=1; exit $$status

# The honesty check alone, for CH (or every chapter): each graded test must
# fail against a fresh generation of the lessons.
stubs: tools
	@$(MAKE_LESSONS) solutions $(PRISTINE) >/dev/null
	@status=0; for c in $(SELECTED); do \
	  $(MAKE) --no-print-directory $(BUILD)/pristine/$$c/test || { status=1; continue; }; \
	  $(GRADER) stubs --manifest tests/$$c/manifest --binary $(BUILD)/pristine/$$c/test \
	    --jobs $(JOBS) --timeout-scale $(TIMEOUT_SCALE) $(if $(STUBS_RECORD),--record $(STUBS_RECORD)) || status=1; \
	done; exit $$status

# The exercise map and the progression of CH (or every chapter), proven on the
# reference with each exercise region instrumented (tests/support/probe.hpp).
probe: tools
	@status=0; for c in $(SELECTED); do \
	  $(MAKE_LESSONS) solutions $(PROBE) --depth probe --chapter $$c >/dev/null || { status=1; continue; }; \
	  $(MAKE) --no-print-directory $(BUILD)/probe/$$c/test || { status=1; continue; }; \
	  $(GRADER) probe --manifest tests/$$c/manifest --binary $(BUILD)/probe/$$c/test \
	    --probe-dir build/probe-runs/$$c --jobs $(JOBS) --timeout-scale $(TIMEOUT_SCALE) \
	    $(if $(PROBE_RECORD),--record $(PROBE_RECORD)) || status=1; \
	  $(GRADER) leaks --manifest tests/$$c/manifest --sources solutions/$$c \
	    --readme solutions/$$c/README.md $(if $(PROBE_RECORD),--record $(PROBE_RECORD)) || status=1; \
	done; exit $$status

# Every trap is graded: each mutant under tests/NN-*/mutants/ is the reference
# with one small patch; the tests mapped to its exercise must fail on it and
# name that exercise (tests/support/tools/mutants.hpp). M=name runs one.
mutants: tools
	@status=0; for c in $(SELECTED); do \
	  [ -d tests/$$c/mutants ] || continue; \
	  $(MAKE) --no-print-directory -j$(JOBS) $(BUILD)/sol/$$c/test >/dev/null || { status=1; continue; }; \
	  echo "== mutants of chapter $$c"; \
	  $(MAKE) --no-print-directory mutants-one C=$$c || status=1; \
	done; exit $$status
# The mutant's files compile without the precompiled header: it would bring
# gtest's headers into library code (std::quoted, found by argument-dependent
# lookup, hid chapter 13's own quoted()).
mutants-one:
	@mkdir -p $(BUILD)/sol/$(C)/lib # a chapter of headers only (14, so far) has no library objects
	@$(GRADER) mutants --manifest tests/$(C)/manifest --sources solutions/$(C) --tests tests/$(C) \
	  --objects $(BUILD)/sol/$(C) --work build/mutants/$(BUILD:build/%=%)/$(C) \
	  --compile "$(CXX) -std=c++20 -pthread -O0 $(WARN_les) $(SANFLAGS)" \
	  --includes "$(INC_sol_$(C)) -Itests/support" \
	  --link-tail "$(foreach d,$(call linked_before,$(C)),$(LIBOBJ_sol_$d)) $(SUPPORT_OBJ) $(if $(filter-out $(FAST_CH),$(C)),$(FAST_ARCHIVE)) $(LDLIBS)" \
	  --jobs $(JOBS) --timeout-scale $(TIMEOUT_SCALE) $(if $(M),--only $(M)) \
	  $(if $(MUTANT_RECORD),--record $(MUTANT_RECORD)) $(if $(MUTANT_SAMPLE),--sample $(MUTANT_SAMPLE))

# `make fuzz`: clang's libFuzzer on chapter 11's request and response parsers
# and json::parse (tests/support/fuzz/), FUZZ_S seconds each, from the seed
# corpus; new inputs stay under build/fuzz. A crash leaves its input there:
# copy it into tests/support/fuzz/corpus/<target>/ (make test replays it) and fix.
FUZZ_S ?= 60
FUZZ_CXX ?= clang++
FUZZ_TARGETS := request response json
FUZZ_CHAPTERS := $(notdir $(wildcard solutions/00-* solutions/11-*))
FUZZ_LIB = $(wildcard $(addprefix solutions/11-http/,http_parser.cpp http_lines.cpp http_message.cpp http_rules.cpp json_parse.cpp json_value.cpp))
FUZZ_INC := $(foreach d,$(call reverse,$(FUZZ_CHAPTERS)),-Isolutions/$d) -Itests/support -Itests/support/fuzz
fuzz:
	@$(if $(wildcard solutions/11-http),,echo "make fuzz: chapter 11 (HTTP) is missing"; exit 2;) \
	mkdir -p build/fuzz; status=0; for t in $(FUZZ_TARGETS); do \
	  echo "== fuzz $$t: $(FUZZ_S) s ($(FUZZ_CXX) -fsanitize=fuzzer,address,undefined)"; \
	  $(FUZZ_CXX) -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	    -DLOOPLAB_FUZZ_TARGET=$$t $(FUZZ_INC) tests/support/fuzz/fuzz_targets.cpp $(FUZZ_LIB) \
	    -o build/fuzz/fuzz-$$t || { status=1; continue; }; \
	  mkdir -p build/fuzz/corpus-$$t; \
	  build/fuzz/fuzz-$$t -max_total_time=$(FUZZ_S) -print_final_stats=1 -max_len=4096 \
	    -artifact_prefix=build/fuzz/crash-$$t- build/fuzz/corpus-$$t tests/support/fuzz/corpus/$$t \
	    >build/fuzz/$$t.log 2>&1 || status=1; \
	  grep -E 'stat::number_of_executed_units|stat::new_units_added' build/fuzz/$$t.log | sed 's/^/  /'; \
	  ls build/fuzz/crash-$$t-* 2>/dev/null | sed 's/^/  FOUND: /'; \
	done; [ $$status = 0 ] && echo "fuzz: no crash" || echo "fuzz: see build/fuzz/*.log and the FOUND inputs"; exit $$status

# make test replays the fuzz corpus with the kit's compiler (no clang needed).
build/fuzz/replay: tests/support/fuzz/fuzz_replay.cpp tests/support/fuzz/fuzz_targets.cpp $(FUZZ_LIB)
	@mkdir -p $(@D)
	$(Q)$(CXX) $(filter-out -MMD -MP,$(CXXFLAGS_BASE)) $(WARN_sol) $(SANFLAGS) $(FUZZ_INC) $^ -o $@
test-fuzz-replay:
	@$(if $(filter 11-%,$(CHAPTERS)),,exit 0;) echo "== the fuzz corpus replayed through the parsers $(SINCE_START)"; \
	if $(MAKE) --no-print-directory build/fuzz/replay >build/fuzz-replay-build.log 2>&1 && \
	  build/fuzz/replay $(foreach t,$(FUZZ_TARGETS),$t=tests/support/fuzz/corpus/$t); \
	then $(GRADER) record --record $(REC) --pass "the fuzz corpus replays without a crash"; \
	else $(GRADER) record --record $(REC) --fail "the fuzz corpus replays without a crash: see build/fuzz-replay-build.log"; fi

ifneq ($(wildcard tests/support/bench/bench.mk),)
include tests/support/bench/bench.mk
else
bench:
	@echo "make bench: tests/support/bench/bench.mk is missing"; exit 2
endif

doctor:
	@tests/support/doctor.sh "$(CXX)"

compdb:
	@tests/support/compdb.sh "$(CXX)" "$(CXXFLAGS_BASE)" $(foreach c,$(CHAPTERS),"$c|$(INC_les_$c)|$(INC_sol_$c)") > compile_commands.json
	@echo "wrote compile_commands.json"

format:
	@clang-format -i $$(find solutions tests -name '*.hpp' -o -name '*.cpp')
	@$(MAKE) --no-print-directory lessons

clean:
	rm -rf build
