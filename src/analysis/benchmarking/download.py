"""Downloading one published file safely: streamed to ``.part``, checked, errors naming the URL
(HTTP errors, web pages in place of files, files cut short, being offline)."""

from __future__ import annotations

import hashlib
import http.client
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

TIMEOUT = 60


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


def _open(url: str, timeout: float):
    request = urllib.request.Request(
        url, headers={"User-Agent": "council-finance-analysis (data fetch)"}
    )
    try:
        return urllib.request.urlopen(request, timeout=timeout)
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


def download(url: str, timeout: float = TIMEOUT) -> tuple[bytes, str]:
    """The whole body of ``url`` (small files: API responses) and its content type."""
    with _open(url, timeout) as response:
        try:
            return response.read(), response.headers.get("Content-Type", "")
        except http.client.IncompleteRead as exc:
            raise FetchError(
                f"{url}: the download was cut short ({len(exc.partial):,} bytes received); "
                "run the fetch again"
            ) from None


def download_to(url: str, part: Path, timeout: float = TIMEOUT) -> tuple[str, int, str]:
    """Stream ``url`` into ``part``; (sha256, size, content type). A cut-short or failed download
    removes ``part`` and raises :class:`FetchError` naming the URL."""
    digest, size = hashlib.sha256(), 0
    try:
        with _open(url, timeout) as response, open(part, "wb") as handle:
            content_type = response.headers.get("Content-Type", "")
            expected = response.headers.get("Content-Length")
            while True:
                block = response.read(1 << 16)
                if not block:
                    break
                handle.write(block)
                digest.update(block)
                size += len(block)
        if expected is not None and expected.isdigit() and size < int(expected):
            raise http.client.IncompleteRead(b"", int(expected) - size)
    except http.client.IncompleteRead as exc:
        part.unlink(missing_ok=True)
        got = size + len(exc.partial or b"")
        raise FetchError(
            f"{url}: the download was cut short ({got:,} bytes received"
            + (f" of {got + exc.expected:,}" if exc.expected else "")
            + "); nothing was kept, run the fetch again to retry"
        ) from None
    except (OSError, FetchError) as exc:
        part.unlink(missing_ok=True)
        if isinstance(exc, FetchError):
            raise
        raise FetchError(f"{url}: the download failed ({exc}); nothing was kept") from None
    return digest.hexdigest(), size, content_type
