"""Comparator groups and the council's position within them (vectorised).

A comparator group is a frame with one row per (``ons_code``, ``comparator_code``): the
authority being compared and each of its comparators, the authority itself excluded.

Positions (:func:`positions`) for each authority and key (service line, indicator, year):

- ``comparator_median``: the median of the comparators that had data (the authority excluded);
- ``diff`` and ``diff_fraction``: value minus that median, and as a fraction of it;
- ``mad``: the median absolute deviation of the comparators from their median;
- ``robust_score``: diff / MAD (the Office for Local Government's "MADs from the median").
  When the MAD is 0 (at least half the comparators report the same figure) the score is 0 for an
  authority at the median and blank otherwise, with ``mad_is_zero`` set so readers can see why;
- ``rank``: 1 = highest value among the authority and its comparators with data; ``n_ranked``.
  Ties share the middle rank (mid rank): an authority level with two comparators, below one
  higher value, shares positions 2, 3 and 4 and takes 3 (not 2), so a tie is not shown as the
  higher cost (:data:`RANK_RULE` says so in words);
- ``quartile``: 4 = the highest quarter, 1 = the lowest (from the mid rank);
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


def positions(values: pd.DataFrame, groups: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Positions of every authority in ``groups.ons_code`` on every key.

    ``values``: columns ons_code, *keys, value. ``groups``: ons_code, comparator_code.
    """
    vals = values[["ons_code", *keys, "value"]].dropna(subset=["value"])
    focal_codes = pd.Index(groups["ons_code"].unique())
    focal = vals[vals["ons_code"].isin(focal_codes)]
    members = groups[["ons_code", "comparator_code"]].drop_duplicates()
    members = members[members["ons_code"] != members["comparator_code"]]
    other = vals.rename(columns={"ons_code": "comparator_code", "value": "comparator_value"})
    merged = members.merge(other, on="comparator_code", how="inner")
    by = ["ons_code", *keys]
    stats = _stats_by_arrays(focal, merged, by)
    if stats is not None:
        return _positions_from_arrays(focal, by, stats)
    out = focal.join(_stats_by_frames(focal, merged, by), on=by, how="left")
    out["n_comparators_with_data"] = out["n_comparators_with_data"].fillna(0).astype("int64")
    out["n_higher"] = out["n_higher"].fillna(0).astype("int64")
    out["n_equal"] = out["n_equal"].fillna(0).astype("int64")
    out["diff"] = out["value"] - out["comparator_median"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["diff_fraction"] = np.where(
            out["comparator_median"] != 0, out["diff"] / out["comparator_median"].abs(), np.nan
        )
        score = out["diff"] / out["mad"]
    out["mad_is_zero"] = out["mad"].eq(0)
    out["robust_score"] = np.where(
        out["mad_is_zero"], np.where(out["diff"].eq(0), 0.0, np.nan), score
    )
    # Mid rank: the authority and the comparators level with it share positions
    # n_higher + 1 .. n_higher + 1 + n_equal; the authority takes the middle one.
    out["rank"] = out["n_higher"] + 1 + out["n_equal"] / 2
    out["n_ranked"] = out["n_comparators_with_data"] + 1
    quartile = 4 - np.floor((out["rank"] - 1) * 4 / out["n_ranked"])
    no_data = out["n_comparators_with_data"].eq(0)
    out["rank"] = out["rank"].where(~no_data).astype("float64")
    out["quartile"] = quartile.where(~no_data).astype("Int64")
    out = out.drop(columns=["n_higher", "n_equal"])
    out["n_ranked"] = out["n_ranked"].astype("Int64")
    return out[[*by, *POSITION_COLUMNS]].sort_values(by, ignore_index=True)


def _stats_by_frames(focal: pd.DataFrame, merged: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """The comparators' median, count and MAD, and how many are above and level with the
    authority, per (authority, key): the general path, by pandas groupby (any keys)."""
    grouped = merged.groupby(by, sort=False)["comparator_value"]
    stats = pd.DataFrame(
        {"comparator_median": grouped.median(), "n_comparators_with_data": grouped.size()}
    )
    merged = merged.join(stats["comparator_median"], on=by)
    merged["absdev"] = (merged["comparator_value"] - merged["comparator_median"]).abs()
    stats["mad"] = merged.groupby(by, sort=False)["absdev"].median()
    merged = merged.merge(focal, on=by, how="inner")
    keys = [merged[k] for k in by]
    stats["n_higher"] = (
        (merged["comparator_value"] > merged["value"]).groupby(keys, sort=False).sum()
    )
    stats["n_equal"] = (
        (merged["comparator_value"] == merged["value"]).groupby(keys, sort=False).sum()
    )
    return stats


def _segment_medians(group: np.ndarray, values: np.ndarray, n_groups: int):
    """(the median of ``values`` in each group, the groups' sizes), NaN for an empty group. An
    even count's median is (upper + lower) / 2 as pandas computes it: the same figures."""
    ordered = values[np.lexsort((values, group))]
    sizes = np.bincount(group, minlength=n_groups)
    starts = np.cumsum(sizes) - sizes
    medians = np.full(n_groups, np.nan)
    has = sizes > 0
    lower = ordered[(starts + (sizes - 1) // 2)[has]]
    upper = ordered[(starts + sizes // 2)[has]]
    medians[has] = np.where(sizes[has] % 2 == 1, upper, (upper + lower) / 2)
    return medians, sizes


def _stats_by_arrays(focal: pd.DataFrame, merged: pd.DataFrame, by: list[str]):
    """What :func:`_stats_by_frames` gives, one row per focal row (its index), in one pass on
    arrays; None when the keys need the general path (a missing key, or an authority with two
    values for one key)."""
    numeric = all(
        isinstance(f.dtype, np.dtype) and f.dtype.kind in "fiu"
        for f in (focal["value"], merged["comparator_value"])
    )
    if not numeric or focal[by].isna().any().any() or merged[by].isna().any().any():
        return None
    if focal.duplicated(by).any():
        return None
    both = pd.concat([focal[by], merged[by]], ignore_index=True)
    ids = both.groupby(by, sort=False).ngroup().to_numpy()
    n = int(ids.max()) + 1 if len(ids) else 0
    mine, theirs = ids[: len(focal)], ids[len(focal) :]
    values = merged["comparator_value"].to_numpy(dtype="float64")
    median, size = _segment_medians(theirs, values, n)
    mad, _ = _segment_medians(theirs, np.abs(values - median[theirs]), n)
    own = np.full(n, np.nan)
    own[mine] = focal["value"].to_numpy(dtype="float64")
    higher = np.bincount(theirs, weights=values > own[theirs], minlength=n)
    equal = np.bincount(theirs, weights=values == own[theirs], minlength=n)
    return {
        "comparator_median": median[mine],
        "n_comparators_with_data": size[mine].astype("int64"),
        "mad": mad[mine],
        "n_higher": higher[mine].astype("int64"),
        "n_equal": equal[mine].astype("int64"),
    }


def _positions_from_arrays(focal: pd.DataFrame, by: list[str], stats: dict) -> pd.DataFrame:
    """What :func:`positions` returns, from :func:`_stats_by_arrays`: the same arithmetic on
    arrays, and one frame made at the end."""
    value = focal["value"].to_numpy()
    median, n = stats["comparator_median"], stats["n_comparators_with_data"]
    mad = stats["mad"]
    diff = value - median
    with np.errstate(divide="ignore", invalid="ignore"):
        diff_fraction = np.where(median != 0, diff / np.abs(median), np.nan)
        score = diff / mad
    mad_is_zero = mad == 0
    robust_score = np.where(mad_is_zero, np.where(diff == 0, 0.0, np.nan), score)
    # Mid rank, as in the general path.
    rank = stats["n_higher"] + 1 + stats["n_equal"] / 2
    n_ranked = n + 1
    quartile = 4 - np.floor((rank - 1) * 4 / n_ranked)
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
        "quartile": pd.array(np.where(no_data, np.nan, quartile), dtype="Int64"),
        "n_comparators_with_data": n,
    }
    out = pd.concat([focal[[*by, "value"]].reset_index(drop=True), pd.DataFrame(columns)], axis=1)
    return out[[*by, *POSITION_COLUMNS]].sort_values(by, ignore_index=True)


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
