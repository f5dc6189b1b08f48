#!/usr/bin/env python3
# A scripted smtpd-filters(7) peer for the tests: logs every line it gets, refuses and rewrites
# on cue, rewrites message lines, and misbehaves on request.
import os, sys, time
name, logpath = sys.argv[1], sys.argv[2]
log = open(logpath, "a", buffering=1)
with open(logpath + ".pid.tmp", "w") as p:
    p.write(str(os.getpid()))
os.rename(logpath + ".pid.tmp", logpath + ".pid")
out = sys.stdout
def send(s):
    out.write(s + "\n"); out.flush()
first = {}
while True:
    line = sys.stdin.readline()
    if not line:
        break
    line = line.rstrip("\n")
    log.write(line + "\n")
    if line == "config|ready":
        for r in ["report|smtp-in|*", "filter|smtp-in|connect", "filter|smtp-in|helo", "filter|smtp-in|ehlo",
                  "filter|smtp-in|mail-from", "filter|smtp-in|rcpt-to", "filter|smtp-in|data-line", "filter|smtp-in|commit"]:
            send("register|" + r)
        send("register|ready")
        continue
    f = line.split("|")
    if f[0] != "filter":
        continue
    phase, sid, tok = f[4], f[5], f[6]
    param = "|".join(f[7:])
    if phase == "data-line":
        if sid not in first:
            first[sid] = True
            send(f"filter-dataline|{sid}|{tok}|X-Filtered-By: {name}")
        if param.startswith("Subject: "):
            param = "Subject: [" + name + "] " + param[len("Subject: "):]
        send(f"filter-dataline|{sid}|{tok}|{param}")
        if param == ".":
            first.pop(sid, None)
        continue
    result = "proceed"
    if phase == "mail-from" and param.startswith("spammer@"):
        result = "reject|550 5.7.1 go away spammer"
    elif phase == "mail-from" and param.startswith("junk@"):
        result = "junk"
    elif phase == "mail-from" and param.startswith("hang@"):
        continue
    elif phase == "mail-from" and param.startswith("garbage@"):
        send("this is not the protocol")
        continue
    elif phase == "mail-from" and param.startswith("die@"):
        os._exit(3)
    elif phase == "rcpt-to" and param.startswith("rewrite-me@"):
        result = "rewrite|<" + os.environ.get("FILTER_RCPT", "root@localhost") + ">"
    elif phase == "helo" and param == "bad.example":
        result = "disconnect|421 4.7.0 bad helo"
    send(f"filter-result|{sid}|{tok}|{result}")
