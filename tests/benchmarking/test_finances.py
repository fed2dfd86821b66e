"""The financial-position measures and their sentences, on a small panel whose every figure is
worked out by hand in the comments."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.benchmarking import finances as fin
from analysis.benchmarking import report_budget as rb
from analysis.benchmarking import report_finances as rep
from analysis.benchmarking import service_finances as svc

A, B, C, D, E = "E06000001", "E06000002", "E06000003", "E06000004", "E07000001"
NAMES = {A: "Alpha", B: "Beta", C: "Gamma", D: "Delta", E: "Epsilon"}
CLASSES = {A: "UA", B: "UA", C: "UA", D: "UA", E: "SD"}
RS23, RA23, RSX22, COR = "RS_2023-24.ods", "RA_2023-24.csv", "RSX_2022-23.ods", "COR_C.xlsx"


def _rows(year, measure, values, source, unit="gbp_k"):
    return [
        {
            "ons_code": code,
            "name": NAMES[code],
            "authority_class": CLASSES[code],
            "year": year,
            "measure": measure,
            "value": value,
            "unit": unit,
            "source_file": source,
            "aggregated": False,
        }
        for code, value in values.items()
    ]


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    rows = []
    add = rows.extend
    add(
        _rows(2023, "dsg_adjustment_account_31mar", {A: -2000, B: -1000, C: 0, D: -500, E: 0}, RS23)
    )
    add(_rows(2023, "RS915_31mar", {A: 6000, B: 3000, C: 4000, D: 2000, E: 300}, RS23))
    add(_rows(2023, "RS916_31mar", {A: 2000, B: 1000, C: 1000, D: 1000, E: 100}, RS23))
    add(_rows(2023, "RS805", {A: 40000, B: 20000, C: 25000, D: 10000, E: 2000}, RS23))
    add(_rows(2022, "RS915_31mar", {A: 5000}, "RS_2022-23.ods"))
    add(_rows(2022, "RS916_31mar", {A: 2500}, "RS_2022-23.ods"))
    add(_rows(2016, "RS915_31mar", {A: 4000}, "RS_2016-17.xlsx"))
    add(_rows(2016, "RS916_31mar", {A: 1000}, "RS_2016-17.xlsx"))
    add(_rows(2016, "RS805", {A: 45000}, "RS_2016-17.xlsx"))
    pop = {A: 100000, B: 50000, C: 80000, D: 40000, E: 20000}
    add(_rows(2023, "population", pop, "mye.xlsx", "persons"))
    add(_rows(2018, "population", pop, "mye.xlsx", "persons"))
    # Budget (RA) and outturn (RS), 2023-24, education (190) and adult social care (360).
    add(_rows(2023, "RA190", {A: 10000, B: 5000, C: 8000, D: 4000}, RA23))
    add(_rows(2023, "RS190", {A: 11000, B: 5250, C: 8000, D: 4400}, RS23))
    add(_rows(2023, "RA360", {A: 20000, B: 8000, C: 10000, D: 5000}, RA23))
    add(_rows(2023, "RS360", {A: 19500, B: 8400, C: 9000, D: 5000}, RS23))
    # RSX 2022-23: total expenditure, total income, net; population only for mid-2018 and 2023.
    for line, spend, income in (
        (190, {A: 60000, B: 25000, C: 40000, D: 24000}, {A: 10000, B: 7500, C: 8000, D: 2000}),
        (360, {A: 30000, B: 15000, C: 24000, D: 12000}, {A: 5000, B: 4000, C: 6400, D: 3200}),
    ):
        add(_rows(2022, f"RSX{line}_total_expenditure", spend, RSX22))
        add(_rows(2022, f"RSX{line}_total_income", income, RSX22))
        add(_rows(2022, f"RSX{line}_net", {k: spend[k] - income[k] for k in spend}, RSX22))
    add(_rows(2022, "RSX190_employees", {A: 20000}, RSX22))
    # Capital outturn COR C 2018-19.
    add(_rows(2018, "cfr_31mar", {A: 50000, B: 30000, C: 20000, D: 10000}, COR))
    add(_rows(2018, "gross_borrowing_31mar", {A: 40000, B: 20000, C: 10000, D: 5000}, COR))
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def pos(history):
    return rep.position(history, A, "Alpha", [B, C, D], 2023)


def test_dsg_position(history):
    dsg = fin.dsg_position(history, 2023).set_index("ons_code")
    # Alpha: deficit £2,000k; per head 2,000,000 / 100,000 = £20; usable reserves 6,000 + 2,000
    # = 8,000; share 2,000 / 8,000 = 25%.
    assert dsg.loc[A, "dsg_deficit_gbp_k"] == 2000
    assert dsg.loc[A, "dsg_deficit_per_head_gbp"] == pytest.approx(20)
    assert dsg.loc[A, "dsg_deficit_to_usable_reserves"] == pytest.approx(0.25)
    assert dsg.loc[A, "source_file"] == RS23 and dsg.loc[A, "year"] == 2023
    assert (
        dsg.loc[C, "dsg_deficit_gbp_k"] == 0
        and not math.copysign(1, dsg.loc[C, "dsg_deficit_gbp_k"]) < 0
    )
    # No year up to 2022 has the account.
    assert fin.dsg_position(history, 2022).empty


def test_compare_dsg(history):
    dsg = fin.dsg_position(history, 2023)
    row = fin.compare(dsg, "dsg_deficit_per_head_gbp", A, [A, B, C, D]).iloc[0]
    # Comparators (Alpha left out): 20, 0, 12.5 -> median 12.5. UAs: 20, 20, 0, 12.5 -> rank 1.
    assert row["comparator_median"] == pytest.approx(12.5)
    assert row["n_comparators"] == 3
    assert row["class_rank"] == 1 and row["n_class"] == 4
    assert row["class_median"] == pytest.approx(16.25)


def test_compare_by_key_worked_by_hand():
    rows = [  # (authority, class, line, value)
        (A, "UA", "roads", 10.0),
        (B, "UA", "roads", 30.0),
        (C, "UA", "roads", 20.0),
        (D, "UA", "roads", None),  # a comparator without a figure
        (E, "SD", "roads", 99.0),  # another class: never in the class figures
        (A, "UA", "parks", None),  # the council without a figure: no rank
        (B, "UA", "parks", 4.0),
        (A, "UA", "libraries", 1.0),  # nobody else has this line
    ]
    frame = pd.DataFrame(rows, columns=["ons_code", "authority_class", "line", "share"])
    out = fin.compare(frame, "share", A, [A, B, D, E], by=["line"]).set_index("line")
    assert list(out.index) == ["roads", "parks", "libraries"]  # the council's lines, in order
    roads = out.loc["roads"]
    # Comparators B, D, E (A left out): 30, no figure, 99 -> median 64.5 of 2.
    assert roads["comparator_median"] == pytest.approx(64.5) and roads["n_comparators"] == 2
    # UAs with a figure: 10, 30, 20 -> median 20; A (10) is 3rd of 3.
    assert roads["class_median"] == pytest.approx(20.0)
    assert (roads["class_rank"], roads["n_class"]) == (3, 3)
    parks = out.loc["parks"]
    assert math.isnan(parks["value"]) and pd.isna(parks["class_rank"])
    assert parks["comparator_median"] == pytest.approx(4.0) and parks["n_class"] == 1
    libraries = out.loc["libraries"]
    assert libraries["n_comparators"] == 0 and math.isnan(libraries["comparator_median"])
    assert (libraries["class_rank"], libraries["n_class"]) == (1, 1)
    # A council with no class has no class figures; without ``by``, one row.
    loose = frame.assign(authority_class=None)
    row = fin.compare(loose[loose["line"] == "roads"], "share", A, [B, C]).iloc[0]
    assert row["n_class"] == 0 and pd.isna(row["class_rank"])
    assert row["comparator_median"] == pytest.approx(25.0) and row["value"] == 10.0


def test_dsg_sentences(pos):
    assert rep.dsg_sentences(pos) == [
        "At 31 March 2024, Alpha's schools high-needs deficit (the DSG adjustment account) was "
        "£2.0m: £20 per head, 25% of its usable reserves (unallocated and other earmarked, "
        "£8.0m).",
        # UAs: 20, 20, 0, 12.5 -> median 16.25 -> £16.
        "By comparison, the median of its 3 comparators was £13 per head and the median of all "
        "4 UA councils £16; Alpha has the largest deficit per head of the 4 UA councils with the "
        "figure.",
        "Source: RS 2023-24; population mid-2023.",
    ]


def test_dsg_sentence_for_a_district(history):
    pos = rep.position(history, E, "Epsilon", [], 2023)
    assert rep.dsg_sentences(pos)[0].startswith(
        "None of the 1 SD councils has a balance on the DSG adjustment account"
    )


def test_reserves(history, pos):
    res = fin.reserves_position(history, 2023)
    mine = res[res["ons_code"] == A].set_index(["kind", "from_year"])
    # Unallocated 2,000 / 40,000 = 5%; since 31 March 2023 (2,500): -500, -20%.
    assert mine.loc[("unallocated", 2022), "balance_to_nre"] == pytest.approx(0.05)
    assert mine.loc[("unallocated", 2022), "change_gbp_k"] == -500
    assert mine.loc[("unallocated", 2022), "change_fraction"] == pytest.approx(-0.2)
    # Earmarked since 31 March 2017 (4,000): +2,000, +50%.
    assert mine.loc[("earmarked", 2016), "change_fraction"] == pytest.approx(0.5)
    assert rep.reserves_sentences(pos) == [
        "At 31 March 2024, Alpha held £2.0m of unallocated reserves (5% of net revenue "
        "expenditure) and £6.0m of other earmarked reserves (15% of net revenue expenditure). "
        "Net revenue expenditure in 2023-24 was £40.0m.",
        # Unallocated: B 5%, C 4%, D 10% -> 5%; earmarked: B 15%, C 16%, D 20% -> 16%.
        "The medians of its 3 comparators were 5% (unallocated) and 16% (other earmarked).",
        "Since 31 March 2023 (the previous balance in the data), unallocated reserves have "
        "fallen by £0.5m (20%) and earmarked reserves have risen by £1.0m (20%).",
        "Since 31 March 2017 (the earliest in the data), unallocated reserves have risen by "
        "£1.0m (100%) and earmarked reserves have risen by £2.0m (50%).",
        "Source: RS 2023-24 and the earlier RS years.",
    ]


def test_budget_against_outturn(history, pos):
    budget = svc.budget_against_outturn(history, 2023)
    mine = budget[budget["ons_code"] == A].set_index("line")
    # Education: 11,000 - 10,000 = +1,000 (£10 per head, 10%); ASC: 19,500 - 20,000 = -500.
    assert mine.loc[190, "variance_gbp_k"] == 1000
    assert mine.loc[190, "variance_per_head_gbp"] == pytest.approx(10)
    assert mine.loc[360, "variance_of_budget_fraction"] == pytest.approx(-0.025)
    assert mine.loc[190, "budget_file"] == RA23 and mine.loc[190, "outturn_file"] == RS23
    table = rb.budget_table(pos).set_index("service")
    # Comparators' shares: education 5%, 0%, 10% -> 5%; ASC 5%, -10%, 0% -> 0%.
    assert table.loc["Education services", "comparator_median_fraction"] == pytest.approx(0.05)
    assert table.loc["Adult social care", "comparator_median_fraction"] == pytest.approx(0)
    assert rb.budget_sentences(pos) == [
        "In 2023-24, Alpha's services together spent £0.5m more than budgeted (outturn £30.5m "
        "against a budget of £30.0m).",
        "The largest overspend was on education services: £1.0m (£10 per head, 10% over its "
        "budget); its comparators' median was 5% over budget.",
        "The largest underspend was on adult social care: £0.5m (£5 per head, 3% under its "
        "budget); its comparators' median was on budget.",
        "Source: budget RA 2023-24; outturn RS 2023-24; population mid-2023.",
    ]
    assert svc.budget_against_outturn(history, 2022).empty


def test_service_split_and_reasons(history, pos):
    reasons = rb.split_table(pos).set_index("line")
    # Education: A net 500/head, spend 600, income 100; comparators net 350, 400, 550 -> 400;
    # spend 500, 500, 600 -> 500; income 150, 100, 50 -> 100: spends more (income not lower).
    assert reasons.loc[190, "median_net_per_head_gbp"] == pytest.approx(400)
    assert reasons.loc[190, "reason"] == "spends more"
    # ASC: A net 250, spend 300, income 50; medians 220, 300, 80: earns less.
    assert reasons.loc[360, "reason"] == "earns less"
    assert rb.split_sentences(pos) == [
        "Education services cost £500 per head net in 2022-23 against a comparator median of "
        "£400: the council spends more (spending £600 per head, median £500; income £100, "
        "median £100).",
        "Adult social care cost £250 per head net in 2022-23 against a comparator median of "
        "£220: the council earns less (spending £300 per head, median £300; income £50, median "
        "£80).",
        "Source: RSX 2022-23; population mid-2018 (mid-2022 is not in the data).",
    ]


def test_split_reason_rules():
    split = pd.DataFrame(
        {
            "ons_code": [A, B, A, B, A, B],
            "line": [190, 190, 360, 360, 590, 590],
            "service": ["Edu", "Edu", "ASC", "ASC", "Env", "Env"],
            "net_per_head_gbp": [150, 100, 90, 100, 130, 100],
            "total_expenditure_per_head_gbp": [220, 200, 150, 150, 170, 150],
            "total_income_per_head_gbp": [70, 100, 60, 50, 40, 50],
            "employees_per_head_gbp": [1, 1, 1, 1, 1, 1],
            "year": 2022,
            "source_file": RSX22,
        }
    )
    reasons = svc.split_reasons(split, A, [B]).set_index("line")["reason"]
    # Edu: spend +20, income -30 -> earns less (the larger part) and spends more.
    assert reasons[190] == "earns less and spends more"
    assert reasons[360] == "costs less"
    # Env: spend +20, income -10 -> spends more and earns less.
    assert reasons[590] == "spends more and earns less"


def test_debt(history, pos):
    debt = fin.debt_position(history, 2023).set_index("ons_code")
    # CFR 50,000k / 100,000 (mid-2018) = £500; / NRE of 2016-17 (45,000) = 111%.
    assert debt.loc[A, "cfr_per_head_gbp"] == pytest.approx(500)
    assert debt.loc[A, "cfr_to_nre"] == pytest.approx(50000 / 45000)
    assert debt.loc[A, "nre_year"] == 2016 and debt.loc[A, "year"] == 2018
    assert rep.debt_sentences(pos) == [
        # Comparators' CFR per head: 600, 250, 250 -> £250; borrowing 400, 125, 125 -> £125;
        # borrowing / NRE 40,000 / 45,000 = 88.9%.
        "At 31 March 2019, Alpha's capital financing requirement was £50.0m (£500 per head; 111% "
        "of net revenue expenditure), against a comparator median of £250 per head; its gross "
        "external borrowing was £40.0m (£400 per head; 89% of net revenue expenditure), against "
        "a comparator median of £125 per head.",
        "Source: capital outturn COR C 2018-19; population mid-2018. Net revenue "
        "expenditure is that of 2016-17, the nearest outturn year in the data (no 2018-19 RS).",
    ]


def test_headline_row(pos):
    row = rb.headline_row(pos).iloc[0]
    assert row["dsg_deficit_per_head_gbp"] == pytest.approx(20)
    assert row["usable_reserves_to_nre"] == pytest.approx(0.2)  # 5% + 15%
    assert row["cfr_per_head_gbp"] == pytest.approx(500)
    assert row["largest_overspend_service"] == "Education services"
    assert row["largest_overspend_gbp_k"] == 1000


def test_empty_history_says_so():
    empty = pd.DataFrame(
        columns=["ons_code", "name", "authority_class", "year", "measure", "value", "source_file"]
    )
    pos = rep.position(empty, A, "Alpha", [], 2023)
    assert rep.dsg_sentences(pos) == [
        "No outturn year up to 2023-24 in the data reports the DSG adjustment account (the "
        "schools high-needs deficit)."
    ]
    assert rb.budget_sentences(pos)[0].startswith("No year up to 2023-24 has both a budget")
    assert rb.headline_row(pos)["dsg_deficit_per_head_gbp"].isna().all()


def test_national_index_shows_the_headline(pos, tmp_path):
    from analysis.batch import national

    tables = tmp_path / "pack" / "tables"
    tables.mkdir(parents=True)
    rb.headline_row(pos).to_csv(tables / "benchmark_financial_position.csv", index=False)
    figures = national.finance_headline(tmp_path / "pack")
    assert figures["dsg_per_head"] == pytest.approx(20) and figures["dsg_year"] == 2023
    assert figures["overspend"] == ("Education services", 1000)
    outcome = {
        "slug": "a",
        "name": "Alpha",
        "ons_code": A,
        "authority_class": "UA",
        "status": "ok",
        "period": "2024-25-Q2",
        "pack": str(tmp_path / "pack"),
        "seconds": 1.0,
        "reason": "",
    }
    page = national.index_html([outcome], tmp_path, 1.0)
    # DSG £20 per head at 31 March 2024; CFR £500 per head at 31 March 2019; education £1.0m over.
    assert ">£20 (2023-24)<" in page and ">£500 (2018-19)<" in page
    assert ">Education services: £1.0m (2023-24)<" in page
    assert "Schools high-needs deficit per head" in page
    stacked = national.national_tables([outcome])
    assert stacked["benchmark_financial_position"]["dsg_deficit_gbp_k"].iloc[0] == 2000
    # A class without schools says so, never "£0".
    from dataclasses import replace

    district = replace(pos, not_provided={190: "the county council"}, authority_class="SD")
    rb.headline_row(district).to_csv(tables / "benchmark_financial_position.csv", index=False)
    assert national.finance_headline(tmp_path / "pack")["no_schools"]
    assert ">No schools<" in national.index_html([outcome], tmp_path, 1.0)
    # A pack without the table shows "No data", never a zero.
    (tables / "benchmark_financial_position.csv").unlink()
    assert national.finance_headline(tmp_path / "pack")["dsg_per_head"] is None
    # (with the reserves and cost columns, which read other tables the pack lacks here)
    assert national.index_html([outcome], tmp_path, 1.0).count(">No data<") == 5


@pytest.mark.public_data
def test_budget_against_outturn_on_the_published_files(shared_public):
    from analysis.public_data import read_rs
    from analysis.public_data.ra import read_ra

    rs = read_rs(shared_public / "revenue_outturn_summary/RS_2023-24_data_by_LA.ods")
    ra = read_ra(shared_public / "revenue_account_budget/RA_2023-24_data_Part_1.csv")
    history = pd.concat(
        [rs.assign(source_file="RS_2023-24"), ra.assign(source_file="RA_2023-24")],
        ignore_index=True,
    )
    budget = svc.budget_against_outturn(history, 2023).set_index(["ons_code", "line"])
    # RS 2023-24 'RS-edu-net-exp' (line 190) against RA 2023-24 line 190, read by hand:
    # B&NES 80,012 - 70,674 = +9,338; Kent (SC) 1,101,421 - 1,016,514 = +84,907, adult social
    # care 663,100 - 623,684 = +39,416.
    assert budget.loc[("E06000022", 190), "variance_gbp_k"] == 9338
    assert budget.loc[("E10000016", 190), "variance_gbp_k"] == 84907
    assert budget.loc[("E10000016", 360), "variance_gbp_k"] == 39416
    assert budget.loc[("E06000022", 190), "variance_of_budget_fraction"] == pytest.approx(
        9338 / 70674
    )


def test_no_population_and_unchanged_reserves_are_said_plainly(history):
    F = "E06000099"
    NAMES[F], CLASSES[F] = "Phi", "UA"
    extra = pd.DataFrame(
        _rows(2023, "dsg_adjustment_account_31mar", {F: -1000}, RS23)
        + _rows(2023, "RS915_31mar", {F: 3000}, RS23)
        + _rows(2023, "RS916_31mar", {F: 1000}, RS23)
        + _rows(2023, "RS805", {F: 20000}, RS23)
        + _rows(2022, "RS915_31mar", {F: 3000}, RS23)
        + _rows(2022, "RS916_31mar", {F: 1000}, RS23)
    )
    pos = rep.position(pd.concat([history, extra]), F, "Phi", [B, C, D], 2023)
    # £1.0m deficit; usable reserves 4,000 -> 25%; no population for Phi: no figure per head.
    assert rep.dsg_sentences(pos)[0] == (
        "At 31 March 2024, Phi's schools high-needs deficit (the DSG adjustment account) was "
        "£1.0m: no figure per head (no population estimate for it in the data), 25% of its "
        "usable reserves (unallocated and other earmarked, £4.0m)."
    )
    assert (
        "Since 31 March 2023 (the previous balance in the data), unallocated reserves are "
        "unchanged and earmarked reserves are unchanged." in rep.reserves_sentences(pos)
    )


def test_a_sum_of_predecessors_names_the_files_that_publish_the_measure():
    rows = pd.DataFrame(
        {
            "ons_code": [A, B],
            "name": ["Alpha", "Beta"],
            "authority_class": ["UA", "UA"],
            "year": [2018, 2018],
            "measure": ["cfr_31mar", "cfr_31mar"],
            "value": [10.0, 20.0],
            "source_file": ["COR_C.xlsx; RS_2016-17.xlsx; ctr_1819.xlsx", "COR_C.xlsx"],
            "aggregated": [True, False],
        }
    )
    debt = fin.debt_position(rows, 2023).set_index("ons_code")
    assert debt.loc[A, "source_file"] == "COR_C.xlsx"


def test_a_service_the_council_neither_budgets_nor_spends_on_is_left_out(history):
    """A district's education: nil budget, outturn, spending and income are not a row of the
    budget or split tables (nor an overspend, nor 'costs less'); both say once it is left out."""
    extra = []
    for measure, source in (("RA330", RA23), ("RS330", RS23)):
        extra += _rows(2023, measure, {A: 0, B: 900, C: 1000, D: 800}, source)
    for kind in ("total_expenditure", "total_income", "net"):
        extra += _rows(2022, f"RSX330_{kind}", {A: 0, B: 500, C: 600, D: 700}, RSX22)
    both = pd.concat([history, pd.DataFrame(extra)], ignore_index=True)
    pos = rep.position(both, A, "Alpha", [B, C, D], 2023)
    assert "Children's social care" not in set(rb.budget_table(pos)["service"])
    assert 330 not in set(rb.split_table(pos)["line"])
    assert set(rb.budget_table(pos)["service"]) == {"Education services", "Adult social care"}
    budget = rb.budget_sentences(pos)
    assert budget[1] == (
        "Not in the table: children's social care, with neither a budget nor an outturn for Alpha "
        "in 2023-24."
    )
    assert (
        "Not in the table: children's social care, on which Alpha recorded no spending and no "
        "income in 2022-23." in rb.split_sentences(pos)
    )


def test_a_net_cost_equal_to_the_median_costs_the_same():
    split = pd.DataFrame(
        {
            "ons_code": [A, B],
            "line": [190, 190],
            "service": ["Edu", "Edu"],
            "net_per_head_gbp": [100.001, 100.0],
            "total_expenditure_per_head_gbp": [150, 150],
            "total_income_per_head_gbp": [50, 50],
            "employees_per_head_gbp": [1, 1],
            "year": 2022,
            "source_file": RSX22,
        }
    )
    assert svc.split_reasons(split, A, [B])["reason"].tolist() == ["costs the same"]


def test_a_service_the_class_does_not_provide_is_left_out_once(pos):
    """A district's education is not a district service: not in the budget or split table, even
    with a few pounds of agency work recorded, and said once, as the cost table says it."""
    from dataclasses import replace

    district = replace(
        pos,
        not_provided={190: "the county council", 390: "the county council"},
        authority_class="SD",
    )
    assert set(rb.budget_table(district)["service"]) == {"Adult social care"}
    assert set(rb.split_table(district)["line"]) == {360}
    assert rb.budget_sentences(district)[1] == (
        "Not in the table: education services, not a district service (the county council runs it)."
    )
    assert rb.split_sentences(district)[-2] == rb.budget_sentences(district)[1]
    # A class without schools has no DSG of its own: the headline leaves it out, and says so.
    headline = rb.headline_row(district).iloc[0]
    assert not headline["runs_schools"] and pd.isna(headline["dsg_deficit_gbp_k"])
    assert rb.headline_row(pos).iloc[0]["runs_schools"]


def test_the_budget_table_is_worked_out_once_and_each_caller_gets_its_own(pos):
    first = rb.budget_table(pos)
    assert list(pos.worked) == ["budget"]  # kept for the sentences and the headline row
    first["budget_gbp_k"] = -1.0  # one caller's change reaches no other
    assert (rb.budget_table(pos)["budget_gbp_k"] != -1.0).all()
    pd.testing.assert_frame_equal(rb.budget_table(pos), rb._budget_table(pos))
