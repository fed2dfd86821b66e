"""Comparator groups and the council's position within them (vectorised).

A comparator group is a frame with one row per (``ons_code``, ``comparator_code``): the
authority being compared and each of its comparators, the authority itself excluded.

Positions (:func:`positions`) for each authority and key (service line, indicator, year):

- ``comparator_median``: the median of the comparators that had data (the authority excluded);
- ``diff`` and ``diff_fraction``: value minus that median, and as a fraction of it (only where
  both the value and the median are above zero: a percentage of a nil or negative figure, such
  as net income, means nothing, so it is blank and the difference is read in units);
- ``mad``: the median absolute deviation of the comparators from their median;
- ``robust_score``: diff / MAD (the Office for Local Government's "MADs from the median").
  When the MAD is 0 (at least half the comparators report the same figure) the score is 0 for an
  authority at the median and blank otherwise, with ``mad_is_zero`` set so readers can see why;
- ``rank``: 1 = highest value among the authority and its comparators with data; ``n_ranked``.
  Ties share the middle rank (mid rank): an authority level with two comparators, below one
  higher value, shares positions 2, 3 and 4 and takes 3 (not 2), so a tie is not shown as the
  higher cost (:data:`RANK_RULE` says so in words);
- ``quartile``: 4 = the highest quarter, 1 = the lowest (from the mid rank; :data:`QUARTILE_RULE`);
- ``n_comparators_with_data``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

RANK_RULE = "ties share the middle rank"

POSITION_COLUMNS = [
    "value",
    "comparator_median",
    "diff",
    "diff_fraction",
    "mad",
    "robust_score",
    "mad_is_zero",
    "rank",
    "n_ranked",
    "quartile",
    "n_comparators_with_data",
]


QUARTILE_RULE = (
    "quartile 4 is the highest-cost quarter and 1 the lowest: with N ranked (the council and "
    "its comparators with data), quartile = 4 - floor((rank - 1) x 4 / N), so rank 1 of 16 is "
    "in quartile 4 and rank 16 of 16 in quartile 1"
)


def mid_rank(n_higher, n_equal):
    """The rank (1 = highest) of a value with ``n_higher`` others above it and ``n_equal`` others
    level with it: the middle of the positions the tied values share (:data:`RANK_RULE`). The
    one ranking rule of every table, sentence and chart (arrays or numbers)."""
    return np.asarray(n_higher) + 1 + np.asarray(n_equal) / 2


def quartile_of(rank, n_ranked):
    """The quartile (4 = highest quarter) of a rank among ``n_ranked`` (:data:`QUARTILE_RULE`)."""
    return 4 - np.floor((np.asarray(rank) - 1) * 4 / np.asarray(n_ranked))


def rank_in(values, own: float) -> tuple[float, int]:
    """(mid rank of ``own`` among ``values``, how many of the others are level with it):
    ``values`` holds ``own`` once among the others."""
    values = np.asarray(values, dtype="float64")
    equal = int((values == own).sum()) - 1
    return float(mid_rank(int((values > own).sum()), equal)), equal


def positions(values: pd.DataFrame, groups: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Positions of every authority in ``groups.ons_code`` on every key (one pass on arrays).

    ``values``: columns ons_code, *keys, value (one value per authority and key; a row without a
    value, or without a key, is no figure). ``groups``: ons_code, comparator_code.
    """
    by = ["ons_code", *keys]
    vals = values[[*by, "value"]].dropna()
    pairs = groups[["ons_code", "comparator_code"]]
    codes = pd.Index(pd.concat([pairs["ons_code"], pairs["comparator_code"]]).unique())
    vals = vals[vals["ons_code"].isin(codes)]  # only the authorities compared
    # Each figure's place in a grid of authority (row) by key (column).
    row = codes.get_indexer(vals["ons_code"])
    col, n_cols = _key_ids(vals, keys)
    if len(np.unique(row * n_cols + col)) < len(vals):
        twice = vals[vals.duplicated(by, keep=False)].iloc[0]
        raise ValueError(
            f"two values for one authority and key: {twice[by].to_dict()} (positions need one)"
        )
    grid = np.full((len(codes), n_cols), np.nan)
    grid[row, col] = vals["value"].to_numpy(dtype="float64")
    # The authorities compared (``of``) and their comparators (``to``), as grid rows.
    of = codes.get_indexer(pairs["ons_code"])
    to = codes.get_indexer(pairs["comparator_code"])
    is_focal = np.isin(row, of)
    focal = vals[is_focal]
    own_row, own_col = row[is_focal], col[is_focal]
    value = grid[own_row, own_col]
    # Each focal figure's comparators (the authority itself excluded), one entry per pair.
    pair_ids = np.unique((of * len(codes) + to)[of != to])  # sorted by authority, then comparator
    of, to = pair_ids // len(codes), pair_ids % len(codes)
    first = np.searchsorted(of, own_row, side="left")
    count = np.searchsorted(of, own_row, side="right") - first
    figure = np.repeat(np.arange(len(focal)), count)
    step = np.arange(len(figure)) - np.repeat(np.cumsum(count) - count, count)
    others = grid[to[np.repeat(first, count) + step], np.repeat(own_col, count)]
    has = ~np.isnan(others)
    theirs, others = figure[has], others[has]
    median, n = _segment_medians(theirs, others, len(focal))
    mad, _ = _segment_medians(theirs, np.abs(others - median[theirs]), len(focal))
    higher = np.bincount(theirs, weights=others > value[theirs], minlength=len(focal))
    equal = np.bincount(theirs, weights=others == value[theirs], minlength=len(focal))
    n = n.astype("int64")
    diff = value - median
    with np.errstate(divide="ignore", invalid="ignore"):
        # No percentage of a nil or negative figure (net income): the difference is in units.
        diff_fraction = np.where((median > 0) & (value > 0), diff / median, np.nan)
        score = diff / mad
    mad_is_zero = mad == 0
    robust_score = np.where(mad_is_zero, np.where(diff == 0, 0.0, np.nan), score)
    rank = mid_rank(higher, equal)
    n_ranked = n + 1
    no_data = n == 0
    columns = {
        "comparator_median": median,
        "diff": diff,
        "diff_fraction": diff_fraction,
        "mad": mad,
        "robust_score": robust_score,
        "mad_is_zero": mad_is_zero,
        "rank": np.where(no_data, np.nan, rank).astype("float64"),
        "n_ranked": pd.array(n_ranked, dtype="Int64"),
        "quartile": pd.array(np.where(no_data, np.nan, quartile_of(rank, n_ranked)), dtype="Int64"),
        "n_comparators_with_data": n,
    }
    out = pd.concat([focal[[*by, "value"]].reset_index(drop=True), pd.DataFrame(columns)], axis=1)
    return out[[*by, *POSITION_COLUMNS]].sort_values(by, ignore_index=True)


def _key_ids(vals: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, int]:
    """(a number for each row's key, how many numbers there can be): rows with the same values
    in ``keys`` share a number."""
    ids, n = np.zeros(len(vals), dtype="int64"), 1
    for key in keys:
        codes, uniques = pd.factorize(vals[key])
        ids, n = ids * len(uniques) + codes, n * max(len(uniques), 1)
    return ids, n


def _segment_medians(group: np.ndarray, values: np.ndarray, n_groups: int):
    """(the median of ``values`` in each group, the groups' sizes), NaN for an empty group; an
    even count's median is (upper + lower) / 2."""
    ordered = values[np.lexsort((values, group))]
    sizes = np.bincount(group, minlength=n_groups)
    starts = np.cumsum(sizes) - sizes
    medians = np.full(n_groups, np.nan)
    has = sizes > 0
    lower = ordered[(starts + (sizes - 1) // 2)[has]]
    upper = ordered[(starts + sizes // 2)[has]]
    medians[has] = np.where(sizes[has] % 2 == 1, upper, (upper + lower) / 2)
    return medians, sizes


def class_groups(classes: pd.Series, codes: list[str] | None = None) -> pd.DataFrame:
    """Every authority of the same class (``classes``: ons_code -> class)."""
    frame = classes.dropna().rename("authority_class").rename_axis("ons_code").reset_index()
    # Only the asked-for authorities' pairs are made (not every pair of the class).
    asked = frame if codes is None else frame[frame["ons_code"].isin(codes)]
    pairs = asked.merge(frame.rename(columns={"ons_code": "comparator_code"}), on="authority_class")
    pairs = pairs[pairs["ons_code"] != pairs["comparator_code"]]
    return pairs[["ons_code", "comparator_code"]].reset_index(drop=True)


def neighbour_groups(neighbours: pd.DataFrame, codes: list[str] | None = None) -> pd.DataFrame:
    """Groups from a nearest-neighbour list (``read_neighbours``), the authority itself excluded."""
    frame = neighbours[neighbours["neighbour_rank"] > 0]
    if codes is not None:
        frame = frame[frame["ons_code"].isin(codes)]
    return frame.rename(columns={"neighbour_code": "comparator_code"})[
        ["ons_code", "comparator_code", "neighbour_rank"]
    ].reset_index(drop=True)


def list_groups(council_code: str, comparators: list[str]) -> pd.DataFrame:
    codes = [c for c in dict.fromkeys(comparators) if c != council_code]
    return pd.DataFrame(
        {
            "ons_code": council_code,
            "comparator_code": codes,
            "neighbour_rank": range(1, len(codes) + 1),
        }
    )


def computed_neighbours(
    features: pd.DataFrame, classes: pd.Series, k: int, codes: list[str] | None = None
) -> pd.DataFrame:
    """The k nearest authorities of the same class by Euclidean distance on standardised variables.

    ``features``: one row per ons_code (index), one column per variable. Each variable is
    standardised to mean 0 and standard deviation 1 across the authorities of the class (a
    variable that does not vary is left out for that class). Authorities missing any variable
    are left out. Ties are broken by code, so the result is deterministic.
    Returns ons_code, comparator_code, neighbour_rank (1 = nearest), distance.
    """
    frame = features.dropna()
    cls = classes.reindex(frame.index)
    parts = []
    for _klass, block in frame.groupby(cls, sort=True):
        if codes is not None and not block.index.isin(codes).any():
            continue  # no authority asked for in this class
        sd = block.std(ddof=0)
        usable = sd[sd > 0].index
        z = (block[usable] - block[usable].mean()) / sd[usable]
        z = z.sort_index()
        matrix = z.to_numpy()
        dist = np.sqrt(((matrix[:, None, :] - matrix[None, :, :]) ** 2).sum(axis=2))
        names = z.index.to_numpy()
        for i, code in enumerate(names):
            if codes is not None and code not in codes:
                continue
            order = [j for j in np.lexsort((names, dist[i])) if j != i][:k]
            parts.append(
                pd.DataFrame(
                    {
                        "ons_code": code,
                        "comparator_code": names[order],
                        "neighbour_rank": np.arange(1, len(order) + 1),
                        "distance": dist[i, order],
                    }
                )
            )
    if not parts:
        return pd.DataFrame(columns=["ons_code", "comparator_code", "neighbour_rank", "distance"])
    return pd.concat(parts, ignore_index=True)
