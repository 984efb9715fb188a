# roost: one non-recursive Makefile.  `make`, `make check`, `make install`,
# `make unit`, `make asan-unit`, `make bench`, `make lint`.

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

# libFuzzer targets (tests/fuzz/fuzz_*.c) over the policy sources, with
# ASan+UBSan; each runs FUZZ_SECONDS on a copy of its seed corpus and fails
# on any finding.  Never installed.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_FLAGS   := -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -D_GNU_SOURCE -Ipolicy $(DEPCFLAGS)

$(B)/fuzz/%: tests/fuzz/fuzz_%.c $(POLICY_SRC) policy/policy.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(POLICY_SRC) $(DEPLIBS)

# The argv and nl targets link the helper's code, all but main().
$(B)/fuzz/argv $(B)/fuzz/nl: $(B)/fuzz/%: tests/fuzz/fuzz_%.c $(POLICY_SRC) $(HELPER_SRC) \
    helper/helper.h $(B)/config.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Ihelper -I$(B) -o $@ $< \
	  $(POLICY_SRC) $(filter-out helper/main.c,$(HELPER_SRC)) $(DEPLIBS)

fuzz: $(FUZZ_TARGETS:%=$(B)/fuzz/%)
	@for t in $(FUZZ_TARGETS); do \
	  rm -rf $(B)/fuzz/corpus-$$t && \
	  cp -r tests/fuzz/corpus/$$t $(B)/fuzz/corpus-$$t && \
	  echo "fuzz $$t: $(FUZZ_SECONDS) s" && \
	  $(B)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=$(B)/fuzz/$$t- $(B)/fuzz/corpus-$$t \
	    2>&1 | grep -E '^(stat::number_of_executed_units|==|SUMMARY|.*ERROR)' ; \
	  test $${PIPESTATUS[0]} -eq 0 || exit 1; \
	done

# Static analysis (SECURITY.md): cppcheck, clang-tidy, gcc -fanalyzer and
# scan-build over helper/, policy/ and frontend/, in build-analyze; fails on
# any finding not suppressed with its reason (tests/analyze/*.supp).
analyze:
	tests/analyze/run build-analyze

# valgrind memcheck over the unit tests and the helper's operations that
# run without the setuid bit, as root in tests/sandbox.
valgrind:
	tests/analyze/valgrind

lint:
	mandoc -Tlint -Wwarning man/roost.1 man/roost-helper.8 man/roost-policy.5

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

clean:
	rm -rf build build-asan build-analyze

FORCE:
.PHONY: all unit asan-unit check install lint bench fuzz deb analyze valgrind clean FORCE

-include $(POLICY_OBJ:.o=.d) $(HELPER_OBJ:.o=.d) $(FRONTEND_OBJ:.o=.d)
