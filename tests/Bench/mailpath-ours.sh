#!/usr/bin/env bash
# Adapter for our smtpd in the shared anchors harness (../shared/bench, protocol in its
# servers/lib.sh). mailpath.sh copies the harness into a scratch directory and installs this
# file there as servers/ours.sh; the shared tree itself is never modified.
#
# Ours reads the very smtpd.conf the OpenSMTPD adapter renders (templates/smtpd.conf.in). It
# runs as root in privileged mode: the roles chroot into an empty dir and drop to _smtpd and
# _smtpq, and maildir delivery runs as benchuser through the delivery helper. Queue, control
# socket and chroot dir all live in the run directory.
#
# Environment: OURS_BIN (the AOT binary; mailpath.sh copies build/smtpd to a stable place),
# OURS_ENV (optional "NAME=value ..." added to the server's environment, e.g. GC knobs),
# OURS_FILTER (optional: "proc-exec" puts a pass-through filter process (passthrough_filter.py,
# installed beside this adapter) on the listener, for mail-from and every message line; "dkim"
# our builtin DKIM signer with a fresh 2048-bit RSA key, signing mail from bench.test).
. "$(dirname "$0")/lib.sh"

OURS_BIN=${OURS_BIN:?mailpath.sh sets OURS_BIN}
CONF=$BENCH_RUNDIR/smtpd.conf
SPOOL_DIR=$BENCH_RUNDIR/spool
EMPTY_DIR=$BENCH_RUNDIR/empty
SOCK=$BENCH_RUNDIR/smtpd.sock

case ${1:-} in
version)
    v=$("$OURS_BIN" -h 2>&1 | sed -n 's/.*version: //p' | head -1) || v=""
    echo "ours: ${v:-smtpd} (Native AOT, $OURS_BIN)${OURS_ENV:+ env: $OURS_ENV}${OURS_FILTER:+ filter: $OURS_FILTER}"
    ;;
prepare)
    [ -x "$OURS_BIN" ] || die "OURS_BIN=$OURS_BIN is not executable"
    mkdir -p "$SPOOL_DIR" "$EMPTY_DIR"
    chown root:root "$SPOOL_DIR" "$EMPTY_DIR"
    chmod 711 "$SPOOL_DIR"
    chmod 755 "$EMPTY_DIR"
    render_smtpdconf "$CONF"
    case ${OURS_FILTER:-} in
    "") ;;
    proc-exec)
        install -m 0755 "$(dirname "$0")/passthrough_filter.py" "$BENCH_RUNDIR/passthrough_filter.py"
        sed -i -e '1i filter "bench" proc-exec "/usr/bin/python3 '"$BENCH_RUNDIR"'/passthrough_filter.py"' \
            -e 's/^listen on .*/& filter "bench"/' "$CONF"
        ;;
    dkim)
        openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$BENCH_RUNDIR/dkim.key" 2>/dev/null
        chmod 600 "$BENCH_RUNDIR/dkim.key"
        sed -i -e '1i filter "bench" dkim-sign domain "bench.test" selector "bench" key "'"$BENCH_RUNDIR"'/dkim.key"' \
            -e 's/^listen on .*/& filter "bench"/' "$CONF"
        ;;
    *) die "OURS_FILTER=$OURS_FILTER: expected proc-exec or dkim" ;;
    esac
    "$OURS_BIN" -n -f "$CONF" >/dev/null 2>"$BENCH_RUNDIR/configtest.err" \
        || die "smtpd -n rejected $CONF: $(cat "$BENCH_RUNDIR/configtest.err")"
    ;;
start)
    echo $$ > "$BENCH_RUNDIR/server.pid"   # exec keeps the PID: this becomes smtpd's parent
    # shellcheck disable=SC2086 # OURS_ENV is a list of NAME=value words
    exec env ${OURS_ENV:-} "$OURS_BIN" -d -f "$CONF" --queue-dir "$SPOOL_DIR" \
        --socket "$SOCK" --empty-dir "$EMPTY_DIR" >>"$BENCH_RUNDIR/server.log" 2>&1
    ;;
stop)
    pid=$(cat "$BENCH_RUNDIR/server.pid" 2>/dev/null) || exit 0
    kill -TERM "$pid" 2>/dev/null || true
    ;;
queue)
    # envelopes still queued: queue/<bucket>/<msgid>/<evpid> files (16 hex digits), and incoming/
    find "$SPOOL_DIR/queue" "$SPOOL_DIR/incoming" -type f -regex '.*/[0-9a-f]\{16\}' 2>/dev/null | wc -l
    ;;
notes)
    cat <<'EOF'
queue: body and envelopes written, syncfs(2) of the spool, renamed from incoming/ into queue/, syncfs again, all before the 250 reply to DATA; the syncs are shared by the commits of concurrent sessions, and under load one syncfs ends one batch and starts the next (src/Queue/FsQueueBackend.Message.cs, QueueCommitter.cs).
maildir: the delivery helper (running as the user) writes an unnamed O_TMPFILE file in Maildir/tmp, fsync()s it, links it into new/ and fsync()s new/.
limits: listen backlog 1024 (src/Parent/ListenerBinder.cs); other limits are OpenSMTPD's defaults.
EOF
    ;;
*) die "usage: $0 version|prepare|start|stop|queue|notes" ;;
esac
