"""Error lists are bounded (issue 23): 10,000 directorates gave 20,000 messages each repeating
the whole list (15 GB, 72 s, 2.1 GB on stderr); a register of bad rows ended in MemoryError."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest
import yaml

from analysis.core import config, paths
from analysis.core.errors import MAX_PROBLEMS_PER_FILE, InputError, Problem, Problems, listing


def _many(n: int, file: str = "r.xlsx"):
    for i in range(n):
        yield Problem(file, f"'{i}' is not an amount of money", row=i + 2, column="Planned")


def test_a_file_lists_at_most_50_problems_then_counts_the_rest():
    error = InputError(_many(100_000))
    lines = error.render().splitlines()
    assert lines[0] == "100,000 problems in the input data:"
    assert len(lines) == 1 + MAX_PROBLEMS_PER_FILE + 1
    assert lines[-1] == (
        "  - r.xlsx, column 'Planned': and 99,950 more of the same kind as: "
        "'50' is not an amount of money"
    )
    assert error.count == 100_000


def test_memory_does_not_grow_with_the_number_of_problems():
    tracemalloc.start()
    gathered = Problems(_many(200_000))
    _size, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(gathered) == 200_000 and len(gathered.lines()) == 51
    assert peak < 2_000_000, peak


def test_each_file_has_its_own_50_and_kinds_are_counted_apart():
    problems = list(_many(60, "a.csv")) + list(_many(60, "b.csv"))
    problems += [Problem("a.csv", f"reference is blank ({i})", row=i) for i in range(5)]
    error = InputError(problems)
    text = error.render()
    assert text.count("a.csv, row") == 50 and text.count("b.csv, row") == 50
    assert "a.csv, column 'Planned': and 10 more of the same kind" in text
    assert "a.csv: and 5 more of the same kind as: reference is blank (0)" in text
    assert error.count == 125


def test_a_problem_repeated_for_many_keys_is_stated_once_with_a_count():
    problems = [Problem("mtfp.yaml", "must be a number", key=f"grants.g{i}") for i in range(500)]
    error = InputError(problems)
    assert [p.key for p in error.problems] == ["grants.g0", "grants.g1", "grants.g2"]
    assert str(error.problems[0]) == (
        "mtfp.yaml, key 'grants.g0': must be a number (and 497 more keys like it)"
    )
    assert error.count == 500
    again = InputError([*error.problems, Problem("mtfp.yaml", "must be a number", key="x")])
    assert again.count == 501 and "(and 498 more keys like it)" in again.render()


def test_a_message_on_two_keys_names_both():
    """Below the fold each key is named (the MTFP's 'missing directorate' in two sections)."""
    problems = [Problem("mtfp.yaml", "missing directorate 'C'", key=k) for k in ("a", "b")]
    assert [p.key for p in InputError(problems).problems] == ["a", "b"]


def test_counts_survive_gathering_errors_again():
    """A module's error folded into the pack's list keeps its counts (validate_all, load_year)."""
    first = InputError(_many(1_000))
    again = InputError([*first.problems, Problem("other.yaml", "bad")])
    assert again.count == 1_001
    assert "and 950 more of the same kind" in again.render()


def test_the_same_problem_found_twice_is_reported_once():
    one = Problem("r.xlsx", "bad", row=3)
    assert InputError([one, one]).count == 1


def test_listing_names_at_most_twenty():
    assert listing([f"d{i}" for i in range(10_000)]).endswith("d19 and 9,980 more")
    assert listing(["a", "b"]) == "a, b"


@pytest.fixture
def council_yaml(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    (raw / "many").mkdir(parents=True)
    monkeypatch.setattr(paths, "raw_dir", lambda: raw)
    return raw / "many" / "council.yaml"


def _write(path: Path, directorates: list[str]) -> None:
    path.write_text(
        yaml.safe_dump(
            {
                "name": "Many Council",
                "ons_code": "E06000099",
                "authority_class": "UA",
                "minimum_general_fund_reserve": {"percent_of_net_budget": 5},
                "directorates": directorates,
            }
        )
    )


def test_ten_thousand_directorates_are_one_problem(council_yaml):
    _write(council_yaml, [f"Directorate {i}" for i in range(10_000)])
    started = time.perf_counter()
    with pytest.raises(InputError) as caught:
        config.load_council("many")
    assert time.perf_counter() - started < 2
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].key == "directorates"
    assert "at most 100" in caught.value.problems[0].message
    assert len(caught.value.render()) < 500


def test_a_directorate_listed_twice_is_refused(council_yaml):
    _write(council_yaml, ["Adults", "Place", "adults"])
    with pytest.raises(InputError, match="directorates: adults listed more than once"):
        config.load_council("many")


def test_a_counted_line_gathered_again_with_more_of_its_file_stays_one_line():
    first = InputError(_many(100))
    again = InputError([Problem("r.xlsx", "checking stopped here", row=102), *first.problems])
    more = [p for p in again.problems if p.more]
    assert len(more) == 1 and more[0].more == 51, again.render()
    assert more[0].message.startswith("and 51 more of the same kind as: '")
    assert again.count == 101


def test_names_of_different_lengths_are_one_kind():
    """'Nowhere 48' and 'Nowhere 1000' in a long message that names Children's Services."""
    tail = ": expected one of Adults and Housing, Children's Services, Place" + " x" * 60
    problems = [
        Problem("r.csv", f"unknown directorate 'Nowhere {i}'{tail}", row=i, column="D")
        for i in range(2_000)
    ]
    error = InputError(problems)
    again = InputError([Problem("r.csv", "stopped", row=1), *error.problems])
    assert sum(1 for p in again.problems if p.more) == 1, again.render()
