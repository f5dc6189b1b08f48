#!/usr/bin/env bash
# What the built packages hold, checked without installing them on this machine:
#  1. the .deb's executables are stripped (no .symtab, no DWARF) and smtpd-dbgsym (a .deb) holds
#     their debug information at /usr/lib/debug/.build-id/xx/yyyy.debug, named by the build-id
#     the executable carries, with DWARF and symbols in it;
#  2. the same for the .rpm and smtpd-debuginfo;
#  3. the .rpm installs (rpm -i into a scratch root, without scripts or dependencies, which a
#     Debian machine's empty rpm database cannot satisfy) and puts every file %files lists there.
# Usage: package-files-test.sh DIR/smtpd_V_ARCH.deb DIR/smtpd-dbgsym_V_ARCH.deb DIR/smtpd-V-R.ARCH.rpm DIR/smtpd-debuginfo-V-R.ARCH.rpm
set -euo pipefail

fail() { echo "package-files-test: FAIL: $*" >&2; exit 1; }
step() { echo "==> package-files-test: $*"; }
[ $# = 4 ] || fail "usage: $0 DEB DDEB RPM DEBUGINFO_RPM"
deb=$(realpath "$1") dbgsym=$(realpath "$2") rpm=$(realpath "$3") debuginfo=$(realpath "$4")
for f in "$deb" "$dbgsym" "$rpm" "$debuginfo"; do [ -f "$f" ] || fail "no package $f"; done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# readelf's output is read whole before grep looks at it: grep -q stops at the first match, and
# the readelf it cut off would fail the pipeline (pipefail).
build_id() { readelf -n "$1" 2>/dev/null | sed -n 's/.*Build ID: *\([0-9a-f]*\).*/\1/p'; }
sections() { readelf -S -W "$1" 2>/dev/null; }

# $1 what, $2 the executable, $3 the root its debug package was unpacked into
check_split() {
	local what=$1 exe=$2 root=$3 id debug exe_sections debug_sections
	id=$(build_id "$exe")
	[ -n "$id" ] || fail "$what: $exe has no build-id"
	exe_sections=$(sections "$exe")
	if grep -Eq '\.symtab|\.debug_info' <<<"$exe_sections"; then
		fail "$what: $exe is not stripped: $(grep -E '\.symtab|\.debug_' <<<"$exe_sections" | tr -s ' ')"
	fi
	debug=$root/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug
	[ -f "$debug" ] || fail "$what: no $debug for build-id $id; the package has: $(find "$root" -type f | sed "s|^$root||")"
	[ "$(build_id "$debug")" = "$id" ] || fail "$what: $debug has build-id $(build_id "$debug"), the executable $id"
	debug_sections=$(sections "$debug")
	grep -q '\.debug_info' <<<"$debug_sections" || fail "$what: $debug has no .debug_info"
	grep -q '\.debug_line' <<<"$debug_sections" || fail "$what: $debug has no line numbers (.debug_line)"
	grep -q '\.symtab' <<<"$debug_sections" || fail "$what: $debug has no symbol table"
	# The symbols are those of the executable: the native entry point and the managed Main by name.
	[ "$(readelf -s -W "$debug" 2>/dev/null | grep -cE ' (main|__managed__Main)$')" = 2 ] \
		|| fail "$what: $debug lacks the symbols main and __managed__Main"
	echo "    $what: ${exe#"$work"/} stripped, build-id $id, ${debug#"$root"} with DWARF"
}

step "Debian: $(basename "$deb") and $(basename "$dbgsym")"
dpkg-deb -x "$deb" "$work/deb"
dpkg-deb -x "$dbgsym" "$work/dbgsym"
[ "$(dpkg-deb -f "$dbgsym" Package)" = smtpd-dbgsym ] || fail "$dbgsym is not smtpd-dbgsym"
check_split deb "$work/deb/usr/sbin/smtpd" "$work/dbgsym"
check_split deb "$work/deb/usr/sbin/smtpctl" "$work/dbgsym"

step "rpm: $(basename "$rpm") and $(basename "$debuginfo")"
mkdir "$work/rpm" "$work/debuginfo"
(cd "$work/rpm" && rpm2cpio "$rpm" | cpio -idm --quiet)
(cd "$work/debuginfo" && rpm2cpio "$debuginfo" | cpio -idm --quiet)
check_split rpm "$work/rpm/usr/sbin/smtpd" "$work/debuginfo"
check_split rpm "$work/rpm/usr/sbin/smtpctl" "$work/debuginfo"

step "rpm -i into a scratch root"
root=$work/root
rpm --root "$root" --initdb
# --noscripts: %pre/%post run alternatives and systemd-sysusers, which are not in an empty root.
# The users %pre would make (packaging/smtpd.sysusers) are written in by hand: rpm gives a file
# of an unknown group to root and drops its setgid bit.
mkdir -p "$root/etc"
printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' '_smtpd:x:990:990::/var/empty:/usr/sbin/nologin' \
	'_smtpq:x:991:991::/var/empty:/usr/sbin/nologin' >"$root/etc/passwd"
printf '%s\n' 'root:x:0:' '_smtpd:x:990:' '_smtpq:x:991:' >"$root/etc/group"
rpm --root "$root" -i --nodeps --noscripts "$rpm" "$debuginfo" 2>"$work/rpm-i.err" \
	|| fail "rpm -i failed: $(cat "$work/rpm-i.err")"
# Debian's rpm says it prefers alien; anything else rpm says is shown.
grep -v -e 'should not be used directly' -e 'assuming you know what you are doing' "$work/rpm-i.err" >&2 || true
rpm --root "$root" -q smtpd smtpd-debuginfo >/dev/null || fail "rpm does not list the installed packages"
# Every path %files lists is there, except the %ghost ones (the generic names alternatives manages).
missing=$(rpm --root "$root" -ql smtpd smtpd-debuginfo | while read -r f; do
	[ -e "$root$f" ] || [ -L "$root$f" ] || echo "$f"; done | sort)
ghosts=$(rpm --root "$root" -q --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' smtpd | awk '$1 ~ /g/ { print $2 }' | sort)
[ "$missing" = "$ghosts" ] || fail "files of %files not installed: $(comm -23 <(echo "$missing") <(echo "$ghosts") | tr '\n' ' ')"
for p in /usr/sbin/smtpd /usr/sbin/smtpctl /usr/sbin/sendmail.smtpd /etc/smtpd.conf \
	/usr/lib/systemd/system/smtpd.service /usr/share/man/man8/smtpctl.8.gz; do
	[ -e "$root$p" ] || fail "rpm -i did not install $p"
done
[ "$(stat -c '%a %g' "$root/usr/sbin/smtpctl")" = "2555 991" ] || fail "smtpctl is not installed setgid _smtpq, mode 2555: $(stat -c '%a %G' "$root/usr/sbin/smtpctl")"
echo "    $(rpm --root "$root" -ql smtpd | wc -l) paths of smtpd installed ($(echo "$ghosts" | wc -l) %ghost left to alternatives)"

step "passed"
