"""new-council: a starter folder for a county, a unitary and a metropolitan district the
repository has no folder for, from ../shared/data/public; its council tax requirement and
reserves match the published tables to the pound, validate accepts it, and (slow) run builds
the four reports."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
import yaml
from openpyxl import load_workbook

from analysis.core import config, paths
from analysis.core.errors import InputError
from analysis.core.periods import Period
from analysis.mtfp import load_assumptions, starter
from analysis.public_data.ctr import read_ctr
from analysis.public_data.panel import find_files
from analysis.public_data.rs import read_rs
from analysis.savings.register import load_snapshot

TODAY = date(2026, 12, 4)  # 2026-27 Q3
COUNCILS = {  # ONS code -> (class, slug)
    "E10000016": ("SC", "kent-cc"),
    "E06000052": ("UA", "cornwall-ua"),
    "E08000035": ("MD", "leeds"),
}


@pytest.fixture(scope="module")
def project(shared_public, tmp_path_factory):
    root = tmp_path_factory.mktemp("starter") / "project"
    (root / "data" / "raw").mkdir(parents=True)
    (root / "pyproject.toml").write_text("")
    (root / "notebooks").symlink_to(paths.notebooks_dir())
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(paths.ROOT_ENV, str(root))
        paths.project_root.cache_clear()
        written = {code: starter.new_council(code, shared_public, TODAY) for code in COUNCILS}
        yield root, written
    paths.project_root.cache_clear()


@pytest.fixture(scope="module")
def tables(shared_public):
    files = find_files(shared_public)
    rs = read_rs(next(p for p in files["rs"] if "2023-24" in p.name))
    ctr = read_ctr(next(p for p in files["ctr"] if "2223" in p.name))
    return rs, ctr


def _rs(rs, code, measure):
    rows = rs[(rs["ons_code"] == code) & (rs["measure"] == measure)]
    return float(rows["value"].iloc[0])


def test_it_names_the_council_it_matched_and_its_class(project):
    _root, written = project
    for code, (kind, slug) in COUNCILS.items():
        found, folder = written[code]
        assert (found.ons_code, found.authority_class, folder.name) == (code, kind, slug)


def test_requirement_and_reserves_match_the_published_tables_to_the_pound(project, tables):
    rs, ctr = tables
    root, written = project
    for code, (_kind, slug) in COUNCILS.items():
        plan = yaml.safe_load((root / "data" / "raw" / slug / "mtfp.yaml").read_text())
        ct = plan["council_tax"]
        requirement = ct["tax_base_band_d_equivalents"] * ct["band_d_gbp"]
        e_code = written[code][0].e_code
        # Every class from the CTR 2022-23 table: a county's row is on its precepting lines
        # (read since the CTR reader keeps county councils).
        rows = ctr[(ctr["e_code"] == e_code) & (ctr["year"] == 2022)]
        published = float(rows.loc[rows["standard"] == "council_tax_requirement", "value"].iloc[0])
        base = float(rows.loc[rows["standard"] == "tax_base", "value"].iloc[0])
        assert ct["tax_base_band_d_equivalents"] == base, slug
        assert round(requirement) == round(published), slug
        reserves = plan["reserves"]
        assert reserves["general_fund_opening_gbp_k"] == _rs(rs, code, "RS916_31mar")
        assert reserves["earmarked_opening_gbp_k"] == _rs(rs, code, "RS915_31mar") + _rs(
            rs, code, "RS914_31mar"
        )
        assert plan["dsg_high_needs"]["opening_deficit_gbp_k"] == max(
            0.0, -_rs(rs, code, "RS912_31mar")
        )
        assert plan["base_year"] == "2024-25"  # opens on the reserves at 31 March 2024
        text = (root / "data" / "raw" / slug / "mtfp.yaml").read_text()
        assert "pay_award_pct: 0.03  # default:" in text
        assert "RS 2023-24 (RS_2023-24_data_by_LA.ods) line 916" in text


def test_the_starter_loads_and_its_empty_register_is_accepted(project):
    root, written = project
    for _code, (_kind, slug) in COUNCILS.items():
        council = config.load_council(slug)
        assert set(load_assumptions(council).directorates) == set(council.directorates)
        register = load_snapshot(council, Period(2026, 3))
        assert register is not None and register.empty
        book = load_workbook(root / "data" / "raw" / slug / "savings" / "2026-27-Q3.xlsx")
        assert book.sheetnames == ["Savings", "Lists", "Instructions"]
        checks = {str(v.sqref): v.formula1 for v in book["Savings"].data_validations.dataValidation}
        assert checks["J2:J501"] == "=Lists!$A$1:$A$4"  # RAG: Blue, Green, Amber, Red
        assert checks["C2:C501"].startswith("=Lists!$B$1")  # directorates
        assert checks["E2:E501"] == "=Lists!$C$1:$C$3"  # types
        assert (
            (root / "data" / "raw" / slug / "ILLUSTRATIVE.md")
            .read_text()
            .startswith(f"# {written[_code][0].name}: a starter plan")
        )


def test_it_refuses_to_overwrite_and_to_guess(project, shared_public):
    root, _written = project
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(paths.ROOT_ENV, str(root))
        paths.project_root.cache_clear()
        with pytest.raises(InputError, match="already exists: Kent CC \\(SC, E10000016\\)"):
            starter.new_council("Kent", shared_public, TODAY)
        with pytest.raises(InputError, match="matches .* authorities"):
            starter.new_council("North", shared_public, TODAY)
    paths.project_root.cache_clear()


@pytest.mark.slow
def test_run_builds_the_four_reports_for_each(project, shared_public, tmp_path):
    from analysis.pack.build import build_pack

    root, _written = project
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(paths.ROOT_ENV, str(root))
        paths.project_root.cache_clear()
        for _code, (_kind, slug) in COUNCILS.items():
            result = build_pack(
                slug, "latest", "base", output_root=tmp_path / "out", public_data=shared_public
            )
            assert result.ok, result.message
            pages = {p.name for p in result.directory.glob("*.html")}
            assert {
                "00_summary.html",
                "01_mtfp_scenarios.html",
                "02_savings_delivery.html",
                "03_vfm_benchmarking.html",
            } <= pages, slug
    paths.project_root.cache_clear()
    shutil.rmtree(tmp_path / "out", ignore_errors=True)
