# roost: one non-recursive Makefile.  `make`, `make check`, `make install`,
# `make unit`, `make asan-unit`, `make bench`, `make lint`, `make loc`,
# `make vm-check`.

PREFIX     ?= /usr/local
SYSCONFDIR ?= /etc
RUNSTATEDIR ?= /run
BINDIR     ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec
MANDIR     ?= $(PREFIX)/share/man
DATADIR    ?= $(PREFIX)/share
DESTDIR    ?=

CC         ?= cc
PKG_CONFIG ?= pkg-config
B          := build
SHELL      := /bin/bash

PKGS    := libbsd-overlay libcap-ng inih libmnl
DEPCFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS))
DEPLIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS))

WARN := -Wall -Wextra -Werror -Wformat=2 -Wformat-security -Wshadow \
	-Wpointer-arith -Wcast-qual -Wwrite-strings -Wstrict-prototypes \
	-Wmissing-prototypes -Wmissing-declarations -Wold-style-definition \
	-Wredundant-decls -Wnested-externs -Wundef -Wvla -Wnull-dereference \
	-Wimplicit-fallthrough -Wswitch-enum -Wbad-function-cast \
	-Wstrict-overflow=2 -Wduplicated-cond -Wlogical-op -Wjump-misses-init \
	-Wsign-compare -Walloca -Wstack-protector
HARDEN := -O2 -g -fPIE -fstack-protector-strong -fstack-clash-protection \
	-fcf-protection -D_FORTIFY_SOURCE=3 -fno-strict-aliasing -fno-common
LDHARDEN := -pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack -Wl,--as-needed

CFLAGS  ?=
LDFLAGS ?=
ALL_CFLAGS  = -std=gnu11 -D_GNU_SOURCE $(WARN) $(HARDEN) -I$(B) -Ipolicy \
	$(DEPCFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(LDHARDEN) $(LDFLAGS)

POLICY_SRC   := $(wildcard policy/*.c)
HELPER_SRC   := $(wildcard helper/*.c)
FRONTEND_SRC := $(wildcard frontend/*.c)
UNIT_SRC     := $(wildcard tests/unit/*.c)

POLICY_OBJ   := $(POLICY_SRC:%.c=$(B)/%.o)
HELPER_OBJ   := $(HELPER_SRC:%.c=$(B)/%.o)
FRONTEND_OBJ := $(FRONTEND_SRC:%.c=$(B)/%.o)
UNIT_BIN     := $(UNIT_SRC:tests/unit/%.c=$(B)/unit/%)

all: $(B)/roost $(B)/roost-helper

# Compiled-in paths live in one generated header, rewritten only when a path
# changes, so `make install PREFIX=...` rebuilds exactly what embeds them.
$(B)/config.h: FORCE
	@mkdir -p $(B)
	@printf '%s\n' \
	  '#define ROOST_VERSION "0.1.0"' \
	  '#define ROOST_POLICY_PATH "$(SYSCONFDIR)/roost/policy.conf"' \
	  '#define ROOST_HELPER_PATH "$(LIBEXECDIR)/roost/roost-helper"' \
	  '#define ROOST_RUNDIR "$(RUNSTATEDIR)/roost"' \
	  > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(B)/%.o: %.c $(B)/config.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# The helper links libbsd, libcap-ng and inih statically, so no library
# outside the binary runs as root but glibc and libmnl: Debian ships libmnl
# only as a shared library (libmnl-dev has no libmnl.a), so the helper can
# no longer be static-pie (see SECURITY.md).
HELPER_STATIC := libbsd-overlay libcap-ng inih
$(B)/roost-helper: $(HELPER_OBJ) $(POLICY_OBJ)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ \
	  -Wl,-Bstatic $(shell $(PKG_CONFIG) --static --libs $(HELPER_STATIC)) \
	  -Wl,-Bdynamic $(shell $(PKG_CONFIG) --libs libmnl)

# roost too links libbsd and inih statically: resolving their symbols at
# every start (-z now) was an eighth of the time of a roost enter, which
# is to cost no more than nsenter (bench/enter).
$(B)/roost: $(FRONTEND_OBJ) $(POLICY_OBJ)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ \
	  -Wl,-Bstatic $(shell $(PKG_CONFIG) --static --libs libbsd-overlay inih) \
	  -Wl,-Bdynamic $(shell $(PKG_CONFIG) --libs libcap-ng libmnl)

$(B)/unit/%: tests/unit/%.c $(POLICY_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(ALL_LDFLAGS) -o $@ $^ $(DEPLIBS)

unit: $(UNIT_BIN)
	@for t in $(UNIT_BIN); do $$t || exit 1; done

# C unit tests under ASan+UBSan.  These binaries are never installed.
asan-unit:
	$(MAKE) B=build-asan CFLAGS='-O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all' \
	  HARDEN='-g -fPIE' LDFLAGS='-fsanitize=address,undefined' unit

# roost, the front-end (never setuid), under ASan+UBSan, in $(B)-san, for
# the bats suites: `make asan-check` (SUITES= picks some) runs tests/run
# with ROOST_SANITIZE=1, and tests/sandbox builds this and installs it over
# the normal roost.  The helper stays the normal setuid build: a sanitizer
# runtime takes its options and log path from the environment.  The
# options (tests/tools/sanopts.c) are compiled in, reports go to
# SAN_LOG.PID, and tests/run fails if there is any.  With clang: gcc 12's
# separate libubsan ignores log_path next to libasan (its reports would
# only reach stderr), and WARN is gcc's list, checked by the normal build.
SAN_CC     ?= clang
SAN_CFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
SAN_LOG    ?= $(abspath $(B))-san/report
asan-roost:
	@mkdir -p $(B)-san
	$(SAN_CC) -c -o $(B)-san/sanopts.o -DSAN_LOG='"$(SAN_LOG)"' \
	  tests/tools/sanopts.c
	$(MAKE) B=$(B)-san CC=$(SAN_CC) WARN='-Wall -Wextra -Werror' \
	  CFLAGS='$(SAN_CFLAGS)' HARDEN='-O1 -g -fPIE' \
	  LDFLAGS='-fsanitize=address,undefined $(B)-san/sanopts.o' $(B)-san/roost

asan-check: all
	ROOST_SANITIZE=1 tests/run $(SUITES)

check: all unit
	tests/run

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR)/roost/compat \
	  $(DESTDIR)$(SYSCONFDIR)/roost $(DESTDIR)$(MANDIR)/man1 \
	  $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(B)/roost $(DESTDIR)$(BINDIR)/roost
	install -o root -g root -m 4755 $(B)/roost-helper \
	  $(DESTDIR)$(LIBEXECDIR)/roost/roost-helper
	ln -sf ../roost-helper $(DESTDIR)$(LIBEXECDIR)/roost/compat/newuidmap
	ln -sf ../roost-helper $(DESTDIR)$(LIBEXECDIR)/roost/compat/newgidmap
	ln -sf $(BINDIR)/roost $(DESTDIR)$(LIBEXECDIR)/roost/compat/lxc-user-nic
	test -e $(DESTDIR)$(SYSCONFDIR)/roost/policy.conf || \
	  install -o root -g root -m 0644 etc/policy.conf \
	    $(DESTDIR)$(SYSCONFDIR)/roost/policy.conf
	install -m 0644 man/roost.1 $(DESTDIR)$(MANDIR)/man1/roost.1
	install -m 0644 man/roost-policy.5 $(DESTDIR)$(MANDIR)/man5/roost-policy.5
	install -m 0644 man/roost-helper.8 $(DESTDIR)$(MANDIR)/man8/roost-helper.8
	install -d $(DESTDIR)$(DATADIR)/bash-completion/completions
	install -m 0644 completion/roost.bash \
	  $(DESTDIR)$(DATADIR)/bash-completion/completions/roost

# libFuzzer targets (tests/fuzz/fuzz_*.c) over the policy sources (and the
# helper's or the front-end's, below), with ASan+UBSan; each runs
# FUZZ_SECONDS on a copy of its seed corpus and fails on any finding.
# Never installed.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_FLAGS   := -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -D_GNU_SOURCE -Ipolicy $(DEPCFLAGS)

$(B)/fuzz/%: tests/fuzz/fuzz_%.c $(POLICY_SRC) policy/policy.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(POLICY_SRC) $(DEPLIBS)

# The argv, nl and route targets link the helper's code, all but main().
$(B)/fuzz/argv $(B)/fuzz/nl $(B)/fuzz/route: $(B)/fuzz/%: tests/fuzz/fuzz_%.c $(POLICY_SRC) $(HELPER_SRC) \
    helper/helper.h $(B)/config.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Ihelper -I$(B) -o $@ $< \
	  $(POLICY_SRC) $(filter-out helper/main.c,$(HELPER_SRC)) $(DEPLIBS)

# The usernic, rtnl and proc targets link the front-end's code, all but
# main(), compiled once for the three.
FUZZ_FE_OBJ := $(patsubst %.c,$(B)/fuzz/obj/%.o,$(POLICY_SRC) \
	$(filter-out frontend/main.c,$(FRONTEND_SRC)))
$(B)/fuzz/obj/%.o: %.c frontend/roost.h policy/policy.h $(B)/config.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Ifrontend -I$(B) -c -o $@ $<

$(B)/fuzz/usernic $(B)/fuzz/rtnl $(B)/fuzz/proc: $(B)/fuzz/%: \
    tests/fuzz/fuzz_%.c $(FUZZ_FE_OBJ)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Ifrontend -I$(B) -o $@ $< $(FUZZ_FE_OBJ) \
	  $(DEPLIBS)

# One fuzz-NAME per target: `make -j2 fuzz` runs two at once, and with -k
# every target runs even after another's finding.  A finding fails it and
# prints the log (the crash, its stack and the input in Base64); the
# input is also kept as $(B)/fuzz/NAME-crash-*.
fuzz: $(FUZZ_TARGETS:%=fuzz-%)

$(FUZZ_TARGETS:%=fuzz-%): fuzz-%: $(B)/fuzz/%
	@rm -rf $(B)/fuzz/corpus-$* && \
	  cp -r tests/fuzz/corpus/$* $(B)/fuzz/corpus-$*
	@if $(B)/fuzz/$* -max_total_time=$(FUZZ_SECONDS) \
	    -print_final_stats=1 -artifact_prefix=$(B)/fuzz/$*- \
	    $(B)/fuzz/corpus-$* > $(B)/fuzz/$*.log 2>&1; then \
	  echo "fuzz $*: $(FUZZ_SECONDS) s, $$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' \
	    $(B)/fuzz/$*.log) inputs, no finding"; \
	else \
	  echo "fuzz $*: FINDING (or failure); its log:"; \
	  grep -Ev '^#[0-9]+[[:space:]]' $(B)/fuzz/$*.log | sed 's/^/  /'; \
	  exit 1; \
	fi

.PHONY: $(FUZZ_TARGETS:%=fuzz-%)

# Static analysis (SECURITY.md): cppcheck, clang-tidy, gcc -fanalyzer and
# scan-build over helper/, policy/ and frontend/, in build-analyze; fails on
# any finding not suppressed with its reason (tests/analyze/*.supp).
analyze:
	tests/analyze/run build-analyze

# valgrind memcheck over the unit tests and the helper's operations that
# run without the setuid bit, as root in tests/sandbox.
valgrind:
	tests/analyze/valgrind

# mandoc does not flag a .Sm off left open: every word after it runs
# together, to the end of the page (issue 18).  So each .Sm off must be
# closed by a .Sm on before the next .Sm off and before the end.
MANPAGES := man/roost.1 man/roost-helper.8 man/roost-policy.5
lint:
	mandoc -Tlint -Wwarning $(MANPAGES)
	@awk 'function shut() { if (open) { print file ":" open ": .Sm off never turned on"; bad = 1 } open = 0 } \
	    FNR == 1 { shut(); file = FILENAME } \
	    /^\.Sm off/ { if (open) { print FILENAME ":" FNR ": .Sm off inside .Sm off"; bad = 1 } open = FNR } \
	    /^\.Sm on/ { open = 0 } \
	    END { shut(); exit bad }' $(MANPAGES)

# The privileged part's size (SECURITY.md, invariant 7): non-blank lines of
# helper/ + policy/ against LOC_BUDGET, of each helper/op_*.c against
# LOC_OP_BUDGET; fails if either is exceeded (tests/020-surface.bats).
LOC_BUDGET    := 3000
LOC_OP_BUDGET := 400
loc:
	@st=0; n=$$(cat helper/*.[ch] policy/*.[ch] | grep -cv '^[[:space:]]*$$'); \
	echo "helper/ + policy/: $$n of $(LOC_BUDGET)"; \
	test "$$n" -le $(LOC_BUDGET) || st=1; \
	for f in helper/op_*.c; do \
	  n=$$(grep -cv '^[[:space:]]*$$' "$$f"); \
	  echo "$$f: $$n of $(LOC_OP_BUDGET)"; \
	  test "$$n" -le $(LOC_OP_BUDGET) || st=1; \
	done; \
	if [ $$st -ne 0 ]; then echo "loc: over budget" >&2; fi; exit $$st

bench: all
	bench/run

# The Debian package (debian/), built by dpkg-buildpackage in a copy of
# the tree under $(B)/deb, so the tree stays clean; the .deb lands in
# $(B)/deb.  Needs debhelper, dpkg-dev and fakeroot.  Not part of check.
deb:
	rm -rf $(B)/deb && mkdir -p $(B)/deb/roost
	tar -c --exclude='./build*' --exclude=./.git --exclude=./.lead \
	  --exclude=./tests/.tmp -f - . | tar -x -C $(B)/deb/roost -f -
	cd $(B)/deb/roost && dpkg-buildpackage -us -uc -b
	@ls $(B)/deb/*.deb

# The VM tier (tests/vm/README.md): the package in a Debian 12 guest under
# qemu, as root; the guest image is cached in $(ROOST_VM_CACHE) or
# /var/cache/roost-vm.  Also the last tier of scripts/test.
vm-check:
	tests/vm/run

clean:
	rm -rf build build-asan build-san build-analyze

FORCE:
.PHONY: all unit asan-unit asan-roost asan-check check install lint loc bench fuzz deb vm-check analyze valgrind clean FORCE

-include $(POLICY_OBJ:.o=.d) $(HELPER_OBJ:.o=.d) $(FRONTEND_OBJ:.o=.d)
