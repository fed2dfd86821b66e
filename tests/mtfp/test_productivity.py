"""The productivity plan figures (data/raw/<council>/productivity.yaml): read, checked, tidy."""

from __future__ import annotations

import pytest
import yaml
from test_mtfp import toy_council

from analysis.core import config
from analysis.core.errors import InputError
from analysis.mtfp import load_productivity


def write(tmp_path, data) -> None:
    (tmp_path / "productivity.yaml").write_text(yaml.safe_dump(data))


def test_dorset_quotes_its_productivity_plan():
    table = load_productivity(config.load_council("dorset"))
    # Productivity Plan, Cabinet 9 July 2024, para 2.6: agency 0.35%, consultants 0.96%
    assert table["item"].tolist() == ["Agency staff", "Consultants"]
    assert table["share_of_staff_budget_fraction"].tolist() == [0.0035, 0.0096]
    assert table["year"].tolist() == ["2024-25", "2024-25"]
    assert "9 July 2024" in table["source"].iloc[0]
    assert table["spend_gbp_k"].isna().all()  # the paper gives no staff budget


def test_with_a_staff_budget_the_spend_is_worked_out(tmp_path):
    write(
        tmp_path,
        {
            "year": "2024/25",
            "source": "Plan",
            "share_of_staff_budget": {"Agency staff": 0.01, "Consultants": 0.005},
            "staff_budget_gbp_k": 120_000,
        },
    )
    table = load_productivity(toy_council(tmp_path))
    # 1% of £120,000k = £1,200k; 0.5% = £600k
    assert table["spend_gbp_k"].tolist() == pytest.approx([1_200, 600])
    assert table["year"].iloc[0] == "2024-25"


def test_no_file_means_no_figures(tmp_path):
    assert load_productivity(toy_council(tmp_path)) is None


def test_bad_figures_are_named_by_key(tmp_path):
    write(
        tmp_path,
        {
            "year": "someday",
            "source": "Plan",
            "share_of_staff_budget": {"Agency staff": 35},
            "extra": 1,
        },
    )
    with pytest.raises(InputError) as caught:
        load_productivity(toy_council(tmp_path))
    keys = {p.key for p in caught.value.problems}
    assert {"year", "extra"} <= keys
    write(tmp_path, {"year": "2024-25", "source": "Plan", "share_of_staff_budget": {"A": 35}})
    with pytest.raises(InputError, match="did you type a percentage") as caught:
        load_productivity(toy_council(tmp_path))
    assert caught.value.problems[0].key == "share_of_staff_budget.A"
    assert caught.value.problems[0].file.endswith("productivity.yaml")
