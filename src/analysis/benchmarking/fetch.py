"""``python -m analysis data fetch``: download the official files into ``data/raw/public/``.

With ``--years 2010-11:2022-23`` (and optionally ``--kinds rs,ctr``) each publication's current
attachments are found through the GOV.UK content API (``<api>/api/content/<publication path>``;
the paths are in ``publications.yaml``), and every year asked for is downloaded, with the
comparator list. Downloads stream to ``<file>.part`` and are renamed into place only when complete
and checked (atomic); a download cut short (``IncompleteRead``) is reported by name, its ``.part``
removed, and the remaining files still fetched; a second run resumes, skipping every file already
on disk with the checksum in the data log.

Files are cached: a file whose name is in the data log with a known SHA-256 and which is on disk
with that checksum is not downloaded again. Each download is checked before it is kept: an HTTP
error, an HTML page, or a file without the expected signature (xlsx/zip ``PK``, JSON, CSV) is
refused with a message naming the URL. Connection failures say you appear to be offline.
The data log ``DATA_LOG.json`` records url, file, sha256, size and downloaded_at.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from analysis.benchmarking.download import (
    TIMEOUT,
    FetchError,
    check_content,
    download_to,
    file_name,
    sha256_file,
)

LOG_NAME = "DATA_LOG.json"

# The documented default list: the publications the benchmarking notebook reads.
DEFAULT_FILES = [
    (
        "Revenue Outturn Summary (RS) 2016-17, every English authority (MHCLG)",
        "https://assets.publishing.service.gov.uk/government/uploads/system/uploads/attachment_data/file/659719/RS_2016-17_data_by_LA.xlsx",
    ),
    (
        "Council Tax Requirement (CTR) tables 2022-23 (DLUHC)",
        "https://assets.publishing.service.gov.uk/government/uploads/system/uploads/attachment_data/file/1062046/ctr_2223.xlsx",
    ),
    (
        "ONS mid-year population estimates, mid-2001 to mid-2020 on 2021 boundaries (MYE4)",
        "https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/populationandmigration/populationestimates/datasets/populationestimatesforukenglandandwalesscotlandandnorthernireland/mid2001tomid2020detailedtimeseries/ukpopestimatesmid2020on2021geography.xlsx",
    ),
]


def load_log(dest: Path) -> list[dict]:
    path = dest / LOG_NAME
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return []
    return data if isinstance(data, list) else []


def save_log(dest: Path, entries: list[dict]) -> None:
    entries = sorted(entries, key=lambda e: e["file"])
    (dest / LOG_NAME).write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")


def fetch(
    urls: list[str],
    dest: Path,
    timeout: float = TIMEOUT,
    out=None,
    meta: dict[str, dict] | None = None,
) -> list[dict]:
    """Download each URL into ``dest`` (cached by checksum); returns the log entries touched.
    Raises :class:`FetchError` listing every failure after trying all URLs."""
    out = out or sys.stdout
    dest.mkdir(parents=True, exist_ok=True)
    log = {entry["file"]: entry for entry in load_log(dest)}
    touched, failures = [], []
    for url in urls:
        name = file_name(url)
        target = dest / name
        known = log.get(name)
        if (
            known
            and target.is_file()
            and known.get("url") == url
            and sha256_file(target) == known.get("sha256")
        ):
            print(f"cached: {name} (sha256 {known['sha256'][:12]}...)", file=out)
            touched.append(known)
            continue
        tmp = target.with_name(target.name + ".part")
        try:
            digest, size, content_type = download_to(url, tmp, timeout)
            with open(tmp, "rb") as handle:
                head = handle.read(4096) if Path(name).suffix.lower() != ".json" else handle.read()
            check_content(url, name, head if size else b"", content_type)
        except FetchError as exc:
            tmp.unlink(missing_ok=True)
            failures.append(str(exc))
            continue
        os.replace(tmp, target)
        entry = {
            "url": url,
            "file": name,
            "sha256": digest,
            "size": size,
            "downloaded_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            **(meta or {}).get(url, {}),
        }
        log[name] = entry
        touched.append(entry)
        print(f"downloaded: {name} ({size:,} bytes)", file=out)
        save_log(dest, list(log.values()))  # a later failure keeps what was fetched (resume)
    save_log(dest, list(log.values()))
    if failures:
        raise FetchError("\n".join(failures))
    return touched


def run(args: argparse.Namespace) -> int:
    if getattr(args, "list", False):
        for description, url in DEFAULT_FILES:
            print(f"{description}\n  {url}")
        return 0
    urls, meta, failures = list(args.urls), {}, []
    if getattr(args, "years", None):
        from analysis.benchmarking.publications import load_registry, parse_years, resolve

        registry = load_registry(Path(args.registry) if args.registry else None)
        kinds = [k.strip() for k in args.kinds.split(",")] if args.kinds else None
        try:
            years = parse_years(args.years)
        except Exception as exc:  # a mistyped year is the user's mistake: say so, no traceback
            print(f"data fetch failed: --years {args.years!r}: {exc}", file=sys.stderr)
            return 1
        found, meta, failures = resolve(registry, years, kinds, args.api)
        urls += found
    elif not urls:
        urls = [url for _d, url in DEFAULT_FILES]
    dest = Path(args.dest)
    if not dest.is_absolute():
        from analysis.core.paths import project_root

        dest = project_root() / dest
    try:
        fetch(urls, dest, meta=meta)
    except FetchError as exc:
        failures.append(str(exc))
    if failures:
        print("data fetch failed:\n" + "\n".join(failures), file=sys.stderr)
        return 1
    print(f"data log: {dest / LOG_NAME}")
    return 0
