#!/usr/bin/env bash
# The package as an admin meets it, on this machine (root, Debian 12, apt-get):
#  1. a fresh install of the .deb: users, spool, conffiles, the programs where Debian puts them;
#     the daemon started from the installed files delivers a mail sent with the installed
#     sendmail; remove keeps the configuration and the spool, purge removes them;
#  2. switching from Debian's opensmtpd with mail still in its queue: that mail is delivered
#     by smtpd after the package replaced opensmtpd, under the admin's kept smtpd.conf
#     (Debian's opensmtpd generates one at install; dpkg keeps it, --force-confold).
# Daemons run in a private network namespace, so port 25 of the machine is never touched.
# Usage: install-test.sh PATH/TO/smtpd_VERSION_ARCH.deb
set -euo pipefail

deb=$(realpath "$1")
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
user=smtpdinst
netns=smtpd-install-test
fail() { echo "install-test: FAIL: $*" >&2; exit 1; }
step() { echo "==> install-test: $*"; }

[ "$(id -u)" = 0 ] || fail "needs root"
[ -f "$deb" ] || fail "no package at $1"
if dpkg -s smtpd >/dev/null 2>&1 || dpkg -s opensmtpd >/dev/null 2>&1; then
	fail "smtpd or opensmtpd is installed already; this test installs and purges them"
fi

# Packages' maintainer scripts must not start daemons here (no systemd; init scripts would
# bind port 25 of the machine): policy-rc.d says no, as in a container image build.
# Docker images ship one already; one we make is removed at the end.
policy=/usr/sbin/policy-rc.d
own_policy=
if [ ! -e $policy ]; then
	printf '#!/bin/sh\nexit 101\n' >$policy
	chmod 0755 $policy
	own_policy=yes
fi

cleanup() {
	set +e
	stop_daemon
	ip netns delete $netns 2>/dev/null
	apt-get purge "${apt_opts[@]}" smtpd opensmtpd >/dev/null 2>&1
	userdel -r $user 2>/dev/null
	[ -z "$own_policy" ] || rm -f $policy
}
trap cleanup EXIT

ip netns add $netns
ip -n $netns link set lo up
innet() { ip netns exec $netns "$@"; }

# Whatever runs in our namespace is the daemon under test (ours or opensmtpd); nothing else on
# the machine is touched, even other processes called smtpd.
stop_daemon() {
	local pids
	pids=$(ip netns pids $netns 2>/dev/null || true)
	[ -n "$pids" ] || return 0
	kill -TERM $pids 2>/dev/null || true
	for _ in $(seq 100); do
		[ -z "$(ip netns pids $netns 2>/dev/null)" ] && return 0
		sleep 0.1
	done
	kill -KILL $(ip netns pids $netns) 2>/dev/null || true
}

wait_for() { # $1 description, $2... command
	local what=$1; shift
	for _ in $(seq 300); do "$@" && return 0; sleep 0.1; done
	fail "timed out waiting for $what"
}

useradd -m -s /bin/sh $user
home=$(getent passwd $user | cut -d: -f6)

# ---------------------------------------------------------------- 1. fresh install
step "apt-get install $(basename "$deb")"
apt-get install "${apt_opts[@]}" "$deb"

for p in /usr/sbin/smtpd /usr/sbin/smtpctl /usr/sbin/sendmail /usr/lib/sendmail /usr/bin/mailq \
	/usr/bin/newaliases /usr/sbin/makemap /etc/smtpd.conf /etc/aliases; do
	[ -e $p ] || fail "$p is not installed"
done
getent passwd _smtpd >/dev/null || fail "user _smtpd missing"
getent passwd _smtpq >/dev/null || fail "user _smtpq missing"
[ "$(stat -c '%G %a' /usr/sbin/smtpctl)" = "_smtpq 2555" ] || fail "smtpctl is not setgid _smtpq: $(stat -c '%U:%G %a' /usr/sbin/smtpctl)"
dpkg-query -W -f='${Conffiles}\n' smtpd | grep -q ' /etc/smtpd.conf ' || fail "/etc/smtpd.conf is not a conffile"
# In the package, whatever this image's dpkg path-exclude does with /usr/share/man.
contents=$(dpkg-deb -c "$deb")
for m in man5/smtpd.conf.5 man8/smtpd.8 man8/smtpctl.8 man8/sendmail.8 man7/smtpd-tables.7; do
	grep -q "/usr/share/man/$m.gz\$" <<<"$contents" || fail "the package lacks $m"
done

step "smtpd -n on the installed configuration"
/usr/sbin/smtpd -n || fail "the installed configuration does not check"
# The packaged configuration reads /etc/aliases as a file table: newaliases says so, writes nothing.
newaliases | grep -q 'file table' || fail "newaliases did not recognise the file table"

step "start the installed daemon, send with the installed sendmail"
[ -d /var/spool/smtpd/offline ] || fail "the package made no spool (offline/ is missing)"
innet /usr/sbin/smtpd
# The pid file is written once every process is up.
wait_for "the daemon's pid file" test -s /var/run/smtpd.pid
printf 'Subject: install test one\n\nsent by the installed sendmail\n' \
	| /usr/sbin/sendmail -i -f root $user || fail "sendmail failed"
wait_for "delivery to $home/Maildir" sh -c "grep -rqs 'install test one' $home/Maildir/new"
grep -rqs '^Delivered-To: ' "$home/Maildir/new" || fail "no Delivered-To in the delivered mail"
[ -z "$(/usr/bin/mailq)" ] || fail "mailq is not empty after delivery: $(/usr/bin/mailq)"
stop_daemon

step "apt-get remove keeps configuration and spool"
apt-get remove "${apt_opts[@]}" smtpd
[ -e /etc/smtpd.conf ] || fail "remove deleted /etc/smtpd.conf"
[ -d /var/spool/smtpd ] || fail "remove deleted the spool"
[ ! -e /usr/sbin/smtpd ] || fail "remove left /usr/sbin/smtpd"

step "apt-get purge removes them"
apt-get purge "${apt_opts[@]}" smtpd
[ ! -e /etc/smtpd.conf ] || fail "purge left /etc/smtpd.conf"
[ ! -e /var/spool/smtpd ] || fail "purge left the spool"
rm -rf "$home/Maildir"

# ------------------------------------------------- 2. replacing opensmtpd with mail queued
step "install Debian's opensmtpd and queue a message in it"
apt-get install "${apt_opts[@]}" opensmtpd
# Debian's opensmtpd delivers to ~/Maildir; its queue keeps the mail while mda is paused.
innet /usr/sbin/smtpd
wait_for "opensmtpd to answer smtpctl" sh -c "/usr/sbin/smtpctl show status >/dev/null 2>&1"
/usr/sbin/smtpctl pause mda >/dev/null
printf 'Subject: install test two\n\nqueued by opensmtpd\n' | /usr/sbin/sendmail -i -f root $user
wait_for "the message in opensmtpd's queue" sh -c '/usr/sbin/smtpctl show queue | grep -q .'
stop_daemon
queued=$(find /var/spool/smtpd/queue -type f -name message | wc -l)
[ "$queued" = 1 ] || fail "expected one queued message in opensmtpd's spool, found $queued"

step "apt-get install smtpd over opensmtpd"
apt-get install "${apt_opts[@]}" "$deb"
dpkg -s opensmtpd 2>/dev/null | grep -q '^Status: install ok installed' && fail "opensmtpd is still installed"
/usr/sbin/smtpd -n || fail "the kept configuration does not check"
innet /usr/sbin/smtpd
[ "$(find /var/spool/smtpd/queue ! -user _smtpq | wc -l)" = 0 ] || fail "opensmtpd's queue files still belong to its user"
wait_for "delivery of opensmtpd's queued message to $home/Maildir" \
	sh -c "grep -rqs 'install test two' $home/Maildir/new"
wait_for "an empty queue" sh -c '[ -z "$(/usr/bin/mailq)" ]'
stop_daemon

step "passed"
