"""Scale: flopcalc cost with many FLOP values, and trend with many values over the years.

Run: python benchmarks/scale.py
The issue's bar: cost with 2,000 FLOP values answers in under 2 s; time grows linearly and memory
does not grow with the number of rows (JSON and CSV rows are streamed). Prints wall time and peak
memory (ru_maxrss of the child) for each size.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import time

FLOPCALC = shutil.which("flopcalc") or sys.exit("flopcalc is not on PATH: pip install . first")


def run(args: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    subprocess.run([FLOPCALC, *args], check=True, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(after, before) / 1024


def main() -> None:
    for n in (500, 2000, 10000):
        values = [f"{1e20 * 1.0005 ** i:.6e}" for i in range(n)]
        for fmt in ("json", "csv"):
            s, mb = run(["cost", *values, "--gpu", "h100", "--format", fmt])
            print(f"cost   {n:>6} FLOP values  --format {fmt:<4}  {s:6.2f} s  peak {mb:6.1f} MB")
    for n in (100, 1000):
        values = [f"{1e22 * 1.01 ** i:.4e}" for i in range(n)]
        s, mb = run(["trend", *values, "--from", "2017", "--to", "2036", "--format", "csv"])
        print(f"trend  {n:>6} values x 20 years        {s:6.2f} s  peak {mb:6.1f} MB")
    s, _ = run(["plot", "--out", "/tmp/flopcalc-bench.png"]) if shutil.which("flopcalc") else (0, 0)
    print(f"plot   default chart                     {s:6.2f} s")


if __name__ == "__main__":
    main()
