"""Where things are: the project root (or ``$COUNCIL_FINANCE_ROOT``), ``data/raw``,
``data/processed``, ``outputs``, ``notebooks``, each council's folder, and ``../shared/data/public``.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

ROOT_ENV = "COUNCIL_FINANCE_ROOT"


@lru_cache(maxsize=1)
def project_root() -> Path:
    """The repository root: ``$COUNCIL_FINANCE_ROOT``, else the checkout this package lives in."""
    if os.environ.get(ROOT_ENV):
        return Path(os.environ[ROOT_ENV]).resolve()
    here = Path(__file__).resolve()
    for candidate in [*here.parents, *Path.cwd().resolve().parents, Path.cwd().resolve()]:
        if (candidate / "pyproject.toml").is_file() and (candidate / "data" / "raw").is_dir():
            return candidate
    raise RuntimeError(
        f"Cannot find the project root (a folder with pyproject.toml and data/raw). "
        f"Set {ROOT_ENV} to the repository folder."
    )


def raw_dir() -> Path:
    return project_root() / "data" / "raw"


def processed_dir() -> Path:
    return project_root() / "data" / "processed"


def outputs_dir() -> Path:
    return project_root() / "outputs"


def notebooks_dir() -> Path:
    return project_root() / "notebooks"


SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def is_slug(name: str) -> bool:
    """A council or scenario name: lower-case letters, digits and single hyphens (``bath-ne-somerset``)."""
    return isinstance(name, str) and len(name) <= 64 and bool(SLUG.match(name))


def generated_councils_dir() -> Path:
    """Council folders a batch generates from the published data (identifiers only)."""
    return processed_dir() / "councils"


def council_dir(council: str) -> Path:
    """``data/raw/<council>/``; for a council with no folder there, the one a batch generated
    in ``data/processed/councils/<council>/`` when it exists. A council is a name, never a path:
    anything but a slug is a ValueError (``config.load_council`` says so to the user)."""
    problem = council_name_problem(council)
    if problem:
        raise ValueError(f"--council: {problem}")
    own = raw_dir() / council
    generated = generated_councils_dir() / council
    return generated if not own.is_dir() and generated.is_dir() else own


def council_name_problem(council: str) -> str | None:
    """Why ``council`` cannot be a council's name, or None when it can."""
    if not is_slug(council):
        return (
            f"'{council}' is not a council name: use the name of a folder under data/raw/ "
            "(lower-case letters, digits and hyphens, e.g. 'dorset')"
        )
    folder = raw_dir() / council
    if folder.exists() and not is_within(folder, raw_dir()):
        return (
            f"data/raw/{council} leads outside data/raw (a link?): copy the files into "
            "data/raw/<council>/ instead"
        )
    return None


def is_within(path: Path, root: Path) -> bool:
    """Whether ``path`` (links resolved) is ``root`` or inside it."""
    return Path(path).resolve().is_relative_to(Path(root).resolve())


def shared_public_data() -> Path | None:
    """``../shared/data/public`` beside the checkout, when it is there."""
    candidate = project_root().parent / "shared" / "data" / "public"
    return candidate if candidate.is_dir() else None


def default_public_data() -> Path | None:
    """Where the published files are when no folder is named: ``../shared/data/public`` beside
    the checkout, else ``data/raw/public`` (where ``python -m analysis data fetch`` puts them),
    else None."""
    fetched = raw_dir() / "public"
    return shared_public_data() or (fetched if fetched.is_dir() else None)


def available_councils() -> list[str]:
    return sorted(
        p.name for p in raw_dir().iterdir() if is_slug(p.name) and (p / "council.yaml").is_file()
    )
