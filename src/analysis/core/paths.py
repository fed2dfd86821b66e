"""Where things are: the project root (or ``$COUNCIL_FINANCE_ROOT``), ``data/raw``,
``data/processed``, ``outputs``, ``notebooks``, each council's folder, and ``../shared/data/public``.
"""

from __future__ import annotations

import os
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


def generated_councils_dir() -> Path:
    """Council folders a batch generates from the published data (identifiers only)."""
    return processed_dir() / "councils"


def council_dir(council: str) -> Path:
    """``data/raw/<council>/``; for a council with no folder there, the one a batch generated
    in ``data/processed/councils/<council>/`` when it exists."""
    own = raw_dir() / council
    generated = generated_councils_dir() / council
    return generated if not own.is_dir() and generated.is_dir() else own


def shared_public_data() -> Path | None:
    """``../shared/data/public`` beside the checkout, when it is there."""
    candidate = project_root().parent / "shared" / "data" / "public"
    return candidate if candidate.is_dir() else None


def available_councils() -> list[str]:
    return sorted(p.name for p in raw_dir().iterdir() if (p / "council.yaml").is_file())
