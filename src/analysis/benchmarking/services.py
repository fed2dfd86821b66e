"""Which services a council of each class runs, and so which it is compared on.

Where a county and districts share an area, the county runs education, children's and adult
social care, highways, public health and waste disposal; the districts run housing, planning,
waste collection, council tax and business rates collection, leisure and environmental health
(the two-tier split of the domain primer). A district's Revenue Outturn shows nil, or a few
pence a head of agency work, for the county's services: those are not "low cost", they are not
its services, so they are never compared, ranked, counted, charted or proposed. Nor is a
service on which the council itself records no net spending in the year (a nil figure has no
place among its comparators' costs: it would only be ranked among other nils).

:data:`NOT_PROVIDED` is that split by RS service line (highways is left in for districts: their
off-street parking is recorded there, often as net income). Both kinds are listed once, with
the reason, beside the table (:func:`not_compared`).
"""

from __future__ import annotations

import pandas as pd

from analysis.core.display import join_words

# RS service lines a class of council does not provide (the statutory two-tier split).
# {class: {line: who runs it instead}}.
NOT_PROVIDED: dict[str, dict[int, str]] = {
    "SD": {190: "the county council", 330: "the county council", 360: "the county council"}
    | {390: "the county council"},
}

# The class's word in "not a district service".
CLASS_WORDS = {
    "SD": "district",
    "SC": "county",
    "UA": "unitary",
    "MD": "metropolitan district",
    "LB": "London borough",
}

NOT_COMPARED_COLUMNS = [
    "line",
    "service",
    "net_expenditure_gbp_k",
    "net_expenditure_per_head_gbp",
    "why_not_compared",
]


def not_compared(
    costs: pd.DataFrame,
    code: str,
    authority_class: str,
    comparators: list[str],
    year_text: str,
) -> pd.DataFrame:
    """The services the council is not compared on, each with its reason in words.

    ``costs``: unit costs of the year (ons_code, line, service, net_expenditure_gbp_k,
    net_expenditure_per_head_gbp); ``comparators``: the comparators' ONS codes."""
    lines = costs.drop_duplicates("line").set_index("line")["service"].sort_index()
    mine = costs[costs["ons_code"] == code].set_index("line")
    others = costs[costs["ons_code"].isin(comparators)]
    spends = others.groupby("line")["net_expenditure_gbp_k"].apply(
        lambda s: bool(s.fillna(0).ne(0).any())
    )
    statutory = NOT_PROVIDED.get(authority_class, {})
    word = CLASS_WORDS.get(authority_class, authority_class)
    rows = []
    for line, service in lines.items():
        own_k = mine["net_expenditure_gbp_k"].get(line)
        own_head = mine["net_expenditure_per_head_gbp"].get(line)
        if line in statutory:
            why = f"not a {word} service ({statutory[line]} runs it)"
        elif not (pd.notna(own_k) and own_k != 0):
            n = len(comparators)
            why = (
                f"no net spending recorded by the council in {year_text}"
                if spends.get(line, False)
                else f"no net spending recorded in {year_text} by the council or any of its "
                f"{n} comparator{'s' if n != 1 else ''}"
            )
        else:
            continue
        rows.append(
            {
                "line": int(line),
                "service": service,
                "net_expenditure_gbp_k": own_k,
                "net_expenditure_per_head_gbp": own_head,
                "why_not_compared": why,
            }
        )
    return pd.DataFrame(rows, columns=NOT_COMPARED_COLUMNS)


def not_compared_sentence(frame: pd.DataFrame) -> str | None:
    """'Not compared: Education services, ... are not district services (the county council runs
    them); Other services: no net spending recorded ...' (None when every service is compared)."""
    if frame.empty:
        return None
    parts = []
    for why, group in frame.groupby("why_not_compared", sort=False):
        names = list(group["service"])
        text = join_words(names)
        if len(names) > 1 and why.startswith("not a "):
            # 'not a district service (X runs it)' -> 'not district services (X runs them)'
            why = why.replace("not a ", "not ", 1).replace(" service (", " services (", 1)
            why = why.replace(" runs it)", " runs them)")
        parts.append(f"{text}: {why}")
    return (
        "Services not compared (not ranked, counted, charted or proposed): "
        + "; ".join(parts)
        + "."
    )
