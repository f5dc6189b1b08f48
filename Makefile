# smtpd: build, run, test, install. This file only wraps dotnet, apt-get and install(1).
#
#   make build      Native-AOT publish into build/ (build/smtpd; smtpctl, sendmail, mailq,
#                   makemap, newaliases -> smtpd); a PIE, PIE=0 builds a fixed-address executable
#   make run        build, then run a private instance in the foreground from ./var/
#   make test       install test tools (as root), build, run the xunit tests
#   make fuzz       coverage-guided afl++ over one parser (FUZZ_TARGET=smtp-command, FUZZ_SECONDS=600)
#   make chaos      the crash campaign, CHAOS_ROUNDS=1000 rounds of kill -9 under load
#   make bench      run tests/Bench (BENCH_ARGS=all by default: IPC and config benchmarks), then
#                   the mail-path benchmark against OpenSMTPD and Postfix (root; BENCH_MAIL=0 skips it)
#   make install    DESTDIR=... PREFIX=/usr by default
#   make deb        Debian package (dpkg-buildpackage -b -us -uc) into build/packages/
#   make rpm        RPM package (rpmbuild -bb rpm.spec) into build/packages/
#   make package-test  as root: build both packages, check them, install the .deb on this machine
#   make repro-test build the .deb twice from HEAD, in two directories: the packages must be identical
#   make clean
#
# As root on Debian, missing build and test packages are installed with apt-get; as any other
# user the Makefile names what is missing and stops. SKIP_DEPS=1 skips those checks.

SHELL        := /bin/bash
.SHELLFLAGS  := -eu -o pipefail -c
.DEFAULT_GOAL := all

DOTNET       ?= dotnet
CONFIGURATION ?= Release
BUILD_DIR    := build
SMTPD_BIN    := $(abspath $(BUILD_DIR)/smtpd)
TEST_PROJECT := tests/smtpd.Tests.csproj
BENCH_PROJECT := tests/Bench/smtpd.Bench.csproj
BENCH_ARGS   ?= all
# The mail-path benchmark (tests/Bench/mailpath.sh: ours vs OpenSMTPD and Postfix through
# ../shared/bench, inbound to Maildir, ~5 min). auto = run it as root, skip it with a note
# otherwise; 1 = run it or fail; 0 = skip. Its size: MAIL_N, MAIL_C, MAIL_RUNS (see the script).
BENCH_MAIL   ?= auto
BENCH_MAIL_SCRIPT := tests/Bench/mailpath.sh
TEST_ARGS    ?=
TEST_LOG     := $(BUILD_DIR)/test.log

# `make run` instance: everything under ./var, nothing outside the tree.
VAR          := $(abspath var)
RUN_PORT     ?= 2525
RUN_FLAGS    ?= -d
RUN_ARGS      = $(RUN_FLAGS) -f $(VAR)/smtpd.conf --queue-dir $(VAR)/spool \
                --socket $(VAR)/run/smtpd.sock --empty-dir $(VAR)/empty
# When make runs as root through sudo, the instance runs as the invoking user (unprivileged
# mode). RUN_AS=root forces the privileged mode (chroot, _smtpd/_smtpq); RUN_AS=name picks a user.
RUN_AS       ?= $(if $(filter-out root,$(SUDO_USER)),$(SUDO_USER),root)
# In the privileged mode the Maildirs under var/ are written as _smtpd (`user`), so that mail
# to root works too: like OpenSMTPD, smtpd delivers to no maildir as root itself.
RUN_DELIVERY_USER = $(if $(and $(filter yes,$(IS_ROOT)),$(filter root,$(RUN_AS))), user "$(SMTPD_USER)")

# Installation. PREFIX=/usr matches what the packages install; override for /usr/local.
PREFIX       ?= /usr
DESTDIR      ?=
SBINDIR      ?= $(PREFIX)/sbin
BINDIR       ?= $(PREFIX)/bin
LIBDIR       ?= $(PREFIX)/lib
MANDIR       ?= $(PREFIX)/share/man
PAMDIR       ?= /etc/pam.d
SMTPD_USER   := _smtpd
SMTPQ_USER   := _smtpq
SPOOL_DIR    := /var/spool/smtpd
EMPTY_DIR    := /var/empty
COMPAT_LINKS := sendmail mailq newaliases makemap smtp
# Where `make install` puts the compatibility names, as Debian's MTAs do: "dir/name -> target"
# (targets relative to the link's directory).
INSTALL_LINKS := $(SBINDIR)/sendmail:smtpctl $(SBINDIR)/makemap:smtpctl \
                 $(BINDIR)/mailq:$(SBINDIR)/smtpctl $(BINDIR)/newaliases:$(SBINDIR)/smtpctl \
                 $(LIBDIR)/sendmail:$(SBINDIR)/sendmail $(BINDIR)/smtp:$(SBINDIR)/smtpctl
PACKAGES_DIR := $(BUILD_DIR)/packages
VERSION      := $(shell sed -n '1s/.*(\(.*\)).*/\1/p' debian/changelog)
# Reproducible packages: file times in the .deb and .rpm (and in gzip'd man pages) are those of
# the last commit, whoever builds and whenever (a value from the environment wins).
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null)
ifneq ($(SOURCE_DATE_EPOCH),)
export SOURCE_DATE_EPOCH
endif

# Packages as "debian-package:probe[|probe...]": a probe is a command on PATH or an absolute
# path; the package counts as present when any probe succeeds.
# Native AOT links with clang (gcc is accepted too) and needs zlib's headers (aka.ms/nativeaot-prerequisites).
BUILD_PKGS   := 'clang:clang|gcc' 'zlib1g-dev:/usr/include/zlib.h'
# Tools the end-to-end tests drive: ps, python3 smtplib, setpriv/unshare, and real peers (swaks, Dovecot's LMTP server),
# plus the libraries the db: and sqlite: table backends load at run time, and PAM (AUTH of system users).
TEST_PKGS    := 'procps:ps' 'systemd:systemd-analyze' 'python3:python3' 'util-linux:setpriv' 'faketime:faketime' 'swaks:swaks' \
                'unbound:/usr/sbin/unbound' 'ldnsutils:ldns-signzone' 'iproute2:ip' 'openssl:openssl' 'libssl3:/usr/lib/x86_64-linux-gnu/libssl.so.3|/usr/lib/aarch64-linux-gnu/libssl.so.3' \
                'python3-dkim:/usr/lib/python3/dist-packages/dkim/__init__.py' 'opensmtpd-filter-dkimsign:/usr/libexec/opensmtpd/filter-dkimsign' \
                'opensmtpd-filter-senderscore:/usr/libexec/opensmtpd/filter-senderscore' \
                'dovecot-lmtpd:/usr/lib/dovecot/lmtp' 'libdb5.3:/usr/lib/x86_64-linux-gnu/libdb-5.3.so' \
                'libsqlite3-0:/usr/lib/x86_64-linux-gnu/libsqlite3.so.0|/usr/lib/aarch64-linux-gnu/libsqlite3.so.0' \
                'libpam0g:/usr/lib/x86_64-linux-gnu/libpam.so.0|/usr/lib/aarch64-linux-gnu/libpam.so.0' 'libpam-runtime:/etc/pam.d/common-auth'

IS_ROOT      := $(shell [ "$$(id -u)" = 0 ] && echo yes)

# $(call ensure_pkgs,SPECS): install what is missing (root, apt-get, one update) or name it and fail.
define ensure_pkgs
if [ -z "$${SKIP_DEPS:-}" ]; then \
  missing=""; \
  for spec in $(1); do \
    pkg=$${spec%%:*}; found=""; \
    IFS='|' read -r -a probes <<< "$${spec#*:}"; \
    for p in "$${probes[@]}"; do \
      case $$p in /*) [ -e "$$p" ] && found=1 ;; *) command -v "$$p" >/dev/null 2>&1 && found=1 ;; esac; \
    done; \
    [ -n "$$found" ] || missing="$$missing $$pkg"; \
  done; \
  if [ -n "$$missing" ]; then \
    if [ "$(IS_ROOT)" = yes ] && command -v apt-get >/dev/null 2>&1; then \
      echo "==> installing:$$missing"; \
      export DEBIAN_FRONTEND=noninteractive; \
      apt-get update -qq; \
      apt-get install -y -qq --no-install-recommends $$missing; \
    else \
      echo "error: missing packages:$$missing" >&2; \
      echo "       install them as root: apt-get install$$missing" >&2; \
      echo "       (or run make as root, which installs them; SKIP_DEPS=1 skips this check)" >&2; \
      exit 1; \
    fi; \
  fi; \
fi
endef

.PHONY: all build build-deps test-deps run test bench fuzz chaos install install-users clean check-dotnet deb rpm package-test repro-test

all: build

check-dotnet:
	@command -v $(DOTNET) >/dev/null 2>&1 || { \
	  echo "error: '$(DOTNET)' not found: install the .NET SDK (9 or newer), see https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2; \
	  exit 1; }

build-deps:
	@$(call ensure_pkgs,$(BUILD_PKGS))

# Build and test tools in one apt-get transaction, so a fresh machine runs apt-get update once.
test-deps:
	@$(call ensure_pkgs,$(BUILD_PKGS) $(TEST_PKGS))

# dotnet decides what is out of date, so this target always asks it. STRIP_SYMBOLS=false (debian/
# rules) keeps the DWARF in build/smtpd; that executable is linked into a directory of its own,
# since the link is incremental on its inputs, not on whether it was stripped.
build: check-dotnet build-deps
	$(DOTNET) publish smtpd.csproj -c $(CONFIGURATION) -o $(BUILD_DIR) -nologo $(if $(PIE),-p:PIE=$(PIE)) \
	  $(if $(STRIP_SYMBOLS),-p:StripSymbols=$(STRIP_SYMBOLS) -p:NativeOutputPath=obj/native-strip-$(STRIP_SYMBOLS)$(PIE)/)
	for l in smtpctl $(COMPAT_LINKS); do ln -sfn smtpd $(BUILD_DIR)/$$l; done
	@echo "==> built $(BUILD_DIR)/smtpd and $(BUILD_DIR)/smtpctl"

# A private instance on 127.0.0.1:$(RUN_PORT); mail for local users goes to var/mail/USER/Maildir.
# smtpctl talks to it with: SMTPD_SOCKET=var/run/smtpd.sock build/smtpctl show status
run: build
	@mkdir -p $(VAR)/spool $(VAR)/run $(VAR)/empty $(VAR)/mail
	@if [ ! -e $(VAR)/smtpd.conf ]; then \
	  { echo '# Written by make run; edit freely, make run keeps it.'; \
	    echo 'listen on 127.0.0.1 port $(RUN_PORT)'; \
	    echo ''; \
	    echo 'action "local" maildir "$(VAR)/mail/%{user.username}/Maildir"$(RUN_DELIVERY_USER)'; \
	    echo ''; \
	    echo 'match from any for local action "local"'; \
	    echo 'match from local for any action "local"'; \
	  } > $(VAR)/smtpd.conf; \
	  echo "==> wrote $(VAR)/smtpd.conf"; \
	fi
	@echo "==> smtpd on 127.0.0.1:$(RUN_PORT), state in $(VAR); stop with Ctrl-C"
	@echo "    control: SMTPD_SOCKET=$(VAR)/run/smtpd.sock $(BUILD_DIR)/smtpctl show status"
	@echo "    mail:    SMTPD_SOCKET=$(VAR)/run/smtpd.sock $(BUILD_DIR)/sendmail -i user@localhost < message"
	@if [ "$(IS_ROOT)" != yes ]; then \
	  exec $(SMTPD_BIN) $(RUN_ARGS); \
	elif [ "$(RUN_AS)" = root ]; then \
	  echo "==> running as root: privileged mode (roles chroot and drop to $(SMTPD_USER)/$(SMTPQ_USER))"; \
	  $(MAKE) --no-print-directory install-users DESTDIR=; \
	  chown root:root $(VAR)/empty; chmod 0755 $(VAR)/empty; \
	  chown $(SMTPD_USER) $(VAR)/mail; \
	  exec $(SMTPD_BIN) $(RUN_ARGS); \
	else \
	  echo "==> running as $(RUN_AS) (unprivileged mode)"; \
	  chown -R "$(RUN_AS):" $(VAR); \
	  exec runuser -u "$(RUN_AS)" -- $(SMTPD_BIN) $(RUN_ARGS); \
	fi

# Runs every test; end-to-end tests use the AOT binary through SMTPD_BIN, privilege tests run
# only as root. The suite runs twice: as is, then under libfaketime with the clock moved
# $(TEST_SHIFT) ahead and TZ=$(TEST_SHIFT_TZ) (and, as root, in a UTS namespace whose host name is
# $(TEST_SHIFT_HOST)), so a test that depends on the day, the date, the time zone or the machine's
# name fails on every day in one of the two runs (TEST_SHIFT= skips the second run).
# The last line is "N passed, N failed[, N skipped]" over both runs, for CI.
TEST_SHIFT    ?= +3d
TEST_SHIFT_TZ ?= America/St_Johns
TEST_SHIFT_HOST ?= shifted-host.test
test: check-dotnet test-deps build
	@rc=0; \
	SMTPD_BIN=$(SMTPD_BIN) $(DOTNET) test $(TEST_PROJECT) -c $(CONFIGURATION) -nologo $(TEST_ARGS) 2>&1 \
	  | tee $(TEST_LOG) || rc=$$?; \
	if [ -n "$(TEST_SHIFT)" ]; then \
	  uts=""; [ "$(IS_ROOT)" = yes ] && unshare --uts true 2>/dev/null && uts="unshare --uts"; \
	  echo "==> the suite again, clock moved $(TEST_SHIFT), TZ=$(TEST_SHIFT_TZ)$${uts:+, host name $(TEST_SHIFT_HOST)}"; \
	  TZ=$(TEST_SHIFT_TZ) SMTPD_BIN=$(SMTPD_BIN) $$uts sh -c '[ -z "$$1" ] || hostname "$$1"; shift; exec "$$@"' sh "$${uts:+$(TEST_SHIFT_HOST)}" \
	    faketime -f '$(TEST_SHIFT)' $(DOTNET) test $(TEST_PROJECT) -c $(CONFIGURATION) -nologo --no-build $(TEST_ARGS) 2>&1 \
	    | tee -a $(TEST_LOG) || rc=$$?; \
	fi; \
	counts=$$(sed -E 's/\x1b\[[0-9;]*m//g' $(TEST_LOG) | awk ' \
	  /(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+/ { \
	    line = $$0; gsub(/,/, " ", line); n = split(line, w, " "); \
	    for (i = 1; i < n; i++) { \
	      if (w[i] == "Failed:") f += w[i+1]; \
	      else if (w[i] == "Passed:") p += w[i+1]; \
	      else if (w[i] == "Skipped:") s += w[i+1]; } \
	    seen += 1 } \
	  END { printf "%d %d %d %d\n", p, f, s, seen }'); \
	read -r passed failed skipped seen <<< "$$counts"; \
	expected=$$([ -n "$(TEST_SHIFT)" ] && echo 2 || echo 1); \
	if [ "$$rc" != 0 ] && [ "$$failed" = 0 ]; then \
	  echo "error: dotnet test exited with status $$rc but reported no failed test (build error or crashed test host); counting it as 1 failure" >&2; \
	  failed=1; \
	elif [ "$$seen" != "$$expected" ]; then \
	  echo "error: $$seen test summaries found in $(TEST_LOG), expected $$expected" >&2; \
	  failed=1; \
	fi; \
	echo "$$passed passed, $$failed failed, $$skipped skipped"; \
	[ "$$failed" = 0 ] && [ "$$rc" = 0 ]

# Coverage-guided fuzzing of one parser (tests/Fuzz/Targets: smtp-command smtp-data config
# envelope imsg control filter-protocol table aliases forward resolver-files): SharpFuzz
# instruments smtpd.dll in the fuzz project's output, afl++ runs it for FUZZ_SECONDS from the
# seed corpus tests/Fuzz/corpus/TARGET. Findings land in build/fuzz/TARGET (default/crashes:
# replay one with `dotnet build/fuzz/bin/smtpd.Fuzz.dll TARGET FILE`); copy new interesting
# inputs (default/queue) into the corpus, and `make test` replays them from then on.
FUZZ_TARGET  ?= smtp-command
FUZZ_SECONDS ?= 600
FUZZ_PROJECT := tests/Fuzz/smtpd.Fuzz.csproj
FUZZ_OUT     := $(abspath $(BUILD_DIR)/fuzz)
FUZZ_PKGS    := 'afl++:afl-fuzz'
SHARPFUZZ    ?= $(HOME)/.dotnet/tools/sharpfuzz
fuzz: check-dotnet
	@$(call ensure_pkgs,$(FUZZ_PKGS))
	@[ -x "$(SHARPFUZZ)" ] || $(DOTNET) tool install --global SharpFuzz.CommandLine --version 2.3.0
	@[ -d tests/Fuzz/corpus/$(FUZZ_TARGET) ] || { echo "error: no corpus tests/Fuzz/corpus/$(FUZZ_TARGET)" >&2; exit 1; }
	$(DOTNET) build $(FUZZ_PROJECT) -c $(CONFIGURATION) -nologo -o $(FUZZ_OUT)/bin
	$(SHARPFUZZ) $(FUZZ_OUT)/bin/smtpd.dll
	mkdir -p $(FUZZ_OUT)/$(FUZZ_TARGET)
	AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
	  afl-fuzz -i tests/Fuzz/corpus/$(FUZZ_TARGET) -o $(FUZZ_OUT)/$(FUZZ_TARGET) -V $(FUZZ_SECONDS) -t 10000 -m none \
	  -- $(DOTNET) $(FUZZ_OUT)/bin/smtpd.Fuzz.dll $(FUZZ_TARGET) || true
	@stats=$(FUZZ_OUT)/$(FUZZ_TARGET)/default/fuzzer_stats; \
	  [ -f $$stats ] || { echo "error: afl-fuzz wrote no statistics" >&2; exit 1; }; \
	  execs=$$(awk -F' *: *' '$$1=="execs_done"{print $$2}' $$stats); \
	  corpus=$$(awk -F' *: *' '$$1=="corpus_count"{print $$2}' $$stats); \
	  crashes=$$(ls $(FUZZ_OUT)/$(FUZZ_TARGET)/default/crashes 2>/dev/null | grep -vc README || true); \
	  echo "fuzz $(FUZZ_TARGET): $$execs executions, corpus $$corpus inputs, $$crashes crashes"; \
	  [ "$$crashes" = 0 ]

# The crash campaign at length: CHAOS_ROUNDS rounds of SIGKILL (a role or the whole tree) under
# load, then every acknowledged message is checked in the mailbox (tests/Chaos/CrashCampaign.cs).
CHAOS_ROUNDS ?= 1000
chaos: check-dotnet test-deps build
	CHAOS_ROUNDS=$(CHAOS_ROUNDS) SMTPD_BIN=$(SMTPD_BIN) $(DOTNET) test $(TEST_PROJECT) -c $(CONFIGURATION) -nologo \
	  --filter "FullyQualifiedName~Smtpd.Tests.Chaos.CrashCampaignTests" --logger "console;verbosity=detailed"

bench: check-dotnet build
	@if [ ! -f $(BENCH_PROJECT) ]; then \
	  echo "error: $(BENCH_PROJECT) does not exist yet" >&2; exit 1; fi
	SMTPD_BIN=$(SMTPD_BIN) $(DOTNET) run -c $(CONFIGURATION) --project $(BENCH_PROJECT) -- $(BENCH_ARGS)
	@if [ "$(BENCH_MAIL)" = 0 ]; then \
	  echo "note: mail-path benchmark skipped (BENCH_MAIL=0)"; \
	elif [ "$(IS_ROOT)" != yes ] && [ "$(BENCH_MAIL)" = auto ]; then \
	  echo "note: mail-path benchmark skipped: it needs root (sudo make bench; BENCH_MAIL=0 skips it quietly)"; \
	else \
	  SMTPD_BIN=$(SMTPD_BIN) $(BENCH_MAIL_SCRIPT); \
	fi

# The privilege-separation users, as the packages create them: system users with their own
# group, home $(EMPTY_DIR), no login shell. Only for a real system (root, empty DESTDIR).
install-users:
	@if [ "$(IS_ROOT)" = yes ] && [ -z "$(DESTDIR)" ]; then \
	  nologin=$$(command -v nologin || echo /usr/sbin/nologin); \
	  for u in $(SMTPD_USER) $(SMTPQ_USER); do \
	    if ! getent passwd $$u >/dev/null; then \
	      echo "==> creating system user $$u"; \
	      useradd --system --user-group --home-dir $(EMPTY_DIR) --no-create-home \
	        --shell "$$nologin" --comment "smtpd privilege separation" $$u; \
	    fi; \
	  done; \
	fi

# Into DESTDIR (packaging) everything is a plain copy; owners, setgid bits, users and /var
# directories are the package's business (postinst, %files). Installing as root straight
# into the system also creates the users, makes smtpctl setgid $(SMTPQ_USER) and creates
# $(EMPTY_DIR) and $(SPOOL_DIR). Existing sendmail/mailq/... that are not ours are left alone.
install: install-users
	@test -x $(BUILD_DIR)/smtpd || { echo "error: $(BUILD_DIR)/smtpd missing: run make build first" >&2; exit 1; }
	install -d $(DESTDIR)$(SBINDIR)
	install -m 0755 $(BUILD_DIR)/smtpd $(DESTDIR)$(SBINDIR)/smtpd
	@if [ "$(IS_ROOT)" = yes ] && [ -z "$(DESTDIR)" ]; then \
	  echo "install -o root -g $(SMTPQ_USER) -m 2555 $(BUILD_DIR)/smtpd $(SBINDIR)/smtpctl"; \
	  install -o root -g $(SMTPQ_USER) -m 2555 $(BUILD_DIR)/smtpd $(SBINDIR)/smtpctl; \
	else \
	  echo "install -m 0755 $(BUILD_DIR)/smtpd $(DESTDIR)$(SBINDIR)/smtpctl"; \
	  install -m 0755 $(BUILD_DIR)/smtpd $(DESTDIR)$(SBINDIR)/smtpctl; \
	fi
	@for spec in $(INSTALL_LINKS); do \
	  link=$${spec%%:*}; target=$${spec#*:}; \
	  case $$target in /*) target=$$(realpath -m --relative-to="$$(dirname "$$link")" "$$target") ;; esac; \
	  t=$(DESTDIR)$$link; install -d "$$(dirname "$$t")"; \
	  if [ -e "$$t" -o -L "$$t" ] && [ "$$(readlink "$$t")" != "$$target" ]; then \
	    echo "warning: $$t exists and is not a link to $$target; left alone (another MTA?)" >&2; \
	  else \
	    echo "ln -sfn $$target $$t"; ln -sfn "$$target" "$$t"; \
	  fi; \
	done
	@# The PAM service AUTH uses for system users, in the distribution's dialect; an existing
	@# file is the admin's and is left alone.
	@pam=packaging/pam.d/smtpd; [ -e /etc/pam.d/common-auth ] || [ ! -e /etc/pam.d/password-auth ] || pam=packaging/pam.d/smtpd.redhat; \
	  if [ -e $(DESTDIR)$(PAMDIR)/smtpd ]; then \
	    echo "$(DESTDIR)$(PAMDIR)/smtpd exists; left alone"; \
	  else \
	    echo "install -D -m 0644 $$pam $(DESTDIR)$(PAMDIR)/smtpd"; install -D -m 0644 $$pam $(DESTDIR)$(PAMDIR)/smtpd; \
	  fi
	@for m in man/*.1 man/*.5 man/*.7 man/*.8; do \
	  [ -f "$$m" ] || continue; \
	  d=$(DESTDIR)$(MANDIR)/man$${m##*.}; \
	  echo "install -m 0644 $$m $$d/"; install -d "$$d"; install -m 0644 "$$m" "$$d/"; \
	done
	@# mailq is described in smtpctl(8); man mailq finds it through a one-line page, in section 1
	@# where other MTAs put mailq(1).
	install -d $(DESTDIR)$(MANDIR)/man1
	echo '.so man8/smtpctl.8' > $(DESTDIR)$(MANDIR)/man1/mailq.1 && chmod 0644 $(DESTDIR)$(MANDIR)/man1/mailq.1
	@if [ "$(IS_ROOT)" = yes ] && [ -z "$(DESTDIR)" ]; then \
	  echo "install -d -o root -g root -m 0755 $(EMPTY_DIR)"; \
	  install -d -o root -g root -m 0755 $(EMPTY_DIR); \
	  echo "install -d -o root -g root -m 0711 $(SPOOL_DIR)"; \
	  install -d -o root -g root -m 0711 $(SPOOL_DIR); \
	fi

# Packages from the working tree, into $(PACKAGES_DIR)/. Both run the full build (make build
# inside the package build), so both need the .NET SDK and a restored NuGet cache (or network).
# Debian: build dependencies from debian/control must be installed (dpkg-buildpackage checks).
deb:
	dpkg-buildpackage -b -us -uc
	mkdir -p $(PACKAGES_DIR)
	mv -f ../smtpd_$(VERSION)_*.deb ../smtpd-dbgsym_$(VERSION)_*.deb ../smtpd_$(VERSION)_*.buildinfo \
	      ../smtpd_$(VERSION)_*.changes $(PACKAGES_DIR)/
	@ls -l $(PACKAGES_DIR)/*.deb

# RPM: rpmbuild in a private topdir under build/; --nodeps because on a Debian build machine the
# rpm database is empty (BuildRequires are Debian packages here: clang, zlib1g-dev).
RPM_TOPDIR := $(abspath $(BUILD_DIR)/rpmbuild)
rpm:
	rm -rf $(RPM_TOPDIR) && mkdir -p $(RPM_TOPDIR)/SOURCES $(PACKAGES_DIR)
	git ls-files -z | tar --null -T - --transform 's,^,smtpd-$(VERSION)/,' -czf $(RPM_TOPDIR)/SOURCES/smtpd-$(VERSION).tar.gz
	cp packaging/smtpd.sysusers $(RPM_TOPDIR)/SOURCES/
	rpmbuild -bb --nodeps --define '_topdir $(RPM_TOPDIR)' --define 'pkg_version $(VERSION)' \
	  --define 'use_source_date_epoch_as_buildtime 1' --define 'clamp_mtime_to_source_date_epoch 1' rpm.spec
	find $(RPM_TOPDIR)/RPMS -name '*.rpm' -exec mv -f {} $(PACKAGES_DIR)/ \;
	@ls -l $(PACKAGES_DIR)/*.rpm

# The packages as an admin meets them (root, Debian 12): build the .deb (lintian must find no
# error) and the .rpm, check every man page with mandoc, check that the executables are stripped
# and their debug information is in smtpd-dbgsym and smtpd-debuginfo under their build-id, that
# the .rpm installs into a scratch root (tests/Install/package-files-test.sh), then install the .deb on this machine,
# deliver a mail with it, remove and purge it, and replace Debian's opensmtpd with mail still in
# its queue (tests/Install/install-test.sh; the daemons run in a network namespace of their own).
# .ci/run runs it after make test. It rebuilds from scratch: dpkg-buildpackage cleans first.
PACKAGE_TEST_PKGS := 'debhelper:dh' 'dpkg-dev:dpkg-buildpackage' 'lintian:lintian' 'rpm:rpmbuild' \
                     'mandoc:mandoc' 'iproute2:ip' 'procps:pgrep' 'binutils:readelf' 'cpio:cpio'
package-test: check-dotnet
	@if [ "$(IS_ROOT)" != yes ]; then echo "error: package-test installs packages: run it as root" >&2; exit 1; fi
	@$(call ensure_pkgs,$(BUILD_PKGS) $(PACKAGE_TEST_PKGS))
	mandoc -Tlint -Wwarning man/*.[1578]
	$(MAKE) deb
	lintian --fail-on error $(PACKAGES_DIR)/smtpd_$(VERSION)_$$(dpkg --print-architecture).deb
	lintian --fail-on error $(PACKAGES_DIR)/smtpd-dbgsym_$(VERSION)_$$(dpkg --print-architecture).deb
	$(MAKE) rpm
	tests/Install/package-files-test.sh $(PACKAGES_DIR)/smtpd_$(VERSION)_$$(dpkg --print-architecture).deb \
	  $(PACKAGES_DIR)/smtpd-dbgsym_$(VERSION)_$$(dpkg --print-architecture).deb \
	  $(PACKAGES_DIR)/smtpd-$(VERSION)-*.$$(uname -m).rpm $(PACKAGES_DIR)/smtpd-debuginfo-$(VERSION)-*.$$(uname -m).rpm
	tests/Install/install-test.sh $(PACKAGES_DIR)/smtpd_$(VERSION)_$$(dpkg --print-architecture).deb

# Reproducibility: two make deb of HEAD (not of uncommitted changes) in two directories give
# byte-identical smtpd and smtpd-dbgsym .debs (~2 builds' time, so not part of package-test or .ci/run).
repro-test: check-dotnet
	tests/Install/repro-test.sh

clean:
	rm -rf $(BUILD_DIR) bin obj tests/bin tests/obj tests/TestResults \
	       tests/Bench/bin tests/Bench/obj tests/Fuzz/bin tests/Fuzz/obj
	@echo "note: ./var (the make run instance) is kept; remove it with rm -rf var"
