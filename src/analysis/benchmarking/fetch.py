"""``python -m analysis data fetch``: download the official files into ``data/raw/public/``.

Files are cached: a file whose name is in the data log with a known SHA-256 and which is on disk
with that checksum is not downloaded again. Each download is checked before it is kept: an HTTP
error, an HTML page, or a file without the expected signature (xlsx/zip ``PK``, JSON, CSV) is
refused with a message naming the URL. Connection failures say you appear to be offline.
The data log ``DATA_LOG.json`` records url, file, sha256, size and downloaded_at.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import socket
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

DEFAULT_DEST = "data/raw/public"
LOG_NAME = "DATA_LOG.json"
TIMEOUT = 60

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


class FetchError(Exception):
    """A download that failed or returned the wrong thing; the message names the URL."""


def file_name(url: str) -> str:
    parsed = urllib.parse.urlparse(url)
    query = urllib.parse.parse_qs(parsed.query)
    path = query.get("uri", [parsed.path])[0]
    name = Path(urllib.parse.unquote(path)).name
    return name or "download"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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


def check_content(url: str, name: str, data: bytes, content_type: str) -> None:
    """Refuse HTML pages and files without the signature their extension implies."""
    head = data[:512].lstrip().lower()
    if (
        "html" in content_type.lower()
        or head.startswith(b"<!doctype html")
        or head.startswith(b"<html")
    ):
        raise FetchError(
            f"{url}: the server returned a web page (HTML), not the expected file {name}"
        )
    suffix = Path(name).suffix.lower()
    if suffix in {".xlsx", ".xlsm", ".zip", ".ods"} and not data.startswith(b"PK\x03\x04"):
        raise FetchError(
            f"{url}: the download is not a {suffix} file (no zip signature); it may be damaged or an error page"
        )
    if suffix == ".xls" and not data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FetchError(f"{url}: the download is not an .xls workbook")
    if suffix == ".json":
        try:
            json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise FetchError(f"{url}: the download is not valid JSON") from None
    if suffix == ".csv" and b"\x00" in data[:4096]:
        raise FetchError(f"{url}: the download is not a text CSV file")
    if not data:
        raise FetchError(f"{url}: the server returned an empty file")


def download(url: str, timeout: float = TIMEOUT) -> tuple[bytes, str]:
    request = urllib.request.Request(
        url, headers={"User-Agent": "council-finance-analysis (data fetch)"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        raise FetchError(
            f"{url}: the server answered HTTP {exc.code} ({exc.reason}); check the address"
        ) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(
            reason,
            ConnectionRefusedError | socket.gaierror | socket.timeout | TimeoutError | OSError,
        ):
            raise FetchError(
                f"{url}: could not connect ({reason}). You appear to be offline, or the server is unreachable."
            ) from None
        raise FetchError(f"{url}: could not download ({reason})") from None
    except (TimeoutError, ConnectionError) as exc:
        raise FetchError(
            f"{url}: could not connect ({exc}). You appear to be offline, or the server is unreachable."
        ) from None


def fetch(urls: list[str], dest: Path, timeout: float = TIMEOUT, out=None) -> list[dict]:
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
        try:
            data, content_type = download(url, timeout)
            check_content(url, name, data, content_type)
        except FetchError as exc:
            failures.append(str(exc))
            continue
        tmp = target.with_suffix(target.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(target)
        entry = {
            "url": url,
            "file": name,
            "sha256": sha256_bytes(data),
            "size": len(data),
            "downloaded_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        }
        log[name] = entry
        touched.append(entry)
        print(f"downloaded: {name} ({len(data):,} bytes)", file=out)
    save_log(dest, list(log.values()))
    if failures:
        raise FetchError("\n".join(failures))
    return touched


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "urls", nargs="*", help="URLs of published files (default: the documented list)"
    )
    parser.add_argument(
        "--dest", default=DEFAULT_DEST, help=f"folder to download into (default {DEFAULT_DEST})"
    )
    parser.add_argument(
        "--list", action="store_true", help="print the default list of files and exit"
    )


def run(args: argparse.Namespace) -> int:
    if getattr(args, "list", False):
        for description, url in DEFAULT_FILES:
            print(f"{description}\n  {url}")
        return 0
    urls = list(args.urls) or [url for _d, url in DEFAULT_FILES]
    dest = Path(args.dest)
    if not dest.is_absolute():
        from analysis.core.paths import project_root

        dest = project_root() / dest
    try:
        fetch(urls, dest)
    except FetchError as exc:
        print(f"data fetch failed:\n{exc}", file=sys.stderr)
        return 1
    print(f"data log: {dest / LOG_NAME}")
    return 0
