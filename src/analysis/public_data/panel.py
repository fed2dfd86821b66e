"""One tidy panel of every published year: authority (ONS code, E-code, name, class), financial
year, measure, value, unit, and the source file with its SHA-256 on every row.

:func:`build_panel` reads a folder of published files (searched recursively by their published
names, any of .xls, .xlsx, .ods): every Revenue Outturn Summary (RS measures, £ thousand), every
Council Tax Requirement table (standard measures ``council_tax_requirement``, ``tax_base``,
``band_d``, ``collection_rate``, ``parish_precepts``; each year from its latest publication), the
Council Taxbase (``CTBn.nn``), the ONS population estimates (``population``) and the
restructuring lookup, which maps E-codes to ONS codes (correcting misprinted ones:
:func:`analysis.public_data.unmatched.correct_ons_codes`) and adds successor authorities' history
(:func:`analysis.public_data.successors.aggregate_successors`, ``aggregated`` True).

:func:`load_panel` caches the panel as Parquet in ``data/processed/public_panel/``, keyed by the
SHA-256 of every input and of the readers' code, and rebuilds it when either changes. A record
beside the cache (``.json``) holds the SHA-256 of the Parquet file's own bytes, the panel's
format version, the key and the columns: a cache that does not match its record (a flipped bit,
values rewritten, an older format) is rebuilt, with a warning saying why. A warm
process (a batch's kernel) also keeps the last panel it loaded in memory under the same key, and
hands each caller its own copy, so no caller can change what the next one gets.
"""

from __future__ import annotations

import fnmatch
import hashlib
import io
import json
import logging
import os
from pathlib import Path

import pandas as pd

from analysis.core.errors import InputError, display_path
from analysis.core.provenance import record_input, sha256_of
from analysis.public_data._common import cached, check_file, check_size
from analysis.public_data.borrowing import read_borrowing
from analysis.public_data.boundaries import Restructuring, read_restructuring
from analysis.public_data.capital import read_capital
from analysis.public_data.ctr import read_ctr
from analysis.public_data.finance_lines import dsg_account
from analysis.public_data.population import read_population
from analysis.public_data.ra import read_ra
from analysis.public_data.rs import read_rs
from analysis.public_data.rsx import read_rsx
from analysis.public_data.successors import GAPS_ATTR, aggregate_successors
from analysis.public_data.taxbase import read_taxbase
from analysis.public_data.unmatched import correct_ons_codes

PANEL_VERSION = "3"  # 2: a record beside the cache holds its SHA-256; 3: gaps kept as JSON text
PANEL_COLUMNS = [
    "ons_code",
    "e_code",
    "name",
    "authority_class",
    "year",
    "measure",
    "value",
    "unit",
    "source_file",
    "sha256",
    "aggregated",
    "note",
]
SHEETS = ("xls", "xlsx", "ods")
PATTERNS = {
    "rs": ["RS_*", "*Revenue_Outturn_Summary*"],
    "ctr": ["ctr_*", "*Council_Tax_Requirement*"],
    "taxbase": ["*Council_Taxbase*", "*council_taxbase*"],
    "population": ["*popestimates*", "*MYE*", "*mye*"],
    "restructuring": ["*restructuring*"],
    # New publications (read by their own readers; see NEW_READERS).
    "rsx": ["RSX_*", "*Revenue_Outturn_Service*", "*Service_Expenditure_Summary*"],
    "ra": ["RA_*", "*Revenue_Account_Budget*", "*Revenue_Account_budget*"],
    "capital": ["COR_*", "*Capital_Outturn*", "*capital_outturn*"],
    "borrowing": ["*Borrowing_and_Investment*", "*borrowing_and_investment*"],
}
# Kinds also published (or saved) as a CSV of the data sheet.
CSV_KINDS = {"rs", "rsx", "ra"}
# Published beside a kind under a like name but another table: RA part 2 (grants, not services).
EXCLUDE = {"ra": ["*Part_2*", "*part_2*", "*Part 2*", "*Part2*"]}
# New publications: kind -> reader; each frame joins the panel with its measures as read.
NEW_READERS = {
    "rsx": read_rsx,
    "ra": read_ra,
    "capital": read_capital,
    "borrowing": read_borrowing,
}
CTR_UNITS = {
    "council_tax_requirement": "gbp",
    "parish_precepts": "gbp",
    "tax_base": "band_d_equivalents",
    "band_d": "gbp_per_band_d",
    "collection_rate": "fraction",
}


def find_files(folder: str | Path) -> dict[str, list[Path]]:
    """The published files in ``folder`` by kind (searched recursively by published names)."""
    folder = Path(folder)
    every = [p for p in folder.rglob("*") if p.is_file() and not p.name.startswith((".", "~$"))]
    found: dict[str, list[Path]] = {}
    for kind, globs in PATTERNS.items():
        exts = SHEETS + (("csv",) if kind in CSV_KINDS else ())
        names = [f"{pattern}.{ext}" for pattern in globs for ext in exts]
        found[kind] = sorted(
            p
            for p in every
            if any(fnmatch.fnmatchcase(p.name, name) for name in names)
            and not any(fnmatch.fnmatchcase(p.name, x) for x in EXCLUDE.get(kind, []))
        )
    return found


def code_version() -> str:
    """SHA-256 of the readers' code and the concordance: a changed reader rebuilds the cache."""
    digest = hashlib.sha256(PANEL_VERSION.encode())
    for path in sorted(Path(__file__).parent.glob("*.*")):
        if path.suffix in {".py", ".csv"}:
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def input_key(files: dict[str, list[Path]]) -> tuple[str, dict[str, str]]:
    """(cache key, {file name: sha256}) for the inputs (and the code that reads them)."""
    for paths in files.values():
        for path in paths:
            check_size(path, "published file")  # before it is hashed (a 3 GB file took 34 s)
    hashes = {p.name: sha256_of(p) for paths in files.values() for p in paths}
    blob = json.dumps([code_version(), sorted(hashes.items())]).encode()
    return hashlib.sha256(blob).hexdigest(), hashes


def _with_source(frame: pd.DataFrame, path: Path, hashes: dict[str, str]) -> pd.DataFrame:
    frame["source_file"] = path.name
    frame["sha256"] = hashes[path.name]
    return frame


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """The panel's columns only, text as Python objects while the panel is built: filtering and
    concatenating Arrow-backed text column by column costs most of a build (measured: 6 s of
    pyarrow ``take`` in 24 s profiled); the finished panel's text is typed again at the end."""
    keep = [c for c in [*PANEL_COLUMNS, "standard", "flag"] if c in frame.columns]
    frame = frame[keep]
    text = [c for c in keep if isinstance(frame[c].dtype, pd.StringDtype)]
    return frame.astype(dict.fromkeys(text, object)) if text else frame


def _code_map(rs: list[pd.DataFrame], ctr: list[pd.DataFrame], lookup: pd.DataFrame | None):
    """E-code -> ONS code, from every source that prints both (latest year wins)."""
    parts = [f[["e_code", "ons_code", "year"]] for f in rs + ctr]
    if lookup is not None:
        parts.append(lookup[["e_code", "ons_code", "year"]])
    both = pd.concat(parts).dropna().sort_values("year")
    both = both[both["ons_code"].astype(str).str.match(r"^E\d{8}$")]
    return both.drop_duplicates("e_code", keep="last").set_index("e_code")["ons_code"]


def release_rank(frame: pd.DataFrame) -> tuple[int, int]:
    """How new a release is, by its own content: the latest year it gives a figure for, then
    how many figures it gives (a revision fills in late returns); never its file name."""
    given = frame.dropna(subset=["value"])
    return (int(given["year"].max()) if len(given) else -1, len(given))


def newest_release(releases: list[pd.DataFrame]) -> pd.DataFrame:
    """One frame from several releases of one publication: each (area, year, measure) from the
    newest release that gives it (:func:`release_rank`), its "no return" blanks included. A year
    only an older release gives is kept from it; every row keeps its own ``source_file``."""
    if len(releases) == 1:
        return releases[0]
    both = _tagged({"release": releases})
    return _one_each(both).reset_index(drop=True)


def _tagged(by_kind: dict[str, list[pd.DataFrame]]) -> pd.DataFrame:
    """Every frame stacked, each row with ``_order``: lower wins where two rows give the same
    figure. Publications in :data:`PRECEDENCE` order; within one, the newest release first."""
    parts = []
    for kind, frames in by_kind.items():
        first = PRECEDENCE.index(kind) if kind in PRECEDENCE else len(PRECEDENCE)
        # Newest release first; two releases alike in content: the name that sorts last
        # ("..._-_Revision" after the first release).
        ranked = sorted(
            frames,
            key=lambda f: (release_rank(f), str(f["source_file"].iloc[0]) if len(f) else ""),
            reverse=True,
        )
        for age, frame in enumerate(ranked):
            parts.append(frame.assign(_order=first * 10_000 + age))
    return pd.concat(parts, ignore_index=True)


def _by_kind(frames: list[pd.DataFrame], files: dict[str, list[Path]]) -> dict:
    """The frames by the kind of file they came from (the ``find_files`` kind of their
    ``source_file``), for :func:`_tagged`."""
    kind_of = {p.name: kind for kind, paths in files.items() for p in paths}
    out: dict[str, list[pd.DataFrame]] = {}
    for frame in frames:
        if len(frame):
            names = frame["source_file"].astype(str)
            out.setdefault(kind_of.get(names.iloc[0], "other"), []).append(frame)
    return out


def _one_each(panel: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``_tagged`` with one per authority (ONS code, else E-code), year and
    measure: the lowest ``_order``. The row kept names its own file."""
    who = panel["ons_code"].where(panel["ons_code"].notna(), panel["e_code"])
    if "name" in panel:
        who = who.where(who.notna(), panel["name"])
    key = pd.DataFrame({"who": who, "year": panel["year"], "measure": panel["measure"]})
    dup = key.duplicated(keep=False)
    if dup.any():
        # Only the rows given twice are ordered; lower _order first, then the first kept.
        twice = panel.loc[dup, ["_order", "value"]].assign(**key[dup])
        twice = twice.sort_values("_order", kind="stable")
        first = ~twice.duplicated(["who", "year", "measure"], keep="first")
        # A file that gives one authority twice (the 2023-24 RS: the Greater London Authority)
        # keeps its first row, and that row's note names the other value: nothing silently.
        kept = twice[first].set_index(["who", "year", "measure"])
        dropped = twice[~first].join(kept.add_suffix("_kept"), on=["who", "year", "measure"])
        same = dropped[dropped["_order"] == dropped["_order_kept"]]
        if len(same):
            index = twice[first].reset_index().set_index(["who", "year", "measure"])["index"]
            at = index.reindex(pd.MultiIndex.from_frame(same[["who", "year", "measure"]]))
            panel = panel.copy() if "note" in panel else panel.assign(note=None)
            for row, other in zip(at.to_numpy(), same["value"], strict=True):
                old = panel.at[row, "note"]
                note = f"the file gives this authority twice: the first row is used (the other: {other:,.0f})"
                panel.at[row, "note"] = f"{old}; {note}" if isinstance(old, str) and old else note
        panel = panel.drop(index=twice.index[~first])
    return panel.drop(columns="_order")


def read_population_releases(paths: list[Path]) -> pd.DataFrame:
    """Every ONS population release in ``paths`` as one frame (:func:`newest_release`), each
    row naming its ``source_file``: mid-2020 from the 2023 release when it has it, mid-2001 from
    the 2020 release that alone goes back that far."""
    return newest_release([read_population(p).assign(source_file=Path(p).name) for p in paths])


# Where two publications give the same figure (the same authority, year and measure), the one
# earlier here gives it: the RS (final outturn, net expenditure) before the RSX (its service
# breakdown), the outturn before the budget (RA); publications not named come last. Within one
# publication, the newest release gives it (:func:`release_rank`).
PRECEDENCE = ("rs", "rsx", "ra", "ctr", "taxbase", "population", "release")


def with_corrected_codes(frame: pd.DataFrame, folder: str | Path) -> pd.DataFrame:
    """``frame`` (a reader's tidy rows) with the misprinted ONS codes corrected as the panel
    corrects them (:func:`analysis.public_data.unmatched.correct_ons_codes`), from the
    restructuring lookup in ``folder``; unchanged when the folder has none."""
    found = find_files(folder)["restructuring"]
    if not found:
        return frame
    path = check_file(found[0], "restructuring lookup")
    lookup = cached("restructuring-lookup", path, lambda p: read_restructuring(p).lookup)
    return correct_ons_codes(frame, lookup)


def build_panel(folder: str | Path, hashes: dict[str, str] | None = None) -> pd.DataFrame:
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError.single(display_path(folder), "public data folder not found")
    files = find_files(folder)
    if not files["rs"] and not files["ctr"]:
        raise InputError.single(
            display_path(folder),
            "no Revenue Outturn Summary (RS_*, *Revenue_Outturn_Summary*) or Council Tax "
            "Requirement (ctr_*) files found (see data/raw/README.md)",
        )
    if hashes is None:
        hashes = input_key(files)[1]
    restructuring: Restructuring | None = (
        read_restructuring(files["restructuring"][0]) if files["restructuring"] else None
    )
    if restructuring is not None:
        record_input(files["restructuring"][0])
    lookup = restructuring.lookup if restructuring else None

    def read(reader, path: Path) -> pd.DataFrame:
        frame = _plain(_with_source(reader(path), path, hashes))
        if "note" not in frame:
            frame["note"] = None
        return correct_ons_codes(frame, lookup)

    # RS: every year; two releases of one year give each figure from the newer.
    rs = [read(read_rs, p) for p in files["rs"]]
    ctr_all = [read(read_ctr, p) for p in files["ctr"]]
    codes = _code_map(rs, ctr_all, lookup)

    frames = list(rs)
    # CTR: each year from its latest publication (a table shows the year before, revised).
    if ctr_all:
        ctr = pd.concat(ctr_all, ignore_index=True).dropna(subset=["standard"])
        ctr["published"] = ctr.groupby("source_file")["year"].transform("max")
        ctr = ctr.sort_values("published").drop_duplicates(
            ["e_code", "year", "standard"], keep="last"
        )
        ctr = ctr.assign(measure=ctr["standard"], unit=ctr["standard"].map(CTR_UNITS))
        flag = ctr["flag"].where(ctr["flag"].notna(), None)
        ctr["note"] = [
            "; ".join(str(x) for x in pair if isinstance(x, str) and x)
            for pair in zip(flag, ctr["note"], strict=True)
        ]
        ctr["note"] = ctr["note"].replace("", None)
        frames.append(ctr.drop(columns=["standard", "flag", "published"]))
    frames += [read(read_taxbase, path) for path in files["taxbase"]]
    # Population: every release read; each area and mid-year from the newest release with it.
    frames += [read(read_population, p) for p in files["population"]]
    # New publications (RSX, RA budget, capital outturn, borrowing): measures of their own
    # (RSX190_net, RA190, ...) beside the RS's; two releases of one follow the release rule.
    for kind in NEW_READERS:
        frames += [read(NEW_READERS[kind], path) for path in files.get(kind, [])]
    # The DSG adjustment account: the RS line found by its description, from the RS's own rows.
    frames += [read(lambda p: dsg_account(read_rs(p)), path) for path in files["rs"]]

    # One figure each: the newest release of a publication, and RS before RSX (PRECEDENCE).
    panel = _tagged(_by_kind(frames, files))
    missing = panel["ons_code"].isna() & panel["e_code"].notna()
    panel.loc[missing, "ons_code"] = panel.loc[missing, "e_code"].map(codes)
    panel = _one_each(panel)
    panel["aggregated"] = False
    panel = panel[PANEL_COLUMNS]
    # One name and class per ONS code: the ONS's own name (population estimates: "Bath and North
    # East Somerset"), else the latest published by the finance returns (which add suffixes such
    # as "UA" or "MBC" in some years).
    ident = panel[["ons_code", "e_code", "name", "authority_class", "year", "measure"]]
    ident = ident.assign(measure=ident["measure"].eq("population").map({True: "population"}))
    latest = ident.dropna(subset=["ons_code"]).drop_duplicates().sort_values("year", kind="stable")
    named = latest[latest["e_code"].notna()].drop_duplicates("ons_code", keep="last")
    names = named.set_index("ons_code")["name"]
    official = latest[latest["measure"].eq("population")].drop_duplicates("ons_code", keep="last")
    names = official.set_index("ons_code")["name"].combine_first(names)
    panel["name"] = panel["ons_code"].map(names).fillna(panel["name"])
    classes = latest.dropna(subset=["authority_class"]).drop_duplicates("ons_code", keep="last")
    panel["authority_class"] = (
        panel["ons_code"]
        .map(classes.set_index("ons_code")["authority_class"])
        .fillna(panel["authority_class"])
    )
    gaps = "[]"
    if restructuring is not None:
        extra = aggregate_successors(panel, restructuring)
        gaps = extra.attrs.get(GAPS_ATTR, "[]")
        if len(extra):
            extra["e_code"] = extra["ons_code"].map(named.set_index("ons_code")["e_code"])
            extra["authority_class"] = extra["ons_code"].map(
                classes.set_index("ons_code")["authority_class"]
            )
            extra["name"] = extra["ons_code"].map(names).fillna(extra["name"])
            panel = pd.concat([panel, extra[PANEL_COLUMNS]], ignore_index=True)
    panel["aggregated"] = panel["aggregated"].astype(bool)
    panel["year"] = panel["year"].astype("int64")
    panel["value"] = panel["value"].astype("float64")
    for column in ["ons_code", "e_code", "name", "authority_class", "unit", "note"]:
        panel[column] = panel[column].astype("string")
    for column in ["measure", "source_file", "sha256"]:
        panel[column] = panel[column].astype("category")
    panel = panel.sort_values(
        ["ons_code", "year", "measure"], ignore_index=True, na_position="last"
    )
    # What the successors' histories leave out, and why (successors.history_gaps reads it).
    panel.attrs[GAPS_ATTR] = gaps
    return panel


def default_cache_dir() -> Path:
    from analysis.core.paths import processed_dir

    return processed_dir() / "public_panel"


# The last panel loaded in this process: {Parquet cache path (its name holds the key): panel}.
_LOADED: dict[Path, pd.DataFrame] = {}


log = logging.getLogger(__name__)


def _record_path(target: Path) -> Path:
    """The cache's record beside it: the SHA-256 of the Parquet file's bytes, the panel's
    format version, the key (inputs and readers' code) and the columns."""
    return target.with_suffix(".json")


def _write_cache(panel: pd.DataFrame, target: Path, key: str) -> None:
    tmp = target.with_suffix(f".{os.getpid()}.part")
    panel.to_parquet(tmp, index=False)
    record = {
        "sha256": sha256_of(tmp),
        "panel_version": PANEL_VERSION,
        "key": key,
        "columns": PANEL_COLUMNS,
        "rows": len(panel),
    }
    record_tmp = target.with_suffix(f".{os.getpid()}.json.part")
    record_tmp.write_text(json.dumps(record, indent=1))
    # The record goes in place last: a reader between the two sees a mismatch and rebuilds.
    os.replace(tmp, target)
    os.replace(record_tmp, _record_path(target))


def _read_cache(target: Path, key: str) -> tuple[pd.DataFrame | None, str]:
    """(the cached panel, "") when its bytes, format, key and columns all match its record;
    else (None, why not)."""
    try:
        record = json.loads(_record_path(target).read_text())
    except (OSError, ValueError):
        return None, "has no record of its contents (written by an older version, or damaged)"
    if not isinstance(record, dict) or record.get("panel_version") != PANEL_VERSION:
        return None, "was written in an older format"
    if record.get("key") != key or record.get("columns") != PANEL_COLUMNS:
        return None, "was written for other inputs or by other code"
    try:
        data = target.read_bytes()
    except OSError:
        return None, "cannot be read"
    if hashlib.sha256(data).hexdigest() != record.get("sha256"):
        return None, "does not match its record (changed or damaged since it was written)"
    try:
        panel = pd.read_parquet(io.BytesIO(data))
    except Exception:  # bytes that match their hash but do not parse: rebuilt, never trusted
        return None, "cannot be read as Parquet"
    if list(panel.columns) != PANEL_COLUMNS or len(panel) != record.get("rows"):
        return None, "does not hold the columns and rows its record says"
    return panel, ""


def load_panel(
    folder: str | Path, cache_dir: str | Path | None = None, rebuild: bool = False
) -> pd.DataFrame:
    """The panel for ``folder``, from the Parquet cache when every input's SHA-256 matches (and
    from memory when this process loaded it last); always a copy the caller may change."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError.single(display_path(folder), "public data folder not found")
    files = find_files(folder)
    key, hashes = input_key(files)
    for paths in files.values():
        for path in paths:
            record_input(path)
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    place = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:8]
    target = cache_dir / f"panel-{place}-{key[:20]}.parquet"
    if target in _LOADED and not rebuild:
        return _LOADED[target].copy(deep=False)
    _LOADED.clear()
    if target.is_file() and not rebuild:
        panel, reason = _read_cache(target, key)
        if panel is not None:
            _LOADED[target] = panel
            return panel.copy(deep=False)
        log.warning("%s %s: rebuilding it from the published files", display_path(target), reason)
    for stale in (target, _record_path(target)):
        stale.unlink(missing_ok=True)
    panel = build_panel(folder, hashes)
    cache_dir.mkdir(parents=True, exist_ok=True)
    _write_cache(panel, target, key)
    for old in cache_dir.glob(f"panel-{place}-*"):
        if old not in (target, _record_path(target)) and not old.name.endswith(".part"):
            old.unlink(missing_ok=True)
    _LOADED[target] = panel
    return panel.copy(deep=False)
