"""One tidy panel of every published year: authority (ONS code, E-code, name, class), financial
year, measure, value, unit, and the source file with its SHA-256 on every row.

:func:`build_panel` reads a folder of published files (searched recursively by their published
names, any of .xls, .xlsx, .ods): every Revenue Outturn Summary (RS measures, £ thousand), every
Council Tax Requirement table (standard measures ``council_tax_requirement``, ``tax_base``,
``band_d``, ``collection_rate``, ``parish_precepts``; each year from its latest publication), the
Council Taxbase (``CTBn.nn``), the ONS population estimates (``population``) and the
restructuring lookup, which maps E-codes to ONS codes and adds successor authorities' history
(:func:`analysis.public_data.boundaries.aggregate_successors`, ``aggregated`` True).

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
from analysis.public_data._common import check_size
from analysis.public_data.boundaries import (
    Restructuring,
    aggregate_successors,
    read_restructuring,
)
from analysis.public_data.ctr import read_ctr
from analysis.public_data.population import read_population
from analysis.public_data.rs import read_rs
from analysis.public_data.taxbase import read_taxbase

PANEL_VERSION = "2"  # 2: a record beside the cache holds its SHA-256
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
    "population": ["*popestimates*", "*MYE*"],
    "restructuring": ["*restructuring*"],
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
        names = [f"{pattern}.{ext}" for pattern in globs for ext in SHEETS]
        found[kind] = sorted(
            p for p in every if any(fnmatch.fnmatchcase(p.name, name) for name in names)
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


def _code_map(rs: list[pd.DataFrame], ctr: list[pd.DataFrame], lookup: pd.DataFrame | None):
    """E-code -> ONS code, from every source that prints both (latest year wins)."""
    parts = [f[["e_code", "ons_code", "year"]] for f in rs + ctr]
    if lookup is not None:
        parts.append(lookup[["e_code", "ons_code", "year"]])
    both = pd.concat(parts).dropna().sort_values("year")
    both = both[both["ons_code"].astype(str).str.match(r"^E\d{8}$")]
    return both.drop_duplicates("e_code", keep="last").set_index("e_code")["ons_code"]


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
    rs = [_with_source(read_rs(p), p, hashes) for p in files["rs"]]
    ctr_all = [_with_source(read_ctr(p), p, hashes) for p in files["ctr"]]
    restructuring: Restructuring | None = (
        read_restructuring(files["restructuring"][0]) if files["restructuring"] else None
    )
    if restructuring is not None:
        record_input(files["restructuring"][0])
    codes = _code_map(rs, ctr_all, restructuring.lookup if restructuring else None)

    frames = []
    for frame in rs:
        frames.append(frame)
    # CTR: each year from its latest publication (a table shows the year before, revised).
    if ctr_all:
        ctr = pd.concat(ctr_all, ignore_index=True).dropna(subset=["standard"])
        ctr["published"] = ctr.groupby("source_file")["year"].transform("max")
        ctr = ctr.sort_values("published").drop_duplicates(
            ["e_code", "year", "standard"], keep="last"
        )
        ctr = ctr.assign(measure=ctr["standard"], unit=ctr["standard"].map(CTR_UNITS))
        ctr["note"] = ctr["flag"]
        frames.append(ctr)
    for path in files["taxbase"]:
        frames.append(_with_source(read_taxbase(path), path, hashes))
    for path in files["population"][:1]:
        frames.append(_with_source(read_population(path), path, hashes))

    panel = pd.concat(frames, ignore_index=True)
    missing = panel["ons_code"].isna() & panel["e_code"].notna()
    panel.loc[missing, "ons_code"] = panel.loc[missing, "e_code"].map(codes)
    panel["aggregated"] = False
    if "note" not in panel:
        panel["note"] = None
    panel = panel[PANEL_COLUMNS]
    # One name and class per ONS code: the ONS's own name (population estimates: "Bath and North
    # East Somerset"), else the latest published by the finance returns (which add suffixes such
    # as "UA" or "MBC" in some years).
    latest = panel.dropna(subset=["ons_code"]).sort_values("year")
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
    if restructuring is not None:
        extra = aggregate_successors(panel, restructuring)
        if len(extra):
            extra["e_code"] = extra["ons_code"].map(
                panel.dropna(subset=["e_code"])
                .drop_duplicates("ons_code", keep="last")
                .set_index("ons_code")["e_code"]
            )
            extra["authority_class"] = extra["ons_code"].map(
                classes.set_index("ons_code")["authority_class"]
            )
            panel = pd.concat([panel, extra[PANEL_COLUMNS]], ignore_index=True)
    panel["aggregated"] = panel["aggregated"].astype(bool)
    panel["year"] = panel["year"].astype("int64")
    panel["value"] = panel["value"].astype("float64")
    for column in ["ons_code", "e_code", "name", "authority_class", "unit", "note"]:
        panel[column] = panel[column].astype("string")
    for column in ["measure", "source_file", "sha256"]:
        panel[column] = panel[column].astype("category")
    return panel.sort_values(["ons_code", "year", "measure"], ignore_index=True, na_position="last")


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
