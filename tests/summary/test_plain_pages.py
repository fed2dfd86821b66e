"""No identifier on a page, checked without a browser (issue 22, item 2): the text a reader
sees on every page of the default pack, read from the HTML (scripts, styles and closed
details blocks left out, as a browser leaves them out of what is shown), holds no
``snake_case`` word, ``.csv`` file name or ``_gbp`` column; and a pack whose chosen scenario
is keyed ``pay_shock`` shows it by its title on every page. The browser tests
(tests/pack/test_browser.py) check the same on the rendered text where Chromium is installed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from analysis.core import paths, scenarios
from analysis.core.scenarios import key_in_words, title_in_folder, title_of
from analysis.summary.sentences import scenario_words

IDENTIFIER = re.compile(
    r"\b[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+\b|\.csv\b|\.ya?ml\b|\.md\b|\.json\b|_gbp"
    r"|(?<![\w.])/(?:[\w.-]+/)+[\w.-]*"  # a folder path such as /home/me/data/
)


def visible_text(html: str) -> str:
    """The words a reader sees: no scripts, styles, templates or closed ``<details>`` bodies
    (their ``<summary>`` is shown); images' alt text counts, as a screen reader reads it."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "template", "noscript"]):
        tag.decompose()
    for details in soup.find_all("details"):
        if details.has_attr("open"):
            continue
        for child in list(details.children):
            if getattr(child, "name", None) != "summary":
                child.extract()
    alts = [img.get("alt", "") for img in soup.find_all("img")]
    return " ".join([soup.get_text(" ", strip=True), *alts])


def identifiers(html: str) -> list[str]:
    return sorted({m.group(0) for m in IDENTIFIER.finditer(visible_text(html))})


def test_the_scan_finds_identifiers_only_where_a_reader_sees_them():
    html = (
        "<html><head><style>.a_b{}</style><script>var x_y = 1;</script></head><body>"
        "<p>The lost_gbp_m column</p><details><summary>Files</summary>mtfp_headline.csv</details>"
        "<details open><summary>Shown</summary>savings.csv</details>"
        '<img src="a.png" alt="chart of pay_shock"></body></html>'
    )
    assert identifiers(html) == [".csv", "lost_gbp_m", "pay_shock"]
    assert identifiers("<p>A £12.3m gap; 2021-22 Q2; 45.2%</p>") == []
    assert identifiers(
        "<p>Set in council.yaml; see data/raw/README.md; using files in /work/shared/data/public; "
        "the ratio of council tax requirement / net revenue expenditure</p>"
    ) == [".md", ".yaml", "/work/shared/data/public"]


def test_a_scenario_title_comes_from_the_file_else_from_its_name(tmp_path):
    assert key_in_words("pay_shock") == "Pay shock"
    assert key_in_words("high-inflation") == "High inflation"
    assert title_of("pay_shock", "  Pay award of 5% ") == "Pay award of 5%"
    assert title_of("pay_shock", "") == "Pay shock"
    (tmp_path / "mtfp.yaml").write_text(
        "scenarios:\n  pay_shock: {title: Pay award of 5%}\n  low: {}\n", "utf-8"
    )
    assert title_in_folder(tmp_path, "pay_shock") == "Pay award of 5%"
    assert title_in_folder(tmp_path, "low") == "Low"
    assert title_in_folder(tmp_path / "elsewhere", "pay_shock") == "Pay shock"


def test_a_scenario_in_a_sentence_is_lower_case_but_keeps_its_initials():
    assert scenarios.in_sentence("pay_shock") == "pay shock"
    assert scenarios.in_sentence("CPI_shock") == "CPI shock"
    assert scenarios.in_sentence("CPI_shock", "Inflation at 6%") == "Inflation at 6%"
    assert scenario_words("CPI_shock") == "CPI shock"
    assert scenario_words("pay_shock") == "pay shock"


@pytest.mark.slow
def test_no_page_of_the_default_pack_shows_an_identifier(default_pack):
    pages = sorted(default_pack.glob("*.html"))
    assert len(pages) >= 5
    found = {p.name: identifiers(p.read_text("utf-8")) for p in pages}
    assert found == {p.name: [] for p in pages}


MILLIONS = re.compile(r"£m\b|£[\d.,]+m\b|£ ?million")
THOUSANDS = re.compile(r"£k\b|£[\d.,]+k\b|£ ?thousand|£000")


def money_units(table_html: str) -> set[str]:
    text = BeautifulSoup(table_html, "html.parser").get_text(" ", strip=True)
    return {u for u, pattern in (("£m", MILLIONS), ("£k", THOUSANDS)) if pattern.search(text)}


def test_the_unit_scan_tells_millions_from_thousands():
    assert money_units("<table><th>Gap (£m)</th><td>£1.2m</td></table>") == {"£m"}
    assert money_units("<table><th>Planned (£k)</th><td>£1.2m</td></table>") == {"£m", "£k"}
    assert money_units("<table><td>£216.33 a head</td></table>") == set()


@pytest.mark.slow
def test_no_table_of_the_default_pack_mixes_millions_and_thousands(default_pack):
    mixed = []
    for page in sorted(default_pack.glob("*.html")):
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        for table in soup.find_all("table"):
            if len(money_units(str(table))) > 1:
                caption = table.find("caption")
                mixed.append(f"{page.name}: {caption.get_text(strip=True) if caption else table}")
    assert mixed == []


@pytest.fixture
def pay_shock_project(tmp_path, monkeypatch) -> Path:
    """A copy of Dorset's folder whose MTFP has a scenario keyed ``pay_shock``, titled."""
    root = tmp_path / "project"
    (root / "data" / "raw").mkdir(parents=True)
    (root / "pyproject.toml").write_text("")
    (root / "notebooks").symlink_to(paths.notebooks_dir())
    folder = root / "data" / "raw" / "dorset"
    shutil.copytree(paths.council_dir("dorset"), folder)
    mtfp = folder / "mtfp.yaml"
    text = mtfp.read_text("utf-8")
    assert "\nscenarios:\n" in text
    mtfp.write_text(
        text.replace(
            "\nscenarios:\n",
            "\nscenarios:\n  pay_shock:\n    title: Pay shock\n    pay_award_pct: 0.06\n",
        ),
        "utf-8",
    )
    monkeypatch.setenv(paths.ROOT_ENV, str(root))
    paths.project_root.cache_clear()
    yield root
    monkeypatch.undo()
    paths.project_root.cache_clear()


@pytest.mark.slow
def test_a_pack_for_the_pay_shock_scenario_never_shows_its_key(pay_shock_project, tmp_path):
    from analysis.pack.build import build_pack

    result = build_pack("dorset", "latest", "pay_shock", output_root=tmp_path / "out")
    assert result.ok, result.message
    pages = sorted(result.directory.glob("*.html"))
    assert len(pages) == 5
    keys, words, untitled = [], [], []
    for page in pages:
        html = page.read_text("utf-8")
        shown = visible_text(html)
        keys += [
            f"{page.name}: {shown[max(0, m.start() - 60) : m.end() + 60]}"
            for m in re.finditer("pay_shock", shown)
        ]
        words += [f"{page.name}: {w}" for w in identifiers(html)]
        if "Pay shock" not in shown:  # the header names the scenario by its title
            untitled.append(page.name)
    assert keys == [], "\n".join(keys)
    assert words == [], "\n".join(words)
    assert untitled == []


def test_a_table_for_display_shows_titles_not_keys():
    import pandas as pd

    from analysis.core.scenarios import titled

    frame = pd.DataFrame({"scenario": ["base", "pay_shock"], "gap_gbp_m": [1.0, 2.0]})
    assert list(titled(frame)["scenario"]) == ["Base", "Pay shock"]
    assert list(titled(frame, {"pay_shock": "Pay award of 5%"})["scenario"]) == [
        "Base",
        "Pay award of 5%",
    ]
    own = frame.assign(scenario_title=["Base case", "Pay award of 5%"])
    shown = titled(own)
    assert list(shown["scenario"]) == ["Base case", "Pay award of 5%"]
    assert "scenario_title" not in shown.columns
