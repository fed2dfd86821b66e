"""``python -m analysis batch``: packs for many councils, and the national index."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.core import paths

EXIT_SOME_FAILED = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument(
        "--class",
        dest="classes",
        default="",
        help="authority classes, e.g. UA,MD,LB,SC (the upper tier); default: UA,MD,LB,SC,SD",
    )
    chosen.add_argument(
        "--councils",
        default="",
        help="comma-separated ONS codes or names such as E06000022,manchester",
    )
    parser.add_argument(
        "--notebooks",
        default="",
        help="comma-separated notebooks (default: benchmark,summary; the full pack for a council "
        "with its own MTFP and savings inputs in data/raw/)",
    )
    parser.add_argument(
        "--public-data",
        type=Path,
        default=None,
        help="folder of published government files (default: ../shared/data/public, else "
        "data/raw/public)",
    )
    parser.add_argument(
        "--output-dir", type=Path, default=None, help="root of the packs (default: outputs/)"
    )
    parser.add_argument(
        "--period", default="", help="one period for every council (default: each its latest)"
    )
    parser.add_argument(
        "--scheduler",
        default="",
        help="address of a running Dask scheduler, e.g. tcp://host:8786 (default: a local "
        "cluster with one worker per core)",
    )
    parser.add_argument(
        "--workers", type=int, default=0, help="workers of the local cluster (default: cores)"
    )
    parser.add_argument(
        "--force", action="store_true", help="rebuild councils whose inputs and code are unchanged"
    )


def _public_data(given: Path | None) -> Path:
    if given is not None:
        return given.resolve()
    return paths.default_public_data() or paths.raw_dir() / "public"


def run(args: argparse.Namespace) -> int:
    from analysis import benchmarking
    from analysis.batch.councils import prepare, select
    from analysis.batch.national import write_national
    from analysis.batch.run import run_batch
    from analysis.core.errors import InputError, display_path

    public = _public_data(args.public_data)
    if not public.is_dir():
        raise InputError.single(
            display_path(public),
            "public data folder not found: run 'python -m analysis data fetch' or give "
            "--public-data",
        )
    found = benchmarking.authorities(public)
    chosen = select(
        found,
        classes=[c for c in args.classes.split(",") if c.strip()] or None,
        councils=[c for c in args.councils.split(",") if c.strip()] or None,
    )
    notebooks = [k.strip() for k in args.notebooks.split(",") if k.strip()] or None
    councils = prepare(chosen, display_path(public), notebooks, args.period or None)
    output_root = (args.output_dir or paths.outputs_dir()).resolve()
    report = run_batch(
        councils,
        output_root,
        public,
        scheduler=args.scheduler or None,
        workers=args.workers or None,
        force=args.force,
        progress=lambda message: print(message, flush=True),
    )
    index = write_national(report.outcomes, output_root, report.seconds)
    print(
        f"\n{report.count('ok')} built, {report.count('skipped')} unchanged, "
        f"{report.count('failed')} failed, in {report.seconds:.0f} s on {report.workers} "
        f"workers.\nNational index: {index}"
    )
    for outcome in report.outcomes:
        if outcome["status"] == "failed":
            print(f"  failed: {outcome['slug']}: {outcome['reason']}", file=sys.stderr)
    return 0 if report.ok else EXIT_SOME_FAILED
