#!/usr/bin/env bash
# Reproducible build check: the .deb and the smtpd-dbgsym .deb of the last commit (HEAD), built twice
# with make deb in two different directories, must be identical byte for byte.  When they are
# not, the files that differ in the payloads are named (and diffoscope, if installed, says how).
# File times come from SOURCE_DATE_EPOCH, the time of the commit, as make deb in a checkout has it.
# Usage (from the top of the tree): tests/Install/repro-test.sh   (make repro-test)
set -euo pipefail

fail() { echo "repro-test: FAIL: $*" >&2; exit 1; }
step() { echo "==> repro-test: $*"; }

top=$(git rev-parse --show-toplevel)
commit=$(git -C "$top" rev-parse HEAD)
SOURCE_DATE_EPOCH=$(git -C "$top" log -1 --format=%ct HEAD)
export SOURCE_DATE_EPOCH
out=$top/build/repro
work=$(mktemp -d /tmp/smtpd-repro.XXXXXX)
trap 'rm -rf "$work"' EXIT
rm -rf "$out" && mkdir -p "$out"

# The two trees have different paths (and names): a path that leaks into the packages shows.
for tree in one/smtpd second-tree/smtpd-src; do
	step "make deb in $work/$tree (commit ${commit:0:12})"
	mkdir -p "$work/$tree"
	git -C "$top" archive --format=tar HEAD | tar -x -C "$work/$tree"
	make -C "$work/$tree" deb SKIP_DEPS=1 >"$work/${tree%%/*}.log" 2>&1 \
		|| { tail -n 40 "$work/${tree%%/*}.log" >&2; fail "make deb failed in $work/$tree"; }
	mkdir -p "$out/${tree%%/*}"
	cp "$work/$tree"/build/packages/*.deb "$out/${tree%%/*}/"
done

differ=0
for f in "$out"/one/*; do
	name=$(basename "$f")
	other=$out/second-tree/$name
	[ -f "$other" ] || fail "the second build made no $name"
	if cmp -s "$f" "$other"; then
		echo "    identical: $name ($(sha256sum <"$f" | cut -c1-16)...)"
		continue
	fi
	differ=1
	echo "    DIFFERENT: $name" >&2
	for side in one second-tree; do
		mkdir -p "$work/x/$side/$name"
		dpkg-deb -x "$out/$side/$name" "$work/x/$side/$name"
		dpkg-deb -e "$out/$side/$name" "$work/x/$side/$name/DEBIAN"
	done
	diff <(cd "$work/x/one/$name" && find . -type f -exec sha256sum {} + | sort -k2) \
		<(cd "$work/x/second-tree/$name" && find . -type f -exec sha256sum {} + | sort -k2) >&2 || true
	if command -v diffoscope >/dev/null; then
		diffoscope --text "$out/$name.diffoscope.txt" "$f" "$other" >/dev/null 2>&1 || true
		echo "    diffoscope: $out/$name.diffoscope.txt" >&2
	fi
done
[ "$differ" = 0 ] || fail "the two builds differ (packages kept in $out)"
step "passed: both builds gave the same packages"
