"""mtfp.yaml: every mistake becomes an InputError naming the file and the dotted key."""

from __future__ import annotations

import pytest
import yaml
from test_mtfp import toy_council, toy_data

from analysis.core.errors import InputError
from analysis.core.periods import Period
from analysis.mtfp import budget_gap, validate_inputs
from analysis.mtfp.assumptions import load_assumptions, resolve_scenario, set_key_path


def write(tmp_path, data) -> None:
    (tmp_path / "mtfp.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def problems(tmp_path, data, directorates=("A", "B")):
    write(tmp_path, data)
    with pytest.raises(InputError) as caught:
        load_assumptions(toy_council(tmp_path, directorates))
    return caught.value.problems


def by_key(found) -> dict:
    return {p.key: p for p in found}


def test_toy_file_loads(tmp_path):
    write(tmp_path, toy_data())
    m = load_assumptions(toy_council(tmp_path))
    assert m.year_labels == ["2021-22", "2022-23", "2023-24"]
    assert m.scenario_names() == ["base", "costly", "harsh"]
    assert m.file.endswith("mtfp.yaml")


def test_bad_type_names_file_and_key(tmp_path):
    data = toy_data()
    data["pay_award_pct"] = "two percent"
    data["council_tax"]["band_d_gbp"] = "lots"
    found = by_key(problems(tmp_path, data))
    assert set(found) == {
        "pay_award_pct",
        "council_tax.band_d_gbp",
    }  # every problem, not just the first
    assert all(p.file.endswith("mtfp.yaml") for p in found.values())
    assert "expected a number" in found["pay_award_pct"].message


def test_percentage_typed_instead_of_fraction(tmp_path):
    data = toy_data()
    data["price_inflation_pct"] = 2.0
    found = by_key(problems(tmp_path, data))
    assert "did you type a percentage" in found["price_inflation_pct"].message


def test_unknown_key(tmp_path):
    data = toy_data()
    data["pay_awards_pct"] = 0.02
    data["council_tax"]["band_e_gbp"] = 1
    found = by_key(problems(tmp_path, data))
    assert set(found) == {"pay_awards_pct", "council_tax.band_e_gbp"}
    assert "Extra inputs" in found["pay_awards_pct"].message


def test_directorates_must_match_council_yaml(tmp_path):
    data = toy_data()
    found = by_key(problems(tmp_path, data, directorates=("A", "B", "C")))
    assert "missing directorate 'C'" in found["base_budget"].message
    assert "missing directorate 'C'" in found["demand_growth_pct"].message
    found = by_key(problems(tmp_path, data, directorates=("A",)))
    assert "'B' is not a directorate in council.yaml" in found["base_budget.B"].message


def test_missing_and_extra_years(tmp_path):
    data = toy_data()
    data["contingency_gbp_k"] = {"2021-22": 1, "2022-23": 1, "2030-31": 1}
    message = by_key(problems(tmp_path, data))["contingency_gbp_k"].message
    assert "2023-24" in message
    data["contingency_gbp_k"] = {"2021-22": 1, "2022-23": 1, "2023-24": 1, "2030-31": 1}
    assert "outside the plan" in by_key(problems(tmp_path, data))["contingency_gbp_k"].message


def test_savings_type_and_directorate_checked(tmp_path):
    data = toy_data()
    data["planned_savings"][0]["type"] = "efficiency"
    data["planned_savings"][1]["directorate"] = "Z"
    found = by_key(problems(tmp_path, data))
    assert "saving_types" in found["planned_savings.0.type"].message
    assert "'Z'" in found["planned_savings.1.directorate"].message


def test_dsg_shares_must_add_to_one(tmp_path):
    data = toy_data()
    data["dsg_high_needs"]["placements"]["x"]["share"] = 0.6
    found = by_key(problems(tmp_path, data))
    assert "add up to 1.1000" in found["dsg_high_needs.placements"].message


def test_monte_carlo_keys_and_parameters(tmp_path):
    data = toy_data()
    data["monte_carlo"]["distributions"]["pay_awrd_pct"] = {
        "distribution": "uniform",
        "below": 0,
        "above": 0.1,
    }
    found = by_key(problems(tmp_path, data))
    assert "no such uncertain assumption" in found["monte_carlo.distributions.pay_awrd_pct"].message
    # Parameter checks come from the file's structure, before the checks across keys.
    data["monte_carlo"]["distributions"]["price_inflation_pct"] = {
        "distribution": "triangular",
        "below": 0.01,
        "above": 0.02,
        "shift": 0.03,
    }
    found = by_key(problems(tmp_path, data))
    assert (
        "between -below and above" in found["monte_carlo.distributions.price_inflation_pct"].message
    )


def test_an_absolute_range_is_refused_with_how_to_write_it(tmp_path):
    # The old form (low, mode, high as figures) ignored the scenario's value: refused, with the
    # conversion spelt out and where it is documented.
    data = toy_data()
    data["monte_carlo"]["distributions"]["price_inflation_pct"] = {
        "distribution": "triangular",
        "low": 0.01,
        "mode": 0.02,
        "high": 0.05,
    }
    message = by_key(problems(tmp_path, data))["monte_carlo.distributions.price_inflation_pct"]
    assert "around the scenario's own value" in message.message
    assert "{distribution: triangular, below: 0.01, above: 0.03}" in message.message
    assert "data/raw/README.md" in message.message


def test_validate_names_a_distribution_that_cannot_apply_to_a_scenario(tmp_path):
    data = toy_data()
    del data["scenarios"]["harsh"]  # (needs a savings register)
    # Savings delivery 0 to 20 points above the plan's 100%: every draw is held at 100%.
    data["monte_carlo"]["distributions"]["savings_delivery_rate"] = {
        "distribution": "uniform",
        "below": 0.0,
        "above": 0.2,
    }
    # Grant G 0 to 10 points below the scenario's growth: -50% in base (draws -60% to -50%),
    # but 'costly' cuts it by 100% a year, so every draw there is held at -100%.
    data["monte_carlo"]["distributions"]["grants.G.growth_pct"] = {
        "distribution": "uniform",
        "below": 0.1,
        "above": 0.0,
    }
    data["scenarios"]["costly"]["grants.G.growth_pct"] = -1.0
    write(tmp_path, data)
    with pytest.raises(InputError) as caught:
        validate_inputs(toy_council(tmp_path), Period.parse("2021-22-Q2"), "base", None)
    found = sorted(
        (p.key.rsplit(".", 1)[-1] if "grants" not in p.key else "grant", p.message)
        for p in caught.value.problems
    )
    assert [(key, "'costly'" in message) for key, message in found] == [
        ("grant", True),
        ("savings_delivery_rate", False),
        ("savings_delivery_rate", True),
    ]
    assert "uniform, from 0 points below to 20 points above the scenario's value" in found[1][1]
    assert "cannot apply to the 'base' scenario" in found[1][1]
    assert "held at 100%" in found[1][1]
    assert "held at -100%" in found[0][1]


def test_bad_scenario_override_names_the_scenario_key(tmp_path):
    data = toy_data()
    data["scenarios"]["typo"] = {"pay_awrd_pct": 0.1}
    data["scenarios"]["bad_value"] = {"pay_award_pct": "high"}
    found = by_key(problems(tmp_path, data))
    assert "no assumption 'pay_awrd_pct'" in found["scenarios.typo.pay_awrd_pct"].message
    assert "scenarios.bad_value.pay_award_pct" in found


def test_yaml_syntax_error_has_a_line(tmp_path):
    (tmp_path / "mtfp.yaml").write_text("base_year: 2021-22\nhorizon_years: [3\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_assumptions(toy_council(tmp_path))
    assert caught.value.problems[0].row is not None


def test_unknown_scenario_lists_the_known_ones(tmp_path):
    write(tmp_path, toy_data())
    m = load_assumptions(toy_council(tmp_path))
    with pytest.raises(InputError, match="known scenarios: base, costly, harsh"):
        resolve_scenario(m, "rosy")


def test_year_override_on_a_single_number_spreads_it(tmp_path):
    data = toy_data()
    data["scenarios"]["late_pay"] = {"pay_award_pct.2022-23": 0.20}
    write(tmp_path, data)
    m = resolve_scenario(load_assumptions(toy_council(tmp_path)), "late_pay")
    assert m.pay_award_pct == {"2021-22": 0.10, "2022-23": 0.20, "2023-24": 0.10}
    # 2021-22 unchanged (gap 0); 2022-23 A pay 110 x 1.2 = 132 instead of 121 -> gap 8.575 + 11
    assert budget_gap(m)["budget_gap_cumulative_gbp_k"].tolist()[:2] == pytest.approx([0, 19.575])


def test_set_key_path_rejects_unknown_parts():
    data = {"a": {"b": 1}, "c": [{"d": 2}]}
    set_key_path(data, "c.0.d", 3)
    assert data["c"][0]["d"] == 3
    with pytest.raises(KeyError):
        set_key_path(data, "a.x", 1)
    with pytest.raises(KeyError):
        set_key_path(data, "c.5.d", 1)


def test_validate_inputs_summary_and_errors(tmp_path):
    data = toy_data()
    write(tmp_path, data)
    council = toy_council(tmp_path)
    # 'harsh' applies the savings register's rates, and the toy council has no register: the
    # check says so before any notebook runs.
    with pytest.raises(InputError, match="savings"):
        validate_inputs(council, Period.parse("2021-22-Q2"), "base", None)
    del data["scenarios"]["harsh"]
    write(tmp_path, data)
    summary = validate_inputs(council, Period.parse("2021-22-Q2"), "base", None)
    assert summary == "MTFP assumptions: 2 scenarios over 2021-22 to 2023-24"
    with pytest.raises(InputError, match="unknown scenario"):
        validate_inputs(council, Period.parse("2021-22-Q2"), "rosy", None)
    with pytest.raises(InputError, match="outside the plan"):
        validate_inputs(council, Period.parse("2030-31-Q1"), "base", None)


def test_a_scenario_title_names_it_and_overrides_nothing(tmp_path):
    data = toy_data()
    data["scenarios"]["pay_shock"] = {"title": "Pay award of 20%", "pay_award_pct": 0.20}
    write(tmp_path, data)
    m = load_assumptions(toy_council(tmp_path))
    shocked = resolve_scenario(m, "pay_shock")
    assert shocked.pay_award_pct == 0.20
    assert m.scenario_title("pay_shock") == "Pay award of 20%"
    assert m.scenario_title("costly") == "Costly"  # no title: the name in words
    assert shocked.scenario_words() == "Pay award of 20%"
    assert m.scenario_words("costly") == "costly"
    assert list(m.scenario_titles()) == ["base", "costly", "harsh", "pay_shock"]
    data["scenarios"]["pay_shock"]["title"] = 5
    write(tmp_path, data)
    with pytest.raises(InputError) as caught:
        load_assumptions(toy_council(tmp_path))
    assert [p.key for p in caught.value.problems] == ["scenarios.pay_shock.title"]
    assert "the scenario's title as text" in caught.value.problems[0].message
