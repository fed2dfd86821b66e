"""Which councils a batch builds packs for, and the council folders it generates for them.

A council with its own folder in ``data/raw/`` (matched by ONS code) is built from it: the full
pack where it has MTFP assumptions and savings registers, else the benchmark and summary. Every
other authority in the published data gets a generated ``council.yaml`` in
``data/processed/councils/<slug>/`` holding only what the published data says (name, codes,
class) and the latest outturn year as its period; its pack is the benchmark and summary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from analysis.core import config, paths
from analysis.core.errors import InputError
from analysis.pack.catalogue import PUBLIC_ONLY, default_notebooks

if TYPE_CHECKING:  # a Dask worker imports this module and need not load pandas for it
    import pandas as pd

UPPER_TIER = ("UA", "MD", "LB", "SC")
CLASSES = (*UPPER_TIER, "SD")
FULL_NOTEBOOKS = ("mtfp", "savings", "benchmark", "summary")


@dataclass(frozen=True)
class BatchCouncil:
    slug: str
    name: str
    ons_code: str
    authority_class: str
    notebooks: tuple[str, ...]
    period: str
    generated: bool


def slugify(name: str) -> str:
    """A folder name from an authority's name: 'Bath and North East Somerset' ->
    'bath-and-north-east-somerset' (lower-case letters, digits and hyphens)."""
    text = name.lower().replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def own_folders() -> dict[str, str]:
    """ONS code -> slug of every council with its own folder in ``data/raw/``."""
    found = {}
    for slug in paths.available_councils():
        found[config.load_council(slug).ons_code] = slug
    return found


def _own_row(slug: str, year: int) -> dict:
    """A council with its own folder that the published data does not name (e.g. one created
    after the latest outturn year)."""
    council = config.load_council(slug)
    return {
        "ons_code": council.ons_code,
        "e_code": council.e_code or "",
        "name": council.name,
        "authority_class": council.authority_class,
        "year": year,
        "has_neighbours": False,
        "slug": slug,
    }


def select(
    authorities: pd.DataFrame, classes: list[str] | None = None, councils: list[str] | None = None
) -> pd.DataFrame:
    """The authorities asked for: by class (``UA,MD,LB,SC``), by slug or ONS code, or every
    authority of a class a council pack covers (not police, fire or other bodies)."""
    own = {slug: code for code, slug in own_folders().items()}
    slugs = authorities["name"].map(slugify)
    # A published authority whose name is taken by another council's own folder (the former
    # Dorset County Council and today's Dorset Council) gets its ONS code in its folder name.
    clash = slugs.isin(own) & (slugs.map(own) != authorities["ons_code"])
    slugs[clash] = slugs[clash] + "-" + authorities.loc[clash, "ons_code"].str.lower()
    frame = authorities.assign(slug=slugs)
    if councils:
        wanted = {c.strip() for c in councils if c.strip()}
        chosen = frame[frame["ons_code"].isin(wanted) | frame["slug"].isin(wanted)]
        unknown = wanted - set(chosen["ons_code"]) - set(chosen["slug"])
        extra = [
            _own_row(slug, int(frame["year"].max()))
            for slug in sorted(unknown & set(own))
            if own[slug] not in set(chosen["ons_code"])
        ]
        unknown -= set(own)
        if extra:
            import pandas as pd

            chosen = pd.concat([chosen, pd.DataFrame(extra)], ignore_index=True)
        if unknown:
            raise InputError.single(
                "--councils",
                f"not in the published data: {', '.join(sorted(unknown))} "
                "(give ONS codes such as E06000022 or names such as bath-and-north-east-somerset)",
            )
        return chosen.reset_index(drop=True)
    wanted_classes = [c.strip().upper() for c in (classes or CLASSES)]
    bad = [c for c in wanted_classes if c not in CLASSES]
    if bad:
        raise InputError.single(
            "--class", f"unknown class {', '.join(bad)}: use {', '.join(CLASSES)}"
        )
    return frame[frame["authority_class"].isin(wanted_classes)].reset_index(drop=True)


def generated_yaml(row: pd.Series, source: str) -> str:
    """The generated ``council.yaml`` for one authority of the published data."""
    year = int(row["year"])
    data = {
        "name": str(row["name"]),
        "ons_code": str(row["ons_code"]),
        "e_code": str(row["e_code"]),
        "authority_class": str(row["authority_class"]),
        # No committee is known: the pages do not say "report for Cabinet" (the default).
        "committee": "",
        "minimum_general_fund_reserve": {"percent_of_net_budget": 5.0},
        "directorates": ["All services"],
        "default_period": f"{year}-{(year + 1) % 100:02d}-Q4",
        "data_notes": (
            f"Generated by 'python -m analysis batch' from {source}: identifiers only. "
            "Give the council a folder in data/raw/ for its own settings and inputs."
        ),
        "benchmark": {
            "comparator_method": "nearest_neighbours" if row["has_neighbours"] else "class"
        },
    }
    header = "# Generated by `python -m analysis batch`; rebuilt on every run, not committed.\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def prepare(
    chosen: pd.DataFrame,
    source: str,
    notebooks: list[str] | None = None,
    period: str | None = None,
) -> list[BatchCouncil]:
    """A :class:`BatchCouncil` for each chosen authority, writing the generated folders."""
    own = own_folders()
    out: list[BatchCouncil] = []
    root = paths.generated_councils_dir()
    for _, row in chosen.iterrows():
        slug = own.get(row["ons_code"])
        generated = slug is None
        if generated:
            slug = row["slug"]
            folder = root / slug
            folder.mkdir(parents=True, exist_ok=True)
            text = generated_yaml(row, source)
            target = folder / "council.yaml"
            if not target.is_file() or target.read_text("utf-8") != text:
                target.write_text(text, "utf-8")
        own_inputs = not generated and default_notebooks(paths.raw_dir() / slug) is None
        chosen_notebooks = tuple(notebooks or (FULL_NOTEBOOKS if own_inputs else PUBLIC_ONLY))
        out.append(
            BatchCouncil(
                slug=slug,
                name=str(row["name"]),
                ons_code=str(row["ons_code"]),
                authority_class=str(row["authority_class"]),
                notebooks=chosen_notebooks,
                period=period or "latest",
                generated=generated,
            )
        )
    return out


def council_files(slug: str) -> list[Path]:
    """Every input file in the council's folder (its own or the generated one)."""
    folder = paths.council_dir(slug)
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
