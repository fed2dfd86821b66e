"""How the pages name a scenario: the one rule every layer shares.

A scenario is keyed in ``mtfp.yaml`` by a name such as ``pay_shock``; readers see its ``title:``
where the file gives one ("Pay shock", "Pay award of 5%"), else the name in words with a capital
("pay_shock" -> "Pay shock"). Never the raw key.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.core.config import load_yaml

if TYPE_CHECKING:  # the pack's worker names scenarios without loading pandas (about 90 MB)
    import pandas as pd

TITLE_KEY = "title"  # a scenario's display name in mtfp.yaml; it overrides no assumption
MTFP_FILE = "mtfp.yaml"


def key_in_words(name: str) -> str:
    """'pay_shock' -> 'Pay shock'; 'high-inflation' -> 'High inflation'."""
    words = str(name).replace("_", " ").replace("-", " ").split()
    text = " ".join(words) or str(name)
    return text[:1].upper() + text[1:]


def title_of(name: str, given: object = None) -> str:
    """``given`` (a scenario's ``title:``) where it is text, else :func:`key_in_words`."""
    if isinstance(given, str) and given.strip():
        return given.strip()
    return key_in_words(name)


def in_sentence(name: str, given: object = None) -> str:
    """The scenario inside a sentence: its ``title:`` as written, else its name in lower-case
    words ("pay_shock" -> "pay shock"), so that "the pay shock scenario" reads as prose; a name
    that starts with initials keeps them ("CPI_shock" -> "CPI shock")."""
    if isinstance(given, str) and given.strip():
        return given.strip()
    # display (and pandas with it) is loaded here: a batch worker reads scenario titles but
    # needs no pandas (tests/pack/test_prechecked.py).
    from analysis.core.display import in_sentence as name_in_sentence

    return name_in_sentence(key_in_words(name))


def title_in_folder(folder: Path, name: str) -> str:
    """Scenario ``name``'s title as the council folder's ``mtfp.yaml`` gives it (the file is
    checked in full by the MTFP module; a folder without one, as in a benchmark-only pack,
    names the scenario in words)."""
    path = Path(folder) / MTFP_FILE
    data = load_yaml(path) if path.is_file() else None
    scenarios = data.get("scenarios") if isinstance(data, dict) else None
    own = scenarios.get(name) if isinstance(scenarios, dict) else None
    return title_of(name, own.get(TITLE_KEY) if isinstance(own, dict) else None)


def titled(frame: pd.DataFrame, titles: Mapping[str, str] | None = None) -> pd.DataFrame:
    """``frame`` for display: its ``scenario`` column shows each scenario's title (from
    ``titles``, else the table's own ``scenario_title`` column), never the key in the file."""
    out = frame.copy()
    if titles is not None:
        out["scenario"] = out["scenario"].astype(str).map(lambda n: titles.get(n, key_in_words(n)))
    elif "scenario_title" in out.columns:
        out["scenario"] = out["scenario_title"]
    else:
        out["scenario"] = out["scenario"].astype(str).map(key_in_words)
    return out.drop(columns=["scenario_title"], errors="ignore")
