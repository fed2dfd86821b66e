"""Measure the input caps of issues 10 and 23 on hostile files; prints the figures.

    .venv/bin/python benchmarks/benchmark_hostile.py

Issue 10, in this process:

- a 100,000-row savings register (CSV and .xlsx) validated: target a few seconds;
- a YAML alias bomb (9 levels of 9 aliases, 387 million values expanded) refused: target < 1 s;
- an .xlsx whose one cell holds 10 million characters refused: target < 5 s;
- a 100,000-row table shown in a report: the HTML it makes (rows capped) in KB.

Issue 23, the faults of a run, each a fresh ``python -m analysis run`` of a one-notebook pack
(a stand-in for the savings notebook) in a scratch project: a cell ``time.sleep(30)`` under
``--timeout 3`` (exit 1), a read-only ``HOME`` and ``JUPYTER_RUNTIME_DIR`` (exit 3), ``--pdf``
with ``CHROMIUM`` a missing program or ``/bin/false`` (exit 3), and SIGTERM between the two
renames of a publish (exit 130, a pack in place); each under 10 s and 500 MB, no scratch folder
left.

Issue 23, each case a fresh ``python -m analysis validate`` on a copy of data/raw/dorset in a
scratch project (``$COUNCIL_FINANCE_ROOT``), with the command's time, peak memory (GNU time's
maximum resident set size) and exit status: every case under 10 s and 500 MB, exit 2 for bad inputs. The
hostile files are built here, in the scratch folder, from ``tests/hostile_files.py``.
"""

from __future__ import annotations

import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from analysis.core.config import Council, load_yaml
from analysis.core.display import capped_table_html
from analysis.core.errors import InputError
from analysis.core.tables import save_table
from analysis.savings.register import load_register

HEADER = ["Ref", "Title", "Directorate", "Type", "Financial year", "Planned", "Delivered",
          "Forecast", "RAG", "Owner", "Mitigation", "Note"]  # fmt: skip


def _council(folder: Path) -> Council:
    return Council(
        name="Benchmark Council",
        ons_code="E06000099",
        authority_class="UA",
        minimum_general_fund_reserve={"percent_of_net_budget": 5},
        directorates=["Adults", "Place"],
        savings={"types": ["Tactical"]},
        slug="benchmark",
        folder=folder,
    )


def _rows(n: int) -> list[list]:
    return [
        [f"R{i}", f"Saving {i}", "Adults", "Tactical", "2021-22", 100, 40, 90, "G", "Head", "", ""]
        for i in range(n)
    ]


def _timed(label: str, action) -> None:
    started = time.perf_counter()
    try:
        outcome = action()
    except InputError as exc:
        outcome = f"refused: {exc.problems[0].message[:70]}"
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  {label:<44} {seconds:6.2f} s  (peak RSS so far {peak_mb:,.0f} MB)  {outcome}")


REPO = Path(__file__).resolve().parents[1]
WEB_PAGE = b"<!DOCTYPE html>\n<html><head><title>Savings tracker</title></head><body><table>"
sys.path.insert(0, str(REPO / "tests"))


def _child(
    args: list[str], root: Path, extra_env: dict[str, str] | None = None
) -> tuple[float, float, int, str]:
    """(seconds, peak MB, exit status, last line of stderr) of one command in ``root``. The peak
    is GNU time's %M: the command's own, not the (large) benchmark process it was forked from."""
    env = dict(os.environ, COUNCIL_FINANCE_ROOT=str(root), **(extra_env or {}))
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as peak:
        started = time.perf_counter()
        code = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", peak.name, *args],
            cwd=root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        ).returncode
        seconds = time.perf_counter() - started
        peak_mb = int(peak.read().split()[-1]) / 1024
        err.seek(0, os.SEEK_END)
        size = err.tell()
        err.seek(max(0, size - 4000))
        tail = err.read().decode("utf-8", "replace").strip().splitlines()
    last = tail[-1].strip() if tail else ""
    return seconds, peak_mb, code, f"[{size:,} B] {last}"


def _scratch(root: Path) -> Path:
    """A project of its own: pyproject.toml and data/raw/hostile (a copy of dorset)."""
    if root.exists():
        shutil.rmtree(root)
    (root / "data" / "processed").mkdir(parents=True)
    (root / "pyproject.toml").write_text("")
    shutil.copytree(REPO / "data" / "raw" / "dorset", root / "data" / "raw" / "hostile")
    return root / "data" / "raw" / "hostile"


def _register(council: Path, make, name: str = "2021-22-Q2.xlsx") -> None:
    (council / "savings" / "2021-22-Q2.xlsx").unlink()
    make(council / "savings" / name)


def issue_23(folder: Path) -> bool:
    """Each case in a scratch project; True when every case held its targets."""
    import hostile_files as hf
    import yaml

    python = sys.executable
    validate = [python, "-m", "analysis", "validate", "--council", "hostile"]
    validate += ["--period", "2021-22-Q2"]

    def far(ref):
        return lambda c: _register(c, lambda p: hf.far_cell_xlsx(p, ref))

    def population(value):
        def change(council: Path) -> None:
            path = council / "benchmark" / "population.csv"
            lines = path.read_text().splitlines()
            fields = lines[2].split(",")
            fields[7] = value
            lines[2] = ",".join(fields)
            path.write_text("\n".join(lines) + "\n")

        return change

    def directorates(council: Path) -> None:
        path = council / "council.yaml"
        data = yaml.safe_load(path.read_text())
        data["directorates"] = [f"Directorate {i}" for i in range(10_000)]
        path.write_text(yaml.safe_dump(data))

    def bad_rows(council: Path) -> None:
        def write(path: Path) -> None:
            row = "R{0},Saving,Nowhere {0},Tactical,2021-22,lots,40,90,G,H,,\n"
            text = ",".join(hf.HEADER) + "\n" + "".join(row.format(i) for i in range(110_000))
            path.write_text(text)

        _register(council, write, "2021-22-Q2.csv")

    def far_xls(council: Path) -> None:
        def write(path: Path) -> None:
            shared = REPO.parent / "shared" / "data" / "public"
            source = next(shared.rglob("Revenue_Outturn_Summary__RS__data_2013-14*.xls"))
            data = bytearray(source.read_bytes())
            at = data.find(b"\x03\x02\x0e\x00", 4096)  # a NUMBER record, moved to IV65536
            data[at + 4 : at + 8] = (65535).to_bytes(2, "little") + (255).to_bytes(2, "little")
            path.write_bytes(bytes(data))

        _register(council, write, "2021-22-Q2.xls")

    def duplicate(council: Path) -> None:
        shutil.copytree(council, council.parent / "hostile-copy")

    def public_far_cell(council: Path) -> Path:
        public = council.parents[2] / "public"
        public.mkdir()
        shared = REPO.parent / "shared" / "data" / "public"
        source = next(shared.rglob("ctr_2223.xlsx"))
        with zipfile.ZipFile(source) as old, zipfile.ZipFile(public / source.name, "w") as new:
            for info in old.infolist():
                data = old.read(info.filename)
                if info.filename.startswith("xl/worksheets/sheet"):
                    far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
                    data = data.replace(b"</sheetData>", far)
                new.writestr(info, data, zipfile.ZIP_DEFLATED)
        for pattern in ("RS_2016-17*", "ukpopestimatesmid2020on2021geography.xlsx"):
            found = next(shared.rglob(pattern))
            shutil.copy(found, public / found.name)
        return public

    def sparse(council: Path) -> Path:
        public = council.parents[2] / "public"
        public.mkdir()
        with open(public / "RS_2022-23_data_by_LA.xlsx", "wb") as handle:
            handle.write(b"<html>\n")
            handle.truncate(3 << 30)
        return public

    cases = [
        ("register: a value at XFD1048576 (.xlsx)", far("XFD1048576"), ["savings"], 2),
        ("register: a value at XFD6000 (.xlsx)", far("XFD6000"), ["savings"], 2),
        (
            "register: .ods of 1,048,000 x 16,000 repeats",
            lambda c: _register(c, hf.repeated_ods, "2021-22-Q2.ods"),
            ["savings"],
            2,
        ),
        ("register: a value at IV65536 (.xls, 2 MB)", far_xls, ["savings"], 2),
        (
            "register: 2,000 sheets",
            lambda c: _register(c, lambda p: hf.many_sheets_xlsx(p, 2_000)),
            ["savings"],
            2,
        ),
        (
            "register: on a very hidden sheet",
            lambda c: _register(c, hf.very_hidden_xlsx),
            ["savings"],
            2,
        ),
        (
            "register: a web page saved as .xls",
            lambda c: _register(c, lambda p: p.write_bytes(WEB_PAGE), "2021-22-Q2.xls"),
            ["savings"],
            2,
        ),
        ("register: 110,000 rows, each wrong twice", bad_rows, ["savings"], 2),
        ("council.yaml: 10,000 directorates", directorates, ["mtfp,savings"], 2),
        ("benchmark panel: population 0", population("0"), ["benchmark"], 2),
        ("benchmark panel: population -1", population("-1"), ["benchmark"], 2),
        ("two folders with one ONS code", duplicate, ["benchmark"], 2),
        ("--scenario ../../x", lambda c: None, ["benchmark", "--scenario", "../../x"], 2),
        ("public: ctr_2223.xlsx with a value at XFD1048576", public_far_cell, ["benchmark"], 2),
        ("public: a 3 GB sparse file named RS_*.xlsx", sparse, ["benchmark"], 2),
    ]
    print("\nHostile input (issue 23): python -m analysis validate, one process per case")
    ok = True
    for label, change, extra, expected in cases:
        root = folder / "project"
        council = _scratch(root)
        public = change(council)
        args = [*validate, "--notebooks", *extra]
        if isinstance(public, Path):
            args += ["--public-data", str(public)]
        seconds, peak_mb, code, last = _child(args, root)
        held = seconds < 10 and peak_mb < 500 and code == expected
        ok &= held
        print(
            f"  {label:<50} {seconds:5.2f} s {peak_mb:6.0f} MB  exit {code}"
            f"{'' if held else '  <-- MISSED'}  {last[:120]}"
        )

    # The panel cache: built once, a bit flipped, then loaded by a fresh process.
    root = folder / "project"
    council = _scratch(root)
    public = root / "public"
    public.mkdir()
    shared = REPO.parent / "shared" / "data" / "public"
    shutil.copy(next(shared.rglob("ctr_2122.xlsx")), public / "ctr_2122.xlsx")
    load = [
        python,
        "-c",
        "import sys; from analysis.public_data.panel import load_panel; "
        "p = load_panel(sys.argv[1]); print(len(p))",
        str(public),
    ]
    _child(load, root)
    (target,) = (root / "data" / "processed" / "public_panel").glob("panel-*.parquet")
    for label, damage in [
        ("panel cache: one bit flipped", "flip"),
        ("panel cache: values x10, rewritten", "x10"),
        ("panel cache: an older schema, no record", "schema"),
    ]:
        import pandas as pd

        if damage == "flip":
            data = bytearray(target.read_bytes())
            data[len(data) // 2] ^= 0x10
            target.write_bytes(bytes(data))
        elif damage == "x10":
            frame = pd.read_parquet(target)
            frame["value"] *= 10
            frame.to_parquet(target, index=False)
        else:
            pd.read_parquet(target).drop(columns=["note"]).to_parquet(target)
            target.with_suffix(".json").unlink()
        seconds, peak_mb, code, last = _child(load, root)
        record = json.loads(target.with_suffix(".json").read_text())
        rebuilt = "rebuilding" in last and record["sha256"]
        held = seconds < 10 and peak_mb < 500 and code == 0 and bool(rebuilt)
        ok &= held
        print(
            f"  {label:<50} {seconds:5.2f} s {peak_mb:6.0f} MB  exit {code}"
            f"{'' if held else '  <-- MISSED'}  {last[:120]}"
        )
    return ok


# A signal between the two renames of a publish: the real command line, in a fresh process,
# with Path.rename sending the process SIGTERM once the last good pack has been moved aside.
SIGTERM_BETWEEN_RENAMES = """
import os, signal, sys
from pathlib import Path
from analysis.cli import main
rename = Path.rename
def between(self, target):
    moved = rename(self, target)
    if Path(target).name.startswith(".previous-"):
        os.kill(os.getpid(), signal.SIGTERM)
    return moved
Path.rename = between
sys.exit(main(sys.argv[1:]))
"""


def _read_only(args: list[str], folder: Path) -> list[str]:
    """``args`` run with ``folder`` mounted read-only (a private mount namespace, so a root
    user is refused too: EROFS); without ``unshare``, ``folder`` is made a file instead
    (ENOTDIR), which the run must refuse the same way."""
    if (
        shutil.which("unshare")
        and subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode == 0
    ):
        mount = f"mount --bind {folder} {folder} && mount -o remount,ro,bind {folder}"
        return ["unshare", "-m", "sh", "-c", f'{mount} && exec "$@"', "sh", *args]
    shutil.rmtree(folder)
    folder.write_text("not a folder")
    return args


def _toy_notebooks(root: Path, body: str) -> None:
    """The project's notebooks replaced by one small notebook (the savings one), ``body`` its
    last cell: a pack of one notebook that builds in a few seconds."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    sys.path.insert(0, str(REPO / "tests" / "pack"))
    from pack_toys import GOOD, PARAMETERS

    folder = root / "notebooks"
    folder.mkdir()
    nb = new_notebook(
        cells=[
            new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}),
            new_markdown_cell("# Savings delivery\n\nA stand-in notebook.\n\n## Figures"),
            new_code_cell(GOOD + body),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "council-finance",
        "display_name": "Python",
        "language": "python",
    }
    nbformat.write(nb, folder / "02_savings_delivery.ipynb")


def issue_23_pack(folder: Path, only: tuple[str, ...] = ()) -> bool:
    """The pack-side cases, each a fresh ``python -m analysis run`` of a one-notebook pack in a
    scratch project (``only``: the cases whose label holds one of these); True when every case
    held its targets."""
    python = sys.executable
    run = ["-m", "analysis", "run", "--council", "hostile", "--period", "2021-22-Q2"]
    run += ["--notebooks", "savings"]

    def sleeping(root: Path):
        _toy_notebooks(root, "\nimport time\ntime.sleep(30)\n")
        return [python, *run, "--timeout", "3"], {}

    def read_only_home(root: Path):
        _toy_notebooks(root, "")
        home = root / "home"
        (home / "runtime").mkdir(parents=True)
        extra = {"HOME": str(home), "JUPYTER_RUNTIME_DIR": str(home / "runtime")}
        return _read_only([python, *run], home), extra

    def chromium(path: str):
        def case(root: Path):
            _toy_notebooks(root, "")
            return [python, *run, "--pdf"], {"CHROMIUM": path}

        return case

    def sigterm(root: Path):
        _toy_notebooks(root, "")
        first = subprocess.run(
            [python, *run],
            cwd=root,
            env=dict(os.environ, COUNCIL_FINANCE_ROOT=str(root)),
            capture_output=True,
        )
        assert first.returncode == 0, first.stderr.decode()[-500:]
        return [python, "-c", SIGTERM_BETWEEN_RENAMES, *run[2:]], {}

    def pack_kept(root: Path) -> bool:
        return (root / "outputs" / "hostile" / "2021-22-Q2" / "manifest.json").is_file()

    cases = [
        ("a cell time.sleep(30) under --timeout 3", sleeping, 1, None),
        ("read-only HOME and JUPYTER_RUNTIME_DIR", read_only_home, 3, None),
        ("--pdf, CHROMIUM a missing program", chromium("/nonexistent/chromium"), 3, None),
        ("--pdf, CHROMIUM=/bin/false", chromium("/bin/false"), 3, None),
        ("SIGTERM between the two renames (a pack before)", sigterm, 130, pack_kept),
    ]
    print("\nFaults (issue 23): python -m analysis run of a one-notebook pack, one process each")
    ok = True
    for label, make, expected, check in cases:
        if only and not any(word in label for word in only):
            continue
        root = folder / "project"
        _scratch(root)
        args, extra = make(root)
        seconds, peak_mb, code, last = _child(args, root, extra)
        held = seconds < 10 and peak_mb < 500 and code == expected
        held &= check is None or check(root)
        leftovers = [p.name for p in (root / "outputs").rglob(".building-*")]
        held &= not leftovers
        ok &= held
        print(
            f"  {label:<50} {seconds:5.2f} s {peak_mb:6.0f} MB  exit {code}"
            f"{'' if held else '  <-- MISSED'}  {last[:120]}"
        )
    return ok


def main() -> int:
    issue_10()
    with tempfile.TemporaryDirectory() as tmp:
        inputs = issue_23(Path(tmp))
    with tempfile.TemporaryDirectory() as tmp:
        faults = issue_23_pack(Path(tmp))
    return 0 if inputs and faults else 1


def issue_10() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        council = _council(folder)
        print("Hostile input (issue 10)")

        path = folder / "big.csv"
        with open(path, "w", newline="") as handle:
            csv.writer(handle).writerows([HEADER, *_rows(100_000)])
        _timed("100,000-row register, CSV", lambda: f"{len(load_register(path, council)):,} rows")

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Tracker")
        for row in [HEADER, *_rows(100_000)]:
            ws.append(row)
        xlsx = folder / "big.xlsx"
        wb.save(xlsx)
        _timed("100,000-row register, .xlsx", lambda: f"{len(load_register(xlsx, council)):,} rows")

        bomb = folder / "bomb.yaml"
        lines = ["a: &a [" + ",".join(['"lol"'] * 9) + "]"]
        lines += [
            f"{b}: &{b} [" + ",".join([f"*{a}"] * 9) + "]"
            for a, b in zip("abcdefgh", "bcdefghi", strict=True)
        ]
        bomb.write_text("\n".join(lines) + "\n")
        _timed(f"YAML alias bomb ({bomb.stat().st_size:,} bytes)", lambda: load_yaml(bomb))

        wb = Workbook()
        wb.active.append(HEADER)
        wb.active.append(
            ["R1", "LONGCELL", "Adults", "Tactical", "2021-22", 1, 0, 1, "G", "H", "", ""]
        )
        small = folder / "small.xlsx"
        wb.save(small)
        huge = folder / "huge_cell.xlsx"
        with zipfile.ZipFile(small) as src, zipfile.ZipFile(huge, "w", zipfile.ZIP_DEFLATED) as out:
            for info in src.infolist():
                data = src.read(info.filename).replace(b"LONGCELL", b"x" * 10_000_000)
                out.writestr(info.filename, data, zipfile.ZIP_DEFLATED)
        _timed(
            f"one 10-million-character cell ({huge.stat().st_size / 1000:,.0f} KB .xlsx)",
            lambda: load_register(huge, council),
        )

        frame = pd.DataFrame(_rows(100_000), columns=[h.lower().replace(" ", "_") for h in HEADER])
        started = time.perf_counter()
        save_table(frame, "savings_register", folder / "tables")
        html = capped_table_html(frame, "Every saving")
        print(
            f"  {'100,000-row table as HTML (rows capped)':<44} "
            f"{time.perf_counter() - started:6.2f} s  {len(html) / 1000:,.0f} KB"
        )


if __name__ == "__main__":
    sys.exit(main())
