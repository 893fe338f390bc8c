# `make bench`: the standard workloads (tests/support/bench/README.md) at -O2,
# each against its raw baseline, in one binary: build/bench/bench.
#
# Included by the top Makefile; also works alone:
#   make -f tests/support/bench/bench.mk bench
#   make bench STACK=mine            your lessons/ for every chapter instead of solutions/
#   make bench BENCH_ARGS="B1 B7"    only those workloads
#   make bench CXX=clang++
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

.PHONY: bench
ifeq ($(BENCH_CHAPTERS),)
BENCH_MISSING_HINT := $(if $(filter lessons,$(BENCH_FROM)),\
    (STACK=mine measures lessons/: run make lessons first))
bench:
	@echo "make bench: $(BENCH_FROM)/00-sync-vs-async is missing$(BENCH_MISSING_HINT)"; exit 2
else
bench: $(BENCH_OBJDIR)/bench
	@cp -f $< build/bench/bench
	@echo "  RUN   build/bench/bench $(BENCH_ARGS)  ($(BENCH_FROM) with $(CXX) -O2)"
	@build/bench/bench $(BENCH_ARGS)
endif

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

-include $(BENCH_OBJ:.o=.d)
