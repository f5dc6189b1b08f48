#!/usr/bin/env python3
# The benchmark's filter process (smtpd-filters(7) 0.7): registers data-line and mail-from and
# passes everything through unchanged, so the workload measures the filter path itself.
import sys
out = sys.stdout
for line in sys.stdin:
    line = line.rstrip("\n")
    if line == "config|ready":
        out.write("register|filter|smtp-in|mail-from\nregister|filter|smtp-in|data-line\nregister|ready\n")
        out.flush()
        continue
    f = line.split("|", 7)
    if f[0] != "filter":
        continue
    if f[4] == "data-line":
        out.write(f"filter-dataline|{f[5]}|{f[6]}|{f[7] if len(f) > 7 else ''}\n")
        if len(f) > 7 and f[7] == ".":
            out.flush()
    else:
        out.write(f"filter-result|{f[5]}|{f[6]}|proceed\n")
        out.flush()
