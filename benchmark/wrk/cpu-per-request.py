#!/usr/bin/env python3
"""Where a load's CPU goes: runs wrk (arguments passed through) and reads /proc before and after.

Prints wrk's report, then the CPU time each process group used during the run, in cores and in
milliseconds per request (wrk's request count): the API JVM split by thread pool, each Postgres
server by data directory (its backends included), Redis, and the rest. Processes that start and
exit within the run (wrk itself) are not counted. Linux only.

    KB_KEY=... MODE=hybrid CLAIMS=../shared/data/scifact/queries.jsonl \\
      benchmark/wrk/cpu-per-request.py -t4 -c4 -d30s --latency \\
      -s benchmark/wrk/unique-search.lua http://127.0.0.1:25480
"""
import collections
import os
import re
import subprocess
import sys
import time

TICKS = os.sysconf("SC_CLK_TCK")


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return None


def cpu_ticks(stat):
    fields = stat[stat.rfind(")") + 2:].split()
    return int(fields[11]) + int(fields[12]), int(fields[1])  # utime + stime, parent pid


def group(pid, cmdline, parent_cmdline):
    if "kb-cli.jar" in cmdline:
        return "kb " + (cmdline.split("kb-cli.jar", 1)[1].split() or ["?"])[0]
    for cmd in (cmdline, parent_cmdline or ""):
        if "postgres" in cmd and " -D " in cmd:
            return "postgres " + os.path.basename(cmd.split(" -D ", 1)[1].split()[0])
    if cmdline.startswith("redis-server"):
        return "redis"
    return "other"


def snapshot():
    """CPU ticks by (group, thread pool) for every process, and the API JVM's threads."""
    processes = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        stat = read(f"/proc/{pid}/stat")
        cmdline = read(f"/proc/{pid}/cmdline")
        if stat is None or cmdline is None:
            continue
        ticks, ppid = cpu_ticks(stat)
        cmdline = cmdline.replace("\0", " ").strip()
        processes[pid] = (ticks, ppid, cmdline)
    out = collections.Counter()
    for pid, (ticks, ppid, cmdline) in processes.items():
        parent = processes.get(str(ppid), (0, 0, ""))[2]
        name = group(pid, cmdline, parent)
        if name == "kb api":
            for tid in os.listdir(f"/proc/{pid}/task"):
                stat = read(f"/proc/{pid}/task/{tid}/stat")
                comm = read(f"/proc/{pid}/task/{tid}/comm")
                if stat is None or comm is None:
                    continue
                pool = re.sub(r"[-_#]?\d+$", "", comm.strip()) or "?"
                out[(name, pid + "/" + tid, pool)] += cpu_ticks(stat)[0]
        else:
            out[(name, pid, "")] += ticks
    return out


def main():
    before = snapshot()
    start = time.time()
    run = subprocess.run(["wrk", *sys.argv[1:]], capture_output=True, text=True)
    seconds = time.time() - start
    after = snapshot()
    sys.stdout.write(run.stdout)
    sys.stderr.write(run.stderr)
    found = re.search(r"(\d+) requests in", run.stdout)
    requests = int(found.group(1)) if found else 0
    used = collections.Counter()
    for key, ticks in after.items():
        used[(key[0], key[2])] += ticks - before.get(key, 0)
    total = sum(used.values()) / TICKS
    print(f"# CPU during the run ({seconds:.1f} s, {requests} requests,"
          f" {os.cpu_count()} cores): {total:.1f} s = {total / seconds:.2f} cores"
          + (f", {1000 * total / requests:.2f} ms a request" if requests else ""))
    by_group = collections.Counter()
    for (name, _pool), ticks in used.items():
        by_group[name] += ticks
    for name, ticks in by_group.most_common():
        if ticks <= 0:
            continue
        line = f"#   {name:28s} {ticks / TICKS / seconds:5.2f} cores"
        if requests:
            line += f" {1000 * ticks / TICKS / requests:6.2f} ms/request"
        print(line)
        if name == "kb api":
            pools = [(p, t) for (n, p), t in used.items() if n == name and t > 0]
            for pool, t in sorted(pools, key=lambda x: -x[1]):
                if 1000 * t / TICKS / max(requests, 1) >= 0.05:
                    print(f"#     thread pool {pool:18s} {1000 * t / TICKS / max(requests, 1):6.2f} ms/request")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
