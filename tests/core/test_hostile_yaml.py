"""Hostile YAML: alias bombs, NaN and infinity, duplicate keys, odd encodings, huge files.

Every fault becomes an InputError naming the file and the key or line; nothing is expanded,
nothing is written, and well-formed values come back unchanged.
"""

from __future__ import annotations

import math
import shutil
import time

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.cli import main
from analysis.core import config, paths
from analysis.core.config import MAX_ABS_NUMBER, MAX_YAML_BYTES, load_yaml
from analysis.core.errors import InputError


def _load(tmp_path, text: str | bytes, name: str = "x.yaml"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return load_yaml(path)


def _problems(tmp_path, text, name="x.yaml"):
    with pytest.raises(InputError) as caught:
        _load(tmp_path, text, name)
    return caught.value.problems


@pytest.mark.parametrize("value", [".nan", ".NaN", ".inf", "-.inf", "1e400", "1.0e308", "-2e16"])
def test_non_finite_and_overflowing_numbers_are_refused_by_key(tmp_path, value):
    problems = _problems(tmp_path, f"reserves:\n  general_fund_opening_gbp_k: {value}\n")
    assert len(problems) == 1
    assert problems[0].key == "reserves.general_fund_opening_gbp_k"
    assert problems[0].file.endswith("x.yaml")
    assert "not a usable number" in problems[0].message


def test_every_bad_number_is_listed_with_list_positions(tmp_path):
    problems = _problems(tmp_path, "a: [1, .nan, 3]\nb: {c: .inf}\n")
    assert [p.key for p in problems] == ["a.1", "b.c"]


def test_exponent_without_a_dot_is_a_number(tmp_path):
    # YAML 1.1 reads 1e3 as text; a finance officer means 1,000.
    assert _load(tmp_path, "a: 1e3\nb: 2.5E-1\nc: '1e3'\n") == {"a": 1000.0, "b": 0.25, "c": "1e3"}


def test_largest_accepted_figure(tmp_path):
    assert _load(tmp_path, f"a: {MAX_ABS_NUMBER:.0f}\n") == {"a": int(MAX_ABS_NUMBER)}


def test_duplicate_keys_are_refused_naming_both_lines(tmp_path):
    problems = _problems(tmp_path, "a: 1\nb:\n  x: 1\n  y: 2\n  x: 3\n")
    assert problems[0].row == 5
    assert "key 'x' appears twice (first on line 3)" in problems[0].message


def test_merge_keys_may_override(tmp_path):
    data = _load(tmp_path, "base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  x: 3\n")
    assert data["other"] == {"x": 3, "y": 2}


def test_unclosed_quote_points_at_the_line_it_opens(tmp_path):
    problems = _problems(tmp_path, 'a: 1\nb: "unclosed\nc: 3\nd: 4\ne: 5\n')
    assert problems[0].row == 2
    assert "noticed on line 6" in problems[0].message


def test_bad_indentation_points_at_the_offending_line(tmp_path):
    problems = _problems(tmp_path, "a: 1\nb:\n  c: 2\n d: 3\ne: 5\n")
    assert problems[0].row == 4


def test_text_that_is_not_utf8_names_the_file_and_line(tmp_path):
    problems = _problems(tmp_path, b"a: 1\nb: caf\xe9\n", name="council.yaml")
    assert problems[0].file.endswith("council.yaml") and problems[0].row == 2
    assert "not UTF-8" in problems[0].message


def test_a_file_over_the_size_cap_is_refused_without_reading_it(tmp_path):
    problems = _problems(tmp_path, "a: " + "x" * MAX_YAML_BYTES + "\n")
    assert "bytes" in problems[0].message


def test_python_tags_are_not_executed(tmp_path):
    problems = _problems(tmp_path, "a: !!python/object/apply:os.system ['echo hi']\n")
    assert "not valid YAML" in problems[0].message


BOMB = (
    "a: &a ["
    + ",".join(['"lol"'] * 9)
    + "]\n"
    + "".join(
        f"{b}: &{b} [" + ",".join([f"*{a}"] * 9) + "]\n"
        for a, b in zip("abcdefgh", "bcdefghi", strict=True)
    )
)


@pytest.mark.slow
def test_alias_bomb_is_refused_quickly_without_expanding(tmp_path):
    started = time.perf_counter()
    problems = _problems(tmp_path, BOMB)
    assert time.perf_counter() - started < 5
    assert "aliases" in problems[0].message
    assert len(str(problems[0])) < 400  # the message does not expand the aliases


def test_a_few_aliases_are_fine(tmp_path):
    assert _load(tmp_path, "a: &x [1, 2]\nb: *x\n") == {"a": [1, 2], "b": [1, 2]}


def test_nan_in_mtfp_yaml_stops_validate_naming_file_and_key(tmp_path, monkeypatch, capsys):
    raw = tmp_path / "raw"
    shutil.copytree(paths.council_dir("dorset"), raw / "hostile")
    mtfp = raw / "hostile" / "mtfp.yaml"
    mtfp.write_text(
        mtfp.read_text().replace(
            "general_fund_opening_gbp_k: 31500", "general_fund_opening_gbp_k: .nan"
        )
    )
    monkeypatch.setattr(paths, "raw_dir", lambda: raw)
    assert main(["validate", "--council", "hostile", "--period", "2021-22-Q2"]) == 2
    err = capsys.readouterr().err
    assert "mtfp.yaml, key 'reserves.general_fund_opening_gbp_k'" in err
    assert "Traceback" not in err


def test_found_is_said_once(tmp_path, monkeypatch, capsys):
    raw = tmp_path / "raw"
    shutil.copytree(paths.council_dir("dorset"), raw / "hostile")
    mtfp = raw / "hostile" / "mtfp.yaml"
    mtfp.write_text(
        mtfp.read_text().replace("tax_base_growth_pct: 0.0076", "tax_base_growth_pct: 2%")
    )
    monkeypatch.setattr(paths, "raw_dir", lambda: raw)
    assert main(["validate", "--council", "hostile", "--period", "2021-22-Q2"]) == 2
    err = capsys.readouterr().err
    assert err.count("(found '2%')") == 1


# --- property-based: any document either round-trips or is refused by key --------------------

# Text without digits (so no "1e3" that this loader reads as a number on purpose) and without
# control characters (which PyYAML's own dumper does not round-trip).
_chars = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp", "Nd"))
_keys = st.text(_chars, min_size=1, max_size=12)
_hostile_text = st.sampled_from(
    ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "@SUM(A1)", "-2+3", "\t=1+1", "$x^2$", ""]
)
_leaves = (
    st.floats(allow_nan=True, allow_infinity=True)
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.text(_chars, max_size=20)
    | _hostile_text
    | st.booleans()
    | st.none()
)
_documents = st.recursive(
    _leaves,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_keys, children, max_size=4),
    max_leaves=20,
)


def _finite(value) -> bool:
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return True
    return math.isfinite(value) and abs(value) <= MAX_ABS_NUMBER


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=st.dictionaries(_keys, _documents, min_size=1, max_size=5))
def test_any_document_round_trips_or_is_refused_by_key(tmp_path, document):
    text = yaml.safe_dump(document, allow_unicode=True)
    path = tmp_path / "generated.yaml"
    path.write_text(text, encoding="utf-8")
    if _finite(document):
        assert load_yaml(path) == yaml.safe_load(text)
    else:
        with pytest.raises(InputError) as caught:
            load_yaml(path)
        for problem in caught.value.problems:
            assert problem.file.endswith("generated.yaml") and problem.key


def test_council_yaml_with_nan_reserve_is_refused(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    shutil.copytree(paths.council_dir("dorset"), raw / "nanny")
    path = raw / "nanny" / "council.yaml"
    text = path.read_text()
    assert "percent_of_net_budget:" in text
    lines = [
        "  percent_of_net_budget: .nan"
        if line.strip().startswith("percent_of_net_budget:")
        else line
        for line in text.splitlines()
    ]
    path.write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(paths, "raw_dir", lambda: raw)
    with pytest.raises(InputError) as caught:
        config.load_council("nanny")
    assert caught.value.problems[0].key == "minimum_general_fund_reserve.percent_of_net_budget"
