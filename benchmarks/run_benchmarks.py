"""Time the default pack and the hot library paths; prints the figures.

    .venv/bin/python benchmarks/run_benchmarks.py          (or `make benchmark`)

Targets (2-core machine, environment already built):
- the whole default pack in under 20 s;
- 10,000 Monte Carlo draws over a 5-year horizon well under a second;
- benchmark positions for every English authority on every RS line in under 2 s
  (needs ../shared/data/public; skipped where absent);
- each report under 2 MB, the summary under 1 MB.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from analysis.core import config, paths
from analysis.pack.build import build_pack


def pack_timings() -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        result = build_pack("dorset", "latest", "base", output_root=Path(tmp))
        wall = time.perf_counter() - started
        if not result.ok:
            sys.exit(result.message)
        t = result.timings
        print("Default pack (dorset, latest, base)")
        print(f"  validate inputs   {t['validate_s']:6.2f} s")
        print(f"  execute notebooks {t['execute_s']:6.2f} s  (2 at a time, then the summary)")
        for nb in result.notebooks:
            print(
                f"    {nb.notebook:<28} {nb.duration_s:6.2f} s execute, {nb.render_s:5.2f} s render"
            )
        print(f"  render HTML       {t['render_s']:6.2f} s")
        print(f"  total             {t['total_s']:6.2f} s  (wall {wall:.2f} s; target < 20 s)")
        from measure_sizes import print_sizes

        print_sizes(result.directory)
        return result.directory


def monte_carlo_timing() -> None:
    from analysis import mtfp
    from analysis.core.schedule import resolve_period
    from analysis.mtfp import montecarlo

    council = config.load_council("dorset")
    assumptions = mtfp.load_assumptions(council)
    plan = mtfp.resolve_scenario(assumptions, "base")
    # The base case takes the current year from the savings register (as the notebook does).
    evidence = mtfp.delivery_evidence(assumptions, council, resolve_period(council, "latest"))
    montecarlo.monte_carlo(plan, council, evidence, draws=100, seed=1)  # warm up
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        montecarlo.monte_carlo(plan, council, evidence, draws=10_000, seed=1)
        best = min(best, time.perf_counter() - started)
    horizon = len(plan.years)
    print("Monte Carlo (10,000 draws)")
    print(f"  best of 5          {best * 1000:7.1f} ms for {horizon} years (target well under 1 s)")
    print(f"  throughput         {10_000 / best:,.0f} draws per second")


def positions_timing() -> None:
    public = paths.shared_public_data()
    if public is None:
        print("Benchmark positions: skipped (../shared/data/public not beside this checkout)")
        return
    import subprocess

    script = Path(__file__).parent / "benchmark_positions.py"
    subprocess.run([sys.executable, str(script), str(public)], check=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    pack_timings()
    monte_carlo_timing()
    positions_timing()
