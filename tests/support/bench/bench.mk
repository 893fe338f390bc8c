# `make bench`: the standard workloads (tests/support/bench/README.md) at -O2,
# each against its raw baseline, in one binary: build/bench/bench.
#
# Included by the top Makefile; also works alone:
#   make -f tests/support/bench/bench.mk bench
#   make bench STACK=mine            your lessons/ for every chapter instead of solutions/
#   make bench BENCH_ARGS="B1 B7"    only those workloads
#   make bench CXX=clang++
#   make bench BENCH_LOOPS=reference  the reference loop only (no fast loop)
#   make bench BENCH_VIEW=chart       bars before the table (make demo CH=14 uses it)
#
# Two binaries run the same workloads: build/bench/bench on the reference loop,
# and build/bench/bench-fast on chapter 14's fast loop (chapter 14's folder
# first on the include path, its .cpp files instead of the same-named ones of
# chapters 03-05, as LOOP=fast builds the chapters). The fast one skips the raw
# baselines; one table then shows both loops beside the same baselines.
#
# Every variable here starts with BENCH_ (the top Makefile owns the rest; CXX
# and STACK are read, never set). Chapters that do not exist yet are simply
# not linked: each workload then prints `RESULT <id> looplab skipped=<reason>`.

BENCH_ARGS ?=
BENCH_FROM := $(if $(filter mine,$(STACK)),lessons,solutions)
# Chapters 00..05 oldest first, up to the first one missing: a chapter builds
# on every earlier one, so a gap ends the stack. The include path takes them
# newest first, as the kit's build does.
BENCH_dir = $(patsubst %/,%,$(wildcard $(BENCH_FROM)/$1-*/))
BENCH_prefix = $(if $(and $1,$(call BENCH_dir,$(firstword $1))),$(call BENCH_dir,$(firstword \
    $1)) $(call BENCH_prefix,$(wordlist 2,$(words $1),$1)))
BENCH_CHAPTERS := $(strip $(call BENCH_prefix,00 01 02 03 04 05))
# Chapters 06-09 each join once they exist, on a complete 00-05 (they build on
# 00-05, and 08 on 07, not on 06): B5 needs 07 and 08 only, B4 needs 09 and 10.
BENCH_LATER := $(foreach c,06 07 08 09,$(call BENCH_dir,$c))
# Chapter 10 builds on 09 as well (open_connection resolves on the executor).
BENCH_LATER += $(if $(call BENCH_dir,09),$(call BENCH_dir,10))
# Chapter 11 (HTTP, B8) builds on 10.
BENCH_LATER += $(if $(call BENCH_dir,10),$(call BENCH_dir,11))
BENCH_CHAPTERS += $(if $(filter %/05-coroutines,$(BENCH_CHAPTERS)),$(BENCH_LATER))
BENCH_reverse = $(if $1,$(call BENCH_reverse,$(wordlist 2,$(words $1),$1)) $(firstword $1))
BENCH_INCLUDES := $(foreach d,$(call BENCH_reverse,$(BENCH_CHAPTERS)),-I$d) -Itests/support

BENCH_SRC := $(wildcard tests/support/bench/*.cpp) tests/support/slow_server.cpp \
             $(filter-out %/demo.cpp,$(wildcard $(addsuffix /*.cpp,$(BENCH_CHAPTERS))))
# Objects per (compiler, source set), so switching either never mixes them.
BENCH_OBJDIR := build/bench/obj/$(notdir $(firstword $(CXX)))-$(BENCH_FROM)
BENCH_OBJ := $(patsubst %.cpp,$(BENCH_OBJDIR)/%.o,$(BENCH_SRC))

# The reference builds clean with -Werror; a learner's lessons need not.
BENCH_WARN := -Wall -Wextra $(if $(filter lessons,$(BENCH_FROM)),-Wno-unused-parameter,-Werror)
BENCH_CXXFLAGS := -std=c++20 -O2 -DNDEBUG -pthread $(BENCH_WARN) -MMD -MP

# The fast loop, when chapter 14 is there (and not turned off).
BENCH_LOOPS ?= reference fast
BENCH_FAST_DIR := $(if $(filter fast,$(BENCH_LOOPS)),$(patsubst %/,%,$(wildcard $(BENCH_FROM)/14-*/)))
BENCH_FAST_CPP := $(filter-out %/demo.cpp,$(wildcard $(BENCH_FAST_DIR)/*.cpp))
BENCH_FAST_SRC := $(filter-out $(addprefix %/,$(notdir $(BENCH_FAST_CPP))),$(BENCH_SRC)) $(BENCH_FAST_CPP)
BENCH_FAST_OBJDIR := $(BENCH_OBJDIR)-fast
BENCH_FAST_OBJ := $(patsubst %.cpp,$(BENCH_FAST_OBJDIR)/%.o,$(BENCH_FAST_SRC))
BENCH_FAST_BIN := $(if $(BENCH_FAST_DIR),$(BENCH_FAST_OBJDIR)/bench)

.PHONY: bench
ifeq ($(BENCH_CHAPTERS),)
BENCH_MISSING_HINT := $(if $(filter lessons,$(BENCH_FROM)),\
    (STACK=mine measures lessons/: run make lessons first))
bench:
	@echo "make bench: $(BENCH_FROM)/00-sync-vs-async is missing$(BENCH_MISSING_HINT)"; exit 2
else
bench: $(BENCH_OBJDIR)/bench $(BENCH_FAST_BIN)
	@cp -f $< build/bench/bench
	@echo "  RUN   build/bench/bench $(BENCH_ARGS)  (the reference loop: $(BENCH_FROM) with $(CXX) -O2)"
	@build/bench/bench --no-table $(BENCH_ARGS) | tee build/bench/reference.txt
	@$(if $(BENCH_FAST_BIN),cp -f $(BENCH_FAST_BIN) build/bench/bench-fast; \
	  echo "  RUN   build/bench/bench-fast $(BENCH_ARGS)  (the fast loop: $(BENCH_FAST_DIR) with $(CXX) -O2)"; \
	  build/bench/bench-fast --no-table $(BENCH_ARGS) | tee build/bench/fast.txt)
	@build/bench/bench $(if $(filter chart,$(BENCH_VIEW)),--chart,--table) build/bench/reference.txt $(if $(BENCH_FAST_BIN),build/bench/fast.txt)
endif

$(BENCH_FAST_OBJDIR)/bench: $(BENCH_FAST_OBJ)
	@echo "  LINK  $@"
	@$(CXX) -pthread $(BENCH_FAST_OBJ) -o $@

$(BENCH_OBJDIR)/bench: $(BENCH_OBJ)
	@echo "  LINK  $@"
	@$(CXX) -pthread $(BENCH_OBJ) -o $@

# A workload compiles its looplab side only where __has_include finds the
# chapter's header, and a header that was missing leaves no trace in the -MMD
# dependencies. So the workloads also depend on the list of the stack's headers,
# a file rewritten only when that list changes (a header appears or goes).
BENCH_HEADERS := $(sort $(wildcard $(addsuffix /*.hpp,$(BENCH_CHAPTERS))))
BENCH_HEADER_LIST := $(BENCH_OBJDIR)/headers.list
$(filter $(BENCH_OBJDIR)/tests/support/bench/%,$(BENCH_OBJ)): $(BENCH_HEADER_LIST)
$(BENCH_HEADER_LIST): bench-check-headers
	@mkdir -p $(@D)
	@echo '$(BENCH_HEADERS)' | cmp -s - $@ || echo '$(BENCH_HEADERS)' > $@
.PHONY: bench-check-headers
bench-check-headers:

$(BENCH_OBJDIR)/%.o: %.cpp
	@mkdir -p $(@D)
	@echo "  CXX   $< (bench, -O2)"
	@$(CXX) $(BENCH_CXXFLAGS) $(BENCH_INCLUDES) -c $< -o $@

$(BENCH_FAST_OBJDIR)/%.o: %.cpp
	@mkdir -p $(@D)
	@echo "  CXX   $< (bench, fast loop, -O2)"
	@$(CXX) $(BENCH_CXXFLAGS) -DLOOPLAB_BENCH_LOOP='"fast"' -I$(BENCH_FAST_DIR) $(BENCH_INCLUDES) -c $< -o $@
$(filter $(BENCH_FAST_OBJDIR)/tests/support/bench/%,$(BENCH_FAST_OBJ)): $(BENCH_HEADER_LIST)

-include $(BENCH_OBJ:.o=.d) $(BENCH_FAST_OBJ:.o=.d)
