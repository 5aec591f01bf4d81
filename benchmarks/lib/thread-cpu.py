"""Per-thread CPU of one process between two samples, from /proc/PID/task/*/stat.

  python3 thread-cpu.py sample PID > before.txt     (one line per thread: tid, name, cpu ms)
  python3 thread-cpu.py diff before.txt after.txt SECONDS [TOP]

Thread names are the kernel's (15 characters at most: 'raft-n1-snapsho' is the snapshot writer or
the transfer worker, 'raft-n1-log-wri' the log writer, 'raft-n1' style names the loop).
"""
import os
import sys

HZ = os.sysconf("SC_CLK_TCK")


def sample(pid):
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
        except OSError:
            continue  # the thread ended
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        # fields[0] is stat's 3rd field (state): utime and stime are the 14th and 15th
        cpu_ms = (int(fields[11]) + int(fields[12])) * 1000 // HZ
        print(f"{tid}\t{name}\t{cpu_ms}")


def read(path):
    rows = {}
    with open(path) as f:
        for line in f:
            tid, name, ms = line.rstrip("\n").split("\t")
            rows[tid] = (name, int(ms))
    return rows


def diff(before, after, seconds, top):
    a, b = read(before), read(after)
    by_name = {}
    for tid, (name, ms) in b.items():
        used = ms - a.get(tid, (name, 0))[1]
        # pool threads of one kind share a name prefix: sum them by name with digits dropped
        key = name.rstrip("0123456789-")
        by_name[key] = by_name.get(key, 0) + used
    total = sum(by_name.values())
    print(f"  total {total / 1000 / seconds:.2f} cores", end="")
    for name, used in sorted(by_name.items(), key=lambda kv: -kv[1])[:top]:
        print(f" | {name} {used / 1000 / seconds:.2f}", end="")
    print()


if __name__ == "__main__":
    if sys.argv[1] == "sample":
        sample(sys.argv[2])
    else:
        diff(sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5]) if len(sys.argv) > 5 else 8)
