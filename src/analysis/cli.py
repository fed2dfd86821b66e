"""The one entry point: ``python -m analysis <command>``.

python -m analysis run --council dorset --period latest --scenario base
python -m analysis validate --council dorset --period 2021-22-Q2
python -m analysis data fetch [URL ...]
python -m analysis list
python -m analysis new-council "Kent" --public-data ../shared/data/public
python -m analysis batch --class UA,MD,LB,SC

Exit status: 0 done; 1 a notebook failed; 2 a mistake in the inputs or the command (nothing was
written); 3 the environment stopped the run (a folder that cannot be written, a full disk,
another run holding the lock: the last good pack is untouched); 130 interrupted (Ctrl-C or
SIGTERM: nothing was published and nothing is left behind).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from analysis.core import blas, paths, stops
from analysis.core.cli_options import add_fetch_arguments
from analysis.core.errors import EnvironmentFault, InputError, display_path

EXIT_NOTEBOOK_FAILED = 1
EXIT_INPUT_ERROR = 2
EXIT_ENVIRONMENT = 3
EXIT_INTERRUPTED = 130


def _positive_seconds(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of seconds") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds (found {value})")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds") from None
    if value < 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be 0 or more seconds (found {text})")
    return value


def _say(message: str) -> None:
    print(message, flush=True)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--council", default="dorset", help="folder under data/raw (default: dorset)"
    )
    parser.add_argument(
        "--period",
        default="latest",
        help="quarter such as 2021-22-Q1, or 'latest' for the most recent with data (default)",
    )
    parser.add_argument("--scenario", default="base", help="MTFP scenario name (default: base)")
    parser.add_argument(
        "--public-data",
        type=Path,
        default=None,
        help="folder of published government files (RS, CTR, MYE4, ...) to benchmark on; "
        "default: the council's illustrative panel",
    )
    parser.add_argument(
        "--notebooks",
        default="",
        help="comma-separated subset: mtfp,savings,benchmark,summary (default: all)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Build and check the quarterly council finance pack.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run", help="build the pack: validate, execute notebooks, render HTML"
    )
    _common(run)
    run.add_argument(
        "--output-dir", type=Path, default=None, help="root of the packs (default: outputs/)"
    )
    run.add_argument(
        "--timeout",
        type=_positive_seconds,
        default=600,
        help="seconds allowed per notebook cell (default 600)",
    )
    run.add_argument(
        "--replace",
        action="store_true",
        help="let a --notebooks subset replace a pack that holds other notebooks",
    )
    run.add_argument(
        "--wait",
        type=_seconds,
        default=600,
        help="seconds to wait while another run builds the same council and period (default 600)",
    )
    run.add_argument(
        "--pdf",
        action="store_true",
        help="also print the committee paper, one PDF of the whole pack (needs Chromium)",
    )
    run.add_argument(
        "--screenshots",
        action="store_true",
        help="also save a PNG of each report's first screen under screenshots/ (needs Chromium)",
    )

    validate = commands.add_parser("validate", help="check a council's input data; writes nothing")
    _common(validate)

    data = commands.add_parser("data", help="public data: download the published files")
    data_commands = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")
    fetch = data_commands.add_parser("fetch", help="download published files into data/raw/public/")
    add_fetch_arguments(fetch)

    commands.add_parser("list", help="councils, periods with data, scenarios and notebooks")

    starter = commands.add_parser(
        "new-council", help="a starter folder in data/raw/ for any English council"
    )
    starter.add_argument("council", help="ONS code (E06000059) or name of the council")
    starter.add_argument(
        "--public-data", type=Path, required=True, help="folder of the published files (RS, CTR)"
    )

    batch = commands.add_parser(
        "batch", help="packs for many councils on Dask, and a national index of them"
    )
    from analysis.batch import command as batch_command

    batch_command.add_arguments(batch)
    return parser


def cmd_run(args: argparse.Namespace) -> int:
    from analysis.pack.catalogue import select_notebooks
    from analysis.pack.engine import KernelPool, default_workers
    from analysis.pack.execute import ensure_kernel

    keys = _notebook_keys(args)
    _say(f"Building the pack for {args.council}, period {args.period}, scenario {args.scenario}")
    # The kernels' parent starts first and imports the notebooks' modules (about a second and
    # a half) while this process imports the rest and checks the inputs.
    count = len(select_notebooks(keys))
    with KernelPool(default_workers(count), ensure_kernel(), svg_later=True) as pool:
        result = _build(args, keys, pool)
    if not result.ok:
        print(f"\nThe pack was not built.\n{result.message}", file=sys.stderr)
        return EXIT_NOTEBOOK_FAILED
    t = result.timings
    _say(
        f"\nPack ready in {t['total_s']:.1f} s (checks {t['validate_s']:.1f} s, notebooks "
        f"{t['execute_s']:.1f} s, rendering {t['render_s']:.1f} s):\n  {result.directory / 'index.html'}"
    )
    return 0


def _build(args: argparse.Namespace, keys: list[str] | None, pool):
    from analysis.pack.build import PackRequest, build_pack

    after_render = None
    if args.pdf or args.screenshots:
        from analysis.pack import browser

        try:
            after_render = browser.pack_extras(
                pdf=args.pdf, screenshots=args.screenshots, progress=_say
            )
        except browser.BrowserNotFound as exc:
            raise EnvironmentFault(
                os.environ.get("CHROMIUM") or "chromium",
                f"{_one_line(exc)} (or set CHROMIUM to the browser's path)",
            ) from None
    request = PackRequest(
        council=args.council,
        period=args.period,
        scenario=args.scenario,
        notebooks=keys,
        output_root=args.output_dir,
        public_data=_public_data(args),
        timeout_s=args.timeout,
        replace=args.replace,
        lock_wait_s=args.wait,
    )
    try:
        return build_pack(request, progress=_say, after_render=after_render, pool=pool)
    except Exception as exc:
        from analysis.pack import browser

        if not isinstance(exc, browser.BrowserFailed):
            raise
        raise EnvironmentFault(
            str(browser.find_chromium()),
            f"{_one_line(exc)}; nothing was published (check that the browser runs, or run "
            "without --pdf/--screenshots)",
        ) from None


def _one_line(exc: Exception) -> str:
    """An exception's message on one line."""
    return " ".join(str(exc).split())


def _council_folder(args: argparse.Namespace) -> Path | None:
    """The council's folder, or None when it has none (or its name is refused: loading the
    council then says why)."""
    try:
        folder = paths.council_dir(args.council)
    except ValueError:
        return None
    return folder if folder.is_dir() else None


def _notebook_keys(args: argparse.Namespace) -> list[str] | None:
    """The notebooks asked for; when none are, those the council has inputs for (saying so when
    that is not all of them)."""
    from analysis.pack.catalogue import default_notebooks

    keys = [k.strip() for k in args.notebooks.split(",") if k.strip()]
    if keys:
        return keys
    folder = _council_folder(args)
    public_only = default_notebooks(folder) if folder is not None else None
    if public_only:
        _say(
            f"{args.council} has no MTFP assumptions or savings registers in {folder.name}/: "
            f"{' and '.join(public_only)} only (--notebooks chooses)"
        )
        return list(public_only)
    return None


def _public_data(args: argparse.Namespace) -> Path | None:
    """The folder given with --public-data; for a council a batch generated from the published
    data (it has no benchmarking panel of its own), those files where they are by default."""
    if args.public_data is not None:
        return args.public_data
    folder = _council_folder(args)
    if folder is None or folder.parent != paths.generated_councils_dir():
        return None
    found = paths.default_public_data()
    if found is not None:
        _say(
            f"{args.council} was generated from the published files: using those in {display_path(found)}"
        )
    return found


def cmd_validate(args: argparse.Namespace) -> int:
    from analysis.core import config
    from analysis.core.schedule import resolve_period
    from analysis.pack.catalogue import select_notebooks
    from analysis.pack.validate import validate_all

    specs = select_notebooks(_notebook_keys(args))
    modules = tuple(dict.fromkeys(s.validates for s in specs if s.validates))
    council = config.load_council(args.council)
    period = resolve_period(council, args.period)
    summaries = validate_all(council, period, args.scenario, _public_data(args), modules)
    _say(f"OK: {council.name}, {period.label}, scenario '{args.scenario}'")
    for line in summaries:
        _say(f"  {line}")
    return 0


def cmd_list(_args: argparse.Namespace) -> int:
    from analysis.core.schedule import periods_with_data
    from analysis.pack.catalogue import NOTEBOOKS

    _say("Councils (data/raw/<council>/):")
    for slug in paths.available_councils():
        periods = ", ".join(str(p) for p in periods_with_data(slug)) or "no savings snapshots"
        _say(f"  {slug}: {periods}")
    _say("Notebooks (--notebooks):")
    for spec in NOTEBOOKS:
        _say(f"  {spec.key:<10} {spec.filename}  {spec.title}")
    return 0


def cmd_new_council(args: argparse.Namespace) -> int:
    from analysis.mtfp.starter import new_council

    found, folder = new_council(args.council, args.public_data)
    _say(f"Matched {found.name} ({found.authority_class}, {found.ons_code})")
    _say(f"Wrote {display_path(folder)}: council.yaml, mtfp.yaml, ILLUSTRATIVE.md, savings/")
    _say(f"Next: python -m analysis run --council {folder.name} --public-data {args.public_data}")
    return 0


def _environment_fault(args: argparse.Namespace, exc: OSError) -> EnvironmentFault:
    """One line for an operating-system error that reached the command: the file it names; for
    a batch given --scheduler, a connection that failed names the scheduler's address."""
    scheduler = getattr(args, "scheduler", None)
    if exc.filename is None and scheduler:
        return EnvironmentFault(
            scheduler,
            f"cannot reach the Dask scheduler ({_one_line(exc)}): start it (`dask scheduler`) "
            "and its workers, check the address, or leave out --scheduler for a local cluster",
        )
    if exc.filename is None:
        return EnvironmentFault(
            "(no file named)", f"{_one_line(exc)}: check the disk and the folders the run writes"
        )
    return EnvironmentFault.from_os_error(exc, exc.filename)


def _batch_interrupted(args: argparse.Namespace) -> str:
    """What an interrupted batch leaves: the packs it published before the stop (their
    manifests are newer than the command), which stay in place."""
    root = (args.output_dir or paths.outputs_dir()).resolve()
    published = 0
    for manifest in root.glob("*/**/manifest.json"):
        try:
            name = manifest.parent.name
            if manifest.stat().st_mtime < args.started or name.startswith("."):
                continue
            published += not name.endswith(".failed")
        except OSError:
            continue
    packs = f"{published} pack{'s' if published != 1 else ''}"
    return (
        f"Interrupted: {packs} published before the stop stay in {display_path(root)}; the "
        "councils not finished keep their last good pack (run the batch again to finish them)."
    )


# A scheduler stopping the run (SIGTERM) and a closed terminal (SIGHUP) clean up like Ctrl-C.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def main(argv: list[str] | None = None) -> int:
    blas.one_thread(os.environ)  # before numpy is imported, here and in the batch's workers
    parser = build_parser()
    args = parser.parse_args(argv)
    args.started = time.time()
    previous = {}
    stops.forget()
    # Ctrl-C too, where Python's own handler has it (a background job's ignored SIGINT stays
    # ignored): the same KeyboardInterrupt, and kept for stops.check if Python drops it.
    interrupt = (
        (signal.SIGINT,) if signal.getsignal(signal.SIGINT) is signal.default_int_handler else ()
    )
    for number in (*STOP_SIGNALS, *interrupt):
        try:
            previous[number] = signal.signal(number, stops.stop)
        except ValueError:  # not the main thread
            break
    try:
        return _dispatch(parser, args)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        stops.forget()


def _dispatch(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    try:
        if args.command == "run":
            return cmd_run(args)
        if args.command == "validate":
            return cmd_validate(args)
        if args.command == "list":
            return cmd_list(args)
        if args.command == "new-council":
            return cmd_new_council(args)
        if args.command == "batch":
            from analysis.batch import command as batch_command

            return batch_command.run(args)
        if args.command == "data":
            from analysis.benchmarking import fetch

            return fetch.run(args)
    except InputError as exc:
        print(f"\nStopped before building anything. {exc.render()}", file=sys.stderr)
        return EXIT_INPUT_ERROR
    except EnvironmentFault as exc:
        print(f"\nCannot build the pack: {exc}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    except KeyboardInterrupt as exc:
        from analysis.pack.publish import InterruptedAfterPublishing

        if isinstance(exc, InterruptedAfterPublishing):
            print(f"\n{exc}", file=sys.stderr)
        elif args.command == "batch":
            print(f"\n{_batch_interrupted(args)}", file=sys.stderr)
        else:
            print(
                "\nInterrupted: nothing was published and the last good pack is untouched.",
                file=sys.stderr,
            )
        return EXIT_INTERRUPTED
    except MemoryError:  # one line, never a traceback (and never 1, a failed notebook)
        print(
            "\nCannot build the pack: the machine ran out of memory reading the inputs "
            "(close other programs, or check the files are the ones meant)",
            file=sys.stderr,
        )
        return EXIT_ENVIRONMENT
    except ValueError as exc:  # a malformed --period and the like
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT_ERROR
    except OSError as exc:  # the machine, not the inputs: an unreadable file, a full disk
        print(f"\nCannot build the pack: {_environment_fault(args, exc)}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    parser.error(f"unknown command {args.command}")
    return EXIT_INPUT_ERROR
