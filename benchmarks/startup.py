"""Start-up time of the flopcalc CLI against the floor of importing its four dependencies.

Run: python benchmarks/startup.py [--repeat N]
Each repetition runs every command once, in alternating order, so load on the machine
affects all of them alike; the report gives medians and each command's ratio to the floor.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

FLOOR = [sys.executable, "-c", "import pint, click, yaml, tabulate"]


def flopcalc_cmd(*args: str) -> list[str]:
    exe = shutil.which("flopcalc", path=os.path.dirname(sys.executable)) or shutil.which("flopcalc")
    return [exe, *args] if exe else [sys.executable, "-m", "flopcalc", *args]


CASES = {
    "floor: import pint, click, yaml, tabulate": FLOOR,
    "flopcalc cost 1e26 --gpu h100": flopcalc_cmd("cost", "1e26", "--gpu", "h100"),
    "flopcalc cost 1e26 --gpu h100 --format json": flopcalc_cmd("cost", "1e26", "--gpu", "h100", "--format", "json"),
    "flopcalc --help": flopcalc_cmd("--help"),
}


def run_once(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=os.path.expanduser("~"))
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=21, help="repetitions of each command (default 21)")
    ns = ap.parse_args()
    times: dict[str, list[float]] = {k: [] for k in CASES}
    for cmd in CASES.values():  # warm the file cache
        run_once(cmd)
    names = list(CASES)
    for i in range(ns.repeat):
        order = names if i % 2 == 0 else names[::-1]
        for name in order:
            times[name].append(run_once(CASES[name]))
    floor = statistics.median(times[names[0]])
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {ns.repeat} alternating repetitions")
    print(f"{'command':<48} {'median ms':>10} {'ratio to floor':>15}")
    for name in names:
        med = statistics.median(times[name])
        print(f"{name:<48} {med * 1000:>10.1f} {med / floor:>15.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
