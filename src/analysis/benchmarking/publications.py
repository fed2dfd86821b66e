"""Finding each publication's current files through the GOV.UK content API.

``<api>/api/content/<publication path>`` returns the publication as JSON; its
``details.attachments`` list each file's current address (which changes with every release),
file name and title. The publication paths by year are in ``publications.yaml``.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from pathlib import Path

from analysis.benchmarking.download import TIMEOUT, FetchError, download, file_name

DEFAULT_API = "https://www.gov.uk"


def load_registry(path: Path | None = None) -> dict[str, dict]:
    """The publications fetched by year (``publications.yaml`` beside this module by default)."""
    import yaml

    if path is None:
        from importlib import resources

        text = resources.files("analysis.benchmarking").joinpath("publications.yaml").read_text()
    else:
        text = Path(path).read_text(encoding="utf-8")
    return yaml.safe_load(text) or {}


def parse_years(text: str) -> list[int]:
    """'2016-17', '2010-11:2013-14' or '2015-16,2022-23' -> start years."""
    from analysis.core.periods import parse_year

    years: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if ":" in part:
            first, last = (parse_year(x.strip()) for x in part.split(":", 1))
            years += list(range(first, last + 1))
        else:
            years.append(parse_year(part))
    return sorted(set(years))


def attachments(api: str, path: str, timeout: float = TIMEOUT) -> list[dict]:
    """The attachments GOV.UK lists for a publication: [{url, filename, title}]."""
    url = f"{api.rstrip('/')}/api/content/{path.strip('/')}"
    data, _type = download(url, timeout)
    try:
        item = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise FetchError(f"{url}: the content API did not return JSON") from None
    found = []
    for entry in (item.get("details") or {}).get("attachments") or []:
        link = entry.get("url")
        if not link:
            continue
        link = urllib.parse.urljoin(api.rstrip("/") + "/", link)
        name = entry.get("filename") or file_name(link)
        found.append({"url": link, "filename": name, "title": entry.get("title", "")})
    if not found:
        raise FetchError(f"{url}: the publication lists no attachments")
    return found


def resolve(
    registry: dict[str, dict],
    years: list[int],
    kinds: list[str] | None = None,
    api: str = DEFAULT_API,
    timeout: float = TIMEOUT,
) -> tuple[list[str], dict[str, dict], list[str]]:
    """(urls, metadata per url, failures) for every publication and year asked for."""
    urls: list[str] = []
    meta: dict[str, dict] = {}
    failures: list[str] = []
    for kind, pub in registry.items():
        if kinds and kind not in kinds:
            continue
        span = pub.get("years") or []
        wanted = [y for y in years if span[0] <= y <= span[1]] if len(span) == 2 else [None]
        pattern = re.compile(pub["match"], re.IGNORECASE)
        for year in wanted:
            path = pub["path"].format(year=year, next=(year + 1) if year else None)
            label = f"{pub.get('title', kind)}" + (
                f" {year}-{(year + 1) % 100:02d}" if year else ""
            )
            try:
                found = [
                    a for a in attachments(api, path, timeout) if pattern.search(a["filename"])
                ]
            except FetchError as exc:
                failures.append(f"{label}: {exc}")
                continue
            if not found:
                failures.append(
                    f"{label}: no attachment of /{path} matches {pub['match']!r} (the publisher "
                    "may have renamed its files; update publications.yaml)"
                )
                continue
            for attachment in found:
                if attachment["url"] not in meta:
                    urls.append(attachment["url"])
                meta[attachment["url"]] = {
                    "publication": f"/{path}",
                    "kind": kind,
                    "year": year,
                    "title": attachment["title"],
                }
    return urls, meta, failures
