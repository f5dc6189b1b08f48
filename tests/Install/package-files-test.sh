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

build_id() { readelf -n "$1" | sed -n 's/.*Build ID: *\([0-9a-f]*\).*/\1/p'; }

# $1 what, $2 the executable, $3 the root its debug package was unpacked into
check_split() {
	local what=$1 exe=$2 root=$3 id debug
	id=$(build_id "$exe")
	[ -n "$id" ] || fail "$what: $exe has no build-id"
	readelf -S -W "$exe" | grep -Eq '\.symtab|\.debug_info' && fail "$what: $exe is not stripped: $(readelf -S -W "$exe" | grep -E '\.symtab|\.debug_' | tr -s ' ')"
	debug=$root/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug
	[ -f "$debug" ] || fail "$what: no $debug for build-id $id; the package has: $(find "$root" -type f | sed "s|^$root||")"
	[ "$(build_id "$debug")" = "$id" ] || fail "$what: $debug has build-id $(build_id "$debug"), the executable $id"
	readelf -S -W "$debug" | grep -q '\.debug_info' || fail "$what: $debug has no .debug_info"
	readelf -S -W "$debug" | grep -q '\.symtab' || fail "$what: $debug has no symbol table"
	# The symbols are those of the executable: the runtime's entry point is there by name.
	readelf -s -W "$debug" | grep -q ' main$' || fail "$what: $debug has no symbol main"
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
rpm --root "$root" -i --nodeps --noscripts "$rpm" "$debuginfo" 2>"$work/rpm-i.err" \
	|| fail "rpm -i failed: $(cat "$work/rpm-i.err")"
# rpm names the users it does not know (_smtpq of the setgid smtpctl) and installs as root: fine here.
grep -v 'does not exist - using root' "$work/rpm-i.err" >&2 || true
rpm --root "$root" -q smtpd smtpd-debuginfo >/dev/null || fail "rpm does not list the installed packages"
missing=0
while read -r f; do
	[ -e "$root$f" ] || [ -L "$root$f" ] || { echo "    not installed: $f" >&2; missing=$((missing + 1)); }
done < <(rpm --root "$root" -ql smtpd smtpd-debuginfo | grep -v '^(contains no files)$')
# %ghost entries (alternatives' generic names) are listed but not installed.
ghosts=$(rpm --root "$root" -q --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' smtpd | awk '$1 ~ /g/ { n++ } END { print n + 0 }')
[ "$missing" = "$ghosts" ] || fail "$missing files of %files are not installed, $ghosts of them are %ghost"
for p in /usr/sbin/smtpd /usr/sbin/smtpctl /usr/sbin/sendmail.smtpd /etc/smtpd.conf \
	/usr/lib/systemd/system/smtpd.service /usr/share/man/man8/smtpctl.8.gz; do
	[ -e "$root$p" ] || fail "rpm -i did not install $p"
done
[ "$(stat -c %a "$root/usr/sbin/smtpctl")" = 2555 ] || fail "smtpctl is not mode 2555 in the rpm"
echo "    $(rpm --root "$root" -ql smtpd | wc -l) paths of smtpd installed ($ghosts %ghost left to alternatives)"

step "passed"
