"""The vectorised grid against a loop of scalar calls: per-cell time and speed-up.

Run: python benchmarks/grid.py   (needs numpy: pip install 'flopcalc[grid]')
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np

import flopcalc


def main() -> int:
    flops = np.logspace(22, 27, 100)
    effs = np.linspace(0.1, 0.6, 100)
    prices = np.linspace(1.0, 4.0, 10)
    overheads = np.linspace(1.0, 2.0, 10)
    flopcalc.grid(flops[:2], "h100", efficiency=effs[:2])  # warm up: registry, profile
    grid_times = []
    for _ in range(5):
        t0 = time.perf_counter()
        g = flopcalc.grid(flops, "h100", efficiency=effs, price=prices, overhead=overheads)
        grid_times.append(time.perf_counter() - t0)
    cells = g.size
    grid_per_cell = statistics.median(grid_times) / cells

    sample = [(float(f), float(e), float(p), float(o)) for f in flops[::10] for e in effs[::10]
              for p in prices[::1][:5] for o in overheads[:2]][:1000]
    loop_times = []
    for _ in range(3):
        t0 = time.perf_counter()
        for f, e, p, o in sample:
            flopcalc.cost(f, "h100", efficiency=e, price=p, overhead=o)
        loop_times.append(time.perf_counter() - t0)
    loop_per_cell = statistics.median(loop_times) / len(sample)
    print(f"grid: {cells:,} cells in {statistics.median(grid_times) * 1000:.1f} ms = "
          f"{grid_per_cell * 1e9:.1f} ns per cell")
    print(f"scalar loop: {len(sample):,} calls in {statistics.median(loop_times) * 1000:.1f} ms = "
          f"{loop_per_cell * 1e6:.1f} us per cell")
    print(f"speed-up: {loop_per_cell / grid_per_cell:,.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
