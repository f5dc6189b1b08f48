#!/usr/bin/env bash
# The package as an admin meets it, on this machine (root, Debian 12, apt-get):
#  1. a fresh install of the .deb with preseeded debconf answers (mail name, root's alias):
#     users, spool, conffiles, the programs where Debian puts them, /etc/mailname and the root
#     alias from the answers; the daemon started from the installed files delivers a mail sent
#     with the installed sendmail, and root's mail to the alias; remove keeps the configuration
#     and the spool, purge removes them (/etc/mailname and /etc/aliases stay: they are shared);
#  2. switching from Debian's opensmtpd with mail still in its queue: that mail is delivered
#     by smtpd after the package replaced opensmtpd, under the admin's kept smtpd.conf
#     (Debian's opensmtpd generates one at install; dpkg keeps it, --force-confold), and the
#     existing /etc/mailname and root alias are kept whatever debconf was told.
# Daemons run in a private network namespace, so port 25 of the machine is never touched.
# Usage: install-test.sh PATH/TO/smtpd_VERSION_ARCH.deb
set -euo pipefail

deb=$(realpath "$1")
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-y -q -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
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

# The machine's own /etc/mailname and /etc/aliases are put aside for the test and restored.
shared_files="/etc/mailname /etc/aliases"
for f in $shared_files; do
	if [ -e "$f" ]; then mv "$f" "$f.install-test-saved"; fi
done

cleanup() {
	set +e
	stop_daemon
	ip netns delete $netns 2>/dev/null
	apt-get purge "${apt_opts[@]}" smtpd opensmtpd >/dev/null 2>&1
	userdel -r $user 2>/dev/null
	[ -z "$own_policy" ] || rm -f $policy
	for f in $shared_files; do
		rm -f "$f"
		if [ -e "$f.install-test-saved" ]; then mv "$f.install-test-saved" "$f"; fi
	done
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
mailname=mail.install-test.example
step "debconf-set-selections: mail name $mailname, root's mail to $user"
printf '%s\n' "smtpd smtpd/mailname string $mailname" "smtpd smtpd/root_address string $user" | debconf-set-selections
step "apt-get install $(basename "$deb")"
apt-get install "${apt_opts[@]}" "$deb"
[ "$(cat /etc/mailname)" = $mailname ] || fail "/etc/mailname is '$(cat /etc/mailname)', not the preseeded $mailname"
grep -Eq "^root:[[:space:]]*$user\$" /etc/aliases || fail "no root alias to $user in /etc/aliases: $(cat /etc/aliases)"
grep -Eq '^postmaster:[[:space:]]*root$' /etc/aliases || fail "/etc/aliases lacks the RFC 2142 mailboxes"
dpkg-query -W -f='${Conffiles}\n' smtpd | grep -q ' /etc/aliases ' && fail "/etc/aliases is a conffile"

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

step "root's mail reaches the alias from debconf; addresses without a domain get the mail name"
printf 'Subject: install test for root\n\nto the administrator\n' | /usr/sbin/sendmail -i root || fail "sendmail to root failed"
wait_for "root's mail in $home/Maildir" sh -c "grep -rqs 'install test for root' $home/Maildir/new"
msg=$(grep -rls 'install test for root' "$home/Maildir/new")
grep -qi "^Return-Path: <root@$mailname>" "$msg" || fail "root's mail does not come from root@$mailname: $(head -n 20 "$msg")"
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
[ "$(cat /etc/mailname)" = $mailname ] || fail "purge changed /etc/mailname"
grep -Eq "^root:[[:space:]]*$user\$" /etc/aliases || fail "purge changed root's alias"
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

step "apt-get install smtpd over opensmtpd, debconf told other answers"
printf '%s\n' "smtpd smtpd/mailname string other.install-test.example" "smtpd smtpd/root_address string nobody" | debconf-set-selections
apt-get install "${apt_opts[@]}" "$deb"
[ "$(cat /etc/mailname)" = $mailname ] || fail "the install replaced the existing /etc/mailname with '$(cat /etc/mailname)'"
grep -Eq "^root:[[:space:]]*$user\$" /etc/aliases || fail "the install replaced the existing root alias: $(grep '^root' /etc/aliases)"
[ "$(grep -c '^root[[:space:]]*:' /etc/aliases)" = 1 ] || fail "the install added a second root alias"
dpkg -s opensmtpd 2>/dev/null | grep -q '^Status: install ok installed' && fail "opensmtpd is still installed"
/usr/sbin/smtpd -n || fail "the kept configuration does not check"
innet /usr/sbin/smtpd
[ "$(find /var/spool/smtpd/queue ! -user _smtpq | wc -l)" = 0 ] || fail "opensmtpd's queue files still belong to its user"
wait_for "delivery of opensmtpd's queued message to $home/Maildir" \
	sh -c "grep -rqs 'install test two' $home/Maildir/new"
wait_for "an empty queue" sh -c '[ -z "$(/usr/bin/mailq)" ]'
stop_daemon

step "passed"
