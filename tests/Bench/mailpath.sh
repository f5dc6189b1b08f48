#!/usr/bin/env bash
# Mail-path benchmark: our smtpd against OpenSMTPD and Postfix on the workloads of the shared
# anchors harness (../shared/bench beside the checkout): inbound to Maildir, and relay (inbound,
# then relayed to Postfix's smtp-sink), the relay one also at c = 200; then a table of our
# figures, the ratios ours/Postfix and ours/OpenSMTPD, and the issues' goals.
#
#   sudo tests/Bench/mailpath.sh                 # or: make bench (micro-benchmarks first)
#   MAIL_N=5000 MAIL_RUNS=3 tests/Bench/mailpath.sh
#   MAIL_SCALING=200 tests/Bench/mailpath.sh     # plus one run per server at c = 200
#
# The shared harness is read only: it is copied into $MAIL_WORK/harness with this directory's
# mailpath-ours.sh as servers/ours.sh, and every result goes under $MAIL_WORK/results. The
# harness keeps all traffic on 127.0.0.1 and confines DNS to /etc/hosts (see its README).
# Needs root (the harness installs the anchors with apt-get, makes users and cgroups).
#
# Environment (defaults in brackets):
#   MAIL_N [3000] messages per run    MAIL_C [20] concurrent sessions    MAIL_SIZE [4096] body bytes
#   MAIL_RUNS [2]                     MAIL_SCALING [] extra concurrencies, e.g. "200" or "1,200"
#   MAIL_WORKLOADS [inbound,relay]    MAIL_RELAY_SCALING [200] relay runs at these concurrencies too
#       ('' skips them; the harness's own scaling series is inbound only)
#   MAIL_SERVERS [ours opensmtpd-backlog128 postfix]; "opensmtpd" (as shipped, backlog 5: about
#       10 msg/s at c = 20) gets MAIL_N_OPENSMTPD [300] messages
#   MAIL_OURS_ENV [] NAME=value words for our server's environment (GC knobs, ...)
#   MAIL_FILTERS [0] 1 adds the servers ours-procexec (a pass-through filter process on the
#       listener) and ours-dkim (our builtin DKIM signer), to compare with plain ours
#   MAIL_WORK [/tmp/smtpd-bench]      BENCH_SHARED [<repo>/../shared/bench]
#   SMTPD_BIN [<repo>/build/smtpd; built with make build when unset]
#   MAIL_HARNESS_ARGS [] more anchors.sh options. The harness waits at most
#       MAIL_BG_WAIT [30] s for a quiet machine before a run and repeats a run flagged noisy
#       MAIL_RETRY_NOISY [0] times (the harness's own defaults, 120 s and 1, can double the time
#       on a shared machine); noisy runs are counted in the report
# Exit status: the harness's (0 fine, 2 lost or duplicated messages, 1 other failure).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SHARED=${BENCH_SHARED:-$REPO/../shared/bench}
WORK=${MAIL_WORK:-/tmp/smtpd-bench}
N=${MAIL_N:-3000}
C=${MAIL_C:-20}
SIZE=${MAIL_SIZE:-4096}
RUNS=${MAIL_RUNS:-2}
SCALING=${MAIL_SCALING:-}
SERVERS=${MAIL_SERVERS:-ours opensmtpd-backlog128 postfix}
N_OPENSMTPD=${MAIL_N_OPENSMTPD:-300}

say() { printf '==> %s\n' "$*"; }
die() { printf 'mailpath.sh: error: %s\n' "$*" >&2; exit 1; }

if [ "$(id -u)" != 0 ]; then
    die "needs root (the anchors harness installs packages, creates users and cgroups): sudo $0"
fi
[ -x "$SHARED/anchors.sh" ] || die "no harness at $SHARED/anchors.sh (BENCH_SHARED=...; CI keeps shared/ beside the checkout)"

# 1. Our binary, copied so that a rebuild during the run cannot change it.
if [ -z "${SMTPD_BIN:-}" ]; then
    say "make build"
    make -C "$REPO" --no-print-directory build >/dev/null
    SMTPD_BIN=$REPO/build/smtpd
fi
[ -x "$SMTPD_BIN" ] || die "SMTPD_BIN=$SMTPD_BIN is not executable"
mkdir -p "$WORK/bin" "$WORK/results"
cp "$SMTPD_BIN" "$WORK/bin/smtpd.new" && mv "$WORK/bin/smtpd.new" "$WORK/bin/smtpd"
# SMTPD_GC_STATS: every process of ours logs its GC collections and allocated bytes at exit.
export OURS_BIN=$WORK/bin/smtpd OURS_ENV="SMTPD_GC_STATS=1 ${MAIL_OURS_ENV:-}"

# 2. Our privilege-separation users (the harness creates the anchors' and benchuser).
make -C "$REPO" --no-print-directory install-users

# 3. A private copy of the harness with our adapter.
say "harness: $SHARED -> $WORK/harness"
rm -rf "$WORK/harness"
mkdir -p "$WORK/harness"
(cd "$SHARED" && tar --exclude=./results -cf - .) | tar -xf - -C "$WORK/harness"
install -m 0755 "$REPO/tests/Bench/mailpath-ours.sh" "$WORK/harness/servers/ours.sh"
install -m 0755 "$REPO/tests/Bench/passthrough_filter.py" "$WORK/harness/servers/passthrough_filter.py"
if [ "${MAIL_FILTERS:-0}" = 1 ]; then
    # The filter workloads: the same adapter with OURS_FILTER set, under names of their own.
    for f in procexec:proc-exec dkim:dkim; do
        printf '#!/usr/bin/env bash\nOURS_FILTER=%s exec "$(dirname "$0")/ours.sh" "$@"\n' "${f#*:}" >"$WORK/harness/servers/ours-${f%%:*}.sh"
        chmod 0755 "$WORK/harness/servers/ours-${f%%:*}.sh"
    done
    SERVERS="$SERVERS ours-procexec ours-dkim"
fi

# 4. Run: the workloads at c = MAIL_C, then relay at each MAIL_RELAY_SCALING concurrency (a
#    separate harness invocation, its results in OUT-cN).
WORKLOADS=${MAIL_WORKLOADS:-inbound,relay}
RELAY_SCALING=${MAIL_RELAY_SCALING-200}
stamp=$(date +%Y%m%d-%H%M%S)
OUT=$WORK/results/$stamp-mailpath
harness() { # OUT-DIR WORKLOADS CONCURRENCY SCALING
    local args=(--workloads "$2" -n "$N" -c "$3" -s "$SIZE" --runs "$RUNS" --out "$1"
        --max-bg-wait "${MAIL_BG_WAIT:-30}" --retry-noisy "${MAIL_RETRY_NOISY:-0}")
    for s in $SERVERS; do
        args+=(--server "$s")
        [ "$s" = opensmtpd ] && args+=(--server-messages "$N_OPENSMTPD")
    done
    if [ -n "$4" ]; then args+=(--scaling "$4" --scaling-runs 1); else args+=(--scaling ''); fi
    # shellcheck disable=SC2206 # word splitting wanted
    [ -n "${MAIL_HARNESS_ARGS:-}" ] && args+=(${MAIL_HARNESS_ARGS})
    say "anchors.sh ${args[*]}"
    "$WORK/harness/anchors.sh" "${args[@]}" >>"$WORK/harness.log" 2>&1
}
t0=$(date +%s)
rc=0
: >"$WORK/harness.log"
harness "$OUT" "$WORKLOADS" "$C" "$SCALING" || rc=$?
EXTRA_OUTS=()
case ",$WORKLOADS," in *,relay,*)
    for c in ${RELAY_SCALING//,/ }; do
        harness "$OUT-c$c" relay "$c" '' || { r=$?; [ "$rc" -ne 0 ] || rc=$r; }
        EXTRA_OUTS+=("$OUT-c$c")
    done
esac
grep -E '^\[[0-9:]+\] (\[|    |server )' "$WORK/harness.log" || true
ln -sfn "$OUT" "$WORK/results/latest"

# 5. Idle memory of each of our processes (the harness only gives the sum): a fresh instance
#    with the same config, 2 s after it listens, as the harness samples it.
IDLE=$WORK/idle
rm -rf "$IDLE"; mkdir -p "$IDLE/spool" "$IDLE/empty"; chmod 711 "$IDLE/spool"
sed -e 's/@LISTEN_ADDR@/127.0.0.1/; s/@PORT@/20125/; s/@SINK_ADDR@/127.0.0.1/; s/@SINK_PORT@/20126/' \
    -e 's/@LOCAL_DOMAIN@/bench.test/; s/@RELAY_DOMAIN@/remote.test/' \
    "$WORK/harness/templates/smtpd.conf.in" >"$IDLE/smtpd.conf"
# Like the harness: a private mount namespace whose resolv.conf points at 127.0.0.1 (written by
# anchors.sh), so that nothing this instance might resolve leaves the machine.
RESOLV=${BENCH_VAR:-/var/tmp/anchors-bench}/etc/resolv.conf
[ -f "$RESOLV" ] || die "$RESOLV missing (anchors.sh writes it)"
# shellcheck disable=SC2086
unshare --mount --propagation private sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$RESOLV" \
    env $OURS_ENV "$OURS_BIN" -d -f "$IDLE/smtpd.conf" --queue-dir "$IDLE/spool" --socket "$IDLE/smtpd.sock" \
    --empty-dir "$IDLE/empty" >"$IDLE/server.log" 2>&1 &
idle_pid=$!
for _ in $(seq 100); do
    ss -Hltn 'sport = :20125' 2>/dev/null | grep -q . && break
    sleep 0.1
done
sleep 2
python3 - "$idle_pid" >"$IDLE/roles.txt" <<'EOF' || true
import os, sys
root = int(sys.argv[1])
kids = {}
for d in os.listdir("/proc"):
    if d.isdigit():
        try:
            ppid = int(open(f"/proc/{d}/stat").read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(d))
todo, tot_rss, tot_pss = [root], 0, 0
print(f"{'process':<24} {'RSS MiB':>8} {'PSS MiB':>8}")
while todo:
    p = todo.pop(0)
    todo.extend(sorted(kids.get(p, [])))
    try:
        title = open(f"/proc/{p}/cmdline", "rb").read().split(b"\0")[0].decode(errors="replace")
        rss = pss = 0
        for line in open(f"/proc/{p}/smaps_rollup"):
            if line.startswith("Rss:"): rss = int(line.split()[1])
            if line.startswith("Pss:"): pss = int(line.split()[1])
    except OSError:
        continue
    tot_rss += rss; tot_pss += pss
    print(f"{os.path.basename(title) if title.startswith('/') else title:<24} {rss/1024:8.1f} {pss/1024:8.1f}")
print(f"{'all':<24} {tot_rss/1024:8.1f} {tot_pss/1024:8.1f}")
EOF
kill -TERM "$idle_pid" 2>/dev/null || true
wait "$idle_pid" 2>/dev/null || true

# 6. The report.
python3 - "$OUT" "$IDLE/roles.txt" "$N" "$C" "$SIZE" "$RUNS" "${EXTRA_OUTS[@]}" <<'EOF'
import json, os, statistics, sys
out, roles, n, c, size, runs = sys.argv[1:7]
rows = []
for d in [out] + sys.argv[7:]:
    try:
        with open(os.path.join(d, "runs.jsonl")) as f:
            more = [json.loads(l) for l in f if l.strip()]
    except OSError:
        print(f"no runs.jsonl in {d}: the harness failed early, see its log")
        continue
    for r in more:
        # Each workload is its own series: inbound/main, relay/main, relay/c200 ...
        r["series"] = f"{r.get('workload', 'inbound')}/" + (r["series"] if d == out else f"c{r['c']}")
    rows += more
rows = [r for r in rows if not r.get("superseded")]

def med(rs, key, scale=1.0):
    v = [r[key] * scale for r in rs if r.get(key) is not None]
    return statistics.median(v) if v else None

def fig(rs):
    ok = [r for r in rs if r.get("ok")]
    use = ok or rs
    d = {"runs": f"{len(ok)}/{len(rs)}", "n": use[0]["n"] if use else None}
    d["noisy"] = sum(1 for r in rs if r.get("noisy"))
    d["accept"] = med(use, "accept_rate")
    d["e2e"] = med(use, "e2e_rate")
    d["cpu_ms"] = statistics.median([r["server_cpu_s"] * 1000 / r["n"] for r in use if r.get("server_cpu_s") is not None] or [float("nan")])
    d["kthread_ms"] = statistics.median([r["kthread_cpu_s"] * 1000 / r["n"] for r in use if r.get("kthread_cpu_s") is not None] or [float("nan")])
    for k in ("peak_rss_kb", "peak_pss_kb", "idle_rss_kb", "idle_pss_kb"):
        d[k] = med(use, k, 1 / 1024)
    d["procs"] = med(use, "peak_procs")
    d["lost"] = sum(r.get("lost", 0) for r in rs)
    d["errors"] = [e for r in rs for e in r.get("errors", [])]
    return d

def f1(x, w=7, p=1):
    return f"{x:{w}.{p}f}" if isinstance(x, (int, float)) and x == x else f"{'-':>{w}}"

series = []
for r in rows:
    if r["series"] not in series:
        series.append(r["series"])
order = []
for r in rows:
    if r["server"] not in order:
        order.append(r["server"])
print()
print(f"Mail path: inbound -> ~benchuser/Maildir, and relay -> smtp-sink ({size}-byte body, 1 recipient, 1 message per connection)")
print("Durability: ours and Postfix fsync the queued message before the 250 reply to DATA; OpenSMTPD 6.8")
print("does not fsync its queue (harness RESULTS.md, point 3). All three fsync the Maildir file before it")
print("appears in Maildir/new.")
print("opensmtpd-backlog128 = OpenSMTPD with listen backlog 5 -> 128 (LD_PRELOAD shim); ours listens with 1024.")
for s in series:
    rs = [r for r in rows if r["series"] == s]
    cc = rs[0]["c"]
    print()
    print(f"-- {s} (c={cc}, median of runs) --")
    print(f"{'server':<22} {'runs':>5} {'noisy':>5} {'n':>5} {'accept/s':>8} {'deliv/s':>8} {'CPU ms/msg':>10} {'kthr ms':>7} "
          f"{'peakRSS':>7} {'peakPSS':>7} {'idleRSS':>7} {'idlePSS':>7} {'procs':>5}  (MiB)")
    figs = {}
    for srv in order:
        sr = [r for r in rs if r["server"] == srv]
        if not sr:
            continue
        d = figs[srv] = fig(sr)
        print(f"{srv:<22} {d['runs']:>5} {d['noisy']:>5} {d['n']:>5} {f1(d['accept'], 8, 0)} {f1(d['e2e'], 8, 0)} {f1(d['cpu_ms'], 10, 2)} "
              f"{f1(d['kthread_ms'], 7, 2)} {f1(d['peak_rss_kb'])} {f1(d['peak_pss_kb'])} {f1(d['idle_rss_kb'])} "
              f"{f1(d['idle_pss_kb'])} {f1(d['procs'], 5, 0)}")
    o = figs.get("ours")
    if o:
        for other in [x for x in figs if x != "ours"]:
            t = figs[other]
            def ratio(a, b):
                return f"{a / b:.2f}x" if a and b else "-"
            print(f"ours/{other}: accept {ratio(o['accept'], t['accept'])}, delivered {ratio(o['e2e'], t['e2e'])}, "
                  f"CPU/msg {ratio(o['cpu_ms'], t['cpu_ms'])}, peak PSS {ratio(o['peak_pss_kb'], t['peak_pss_kb'])}, "
                  f"idle PSS {ratio(o['idle_pss_kb'], t['idle_pss_kb'])}")
        p = figs.get("postfix")
        if p and s.startswith("relay/"):
            print("goals (issue 17, relay end to end):")
            if o["e2e"] and p["e2e"]:
                print(f"  relayed msg/s >= 1.2x Postfix  : {o['e2e'] / p['e2e']:.2f}x  {'met' if o['e2e'] >= 1.2 * p['e2e'] else 'NOT met'}")
            print(f"  nothing lost                   : lost {o['lost']}  {'met' if o['lost'] == 0 and not o['errors'] else 'NOT met'}")
            print(f"  server CPU per relayed message : {o['cpu_ms']:.2f} ms (Postfix {p['cpu_ms']:.2f} ms)")
        if p and s == "inbound/main":
            def goal(ok):
                return "met" if ok else "NOT met"
            print("goals (issue):")
            if o["accept"] and p["accept"]:
                print(f"  accepted msg/s >= 1.5x Postfix : {o['accept'] / p['accept']:.2f}x  {goal(o['accept'] >= 1.5 * p['accept'])}")
            if o["e2e"] and p["e2e"]:
                print(f"  delivered msg/s >= 1.5x Postfix: {o['e2e'] / p['e2e']:.2f}x  {goal(o['e2e'] >= 1.5 * p['e2e'])}")
            print(f"  server CPU <= 3 ms/message     : {o['cpu_ms']:.2f} ms  {goal(o['cpu_ms'] <= 3)}")
            if o["idle_pss_kb"] is not None:
                print(f"  idle PSS of all roles <= 12 MiB: {o['idle_pss_kb']:.1f} MiB  {goal(o['idle_pss_kb'] <= 12)}")
        by = {}
        for r in rs:
            if r["server"] == "ours":
                for k, v in (r.get("server_cpu_by_process") or {}).items():
                    by.setdefault(k, []).append(v * 1000 / r["n"])
        if by:
            print("ours CPU ms/msg by process: " + ", ".join(f"{k} {statistics.median(v):.2f}" for k, v in
                                                          sorted(by.items(), key=lambda kv: -statistics.median(kv[1]))))
    for srv, d in figs.items():
        if d["errors"]:
            print(f"FAILURES {srv}: lost {d['lost']}; " + "; ".join(d["errors"][:4]))
print()
try:
    print("ours at idle, per process (fresh instance, 2 s after listening):")
    print(open(roles).read().rstrip())
except OSError:
    pass
print("\nruns ok = without loss, errors or timeouts; noisy = other programs used > 0.15 CPU on average during")
print("the run (this machine is shared: compare servers within one invocation, absolute rates drift +-30 %).")
print(f"\nfull tables: {out}/summary.md; every figure: {out}/runs.jsonl; failed runs: {out}/failed/")
EOF
# 7. Garbage collection in ours' last run (its run directory survives until the next run).
OURS_LOG=${BENCH_VAR:-/var/tmp/anchors-bench}/run/ours/server.log
if [ -f "$OURS_LOG" ] && grep -q 'gc-stats:' "$OURS_LOG"; then
    python3 - "$OURS_LOG" "$N" <<'EOF'
import re, sys
log, n = sys.argv[1], int(sys.argv[2])
procs = {}
for line in open(log, errors="replace"):
    m = re.search(r"gc-stats: (\S+): collections (\d+)/(\d+)/(\d+) allocated (\d+) bytes", line)
    if m:
        p = procs.setdefault(m.group(1), [0, 0, 0, 0, 0])
        p[0] += 1
        for i in range(4):
            p[i + 1] += int(m.group(i + 2))
print(f"\nours, last run ({n} messages): garbage collection by process (delivery helpers summed)")
print(f"{'process':<12} {'procs':>5} {'gen0':>6} {'gen1':>6} {'gen2':>6} {'alloc KB':>10} {'bytes/msg':>10}")
tot = [0, 0, 0, 0]
for name, (count, g0, g1, g2, alloc) in sorted(procs.items()):
    print(f"{name:<12} {count:>5} {g0:>6} {g1:>6} {g2:>6} {alloc/1024:>10.0f} {alloc/n:>10.0f}")
    tot = [tot[0] + g0, tot[1] + g1, tot[2] + g2, tot[3] + alloc]
print(f"{'all':<12} {'':>5} {tot[0]:>6} {tot[1]:>6} {tot[2]:>6} {tot[3]/1024:>10.0f} {tot[3]/n:>10.0f}")
print(f"collections per 1000 messages: {1000 * (tot[0] + tot[1] + tot[2]) / n:.1f}; allocated per message: {tot[3] / n / 1024:.1f} KiB")
EOF
fi

say "mail-path benchmark: $(( $(date +%s) - t0 )) s, harness exit status $rc (log: $WORK/harness.log)"
exit "$rc"
