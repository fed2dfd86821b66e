"""The default pack as a reader's browser sees it: headless Chromium, offline, with axe-core.

Every HTML page of the default pack (the cover and each report) is opened from disk in headless
Chromium driven by Playwright (``executable_path`` = the machine's Chromium; Playwright never
downloads a browser here). For each page:

- it loads with no console error and no uncaught script error;
- it requests nothing but itself: every request is recorded and anything else is refused;
- every image has alt text; the document has a language, a title and exactly one h1;
- axe-core (``node_modules/axe-core``, pinned in package-lock.json; ``npm ci``) finds no
  violation of WCAG 2.2 AA (tags wcag2a, wcag2aa, wcag21a, wcag21aa, wcag22aa), except those
  listed with a reason in ``tests/pack/a11y_allowlist.yaml``.

Also: each report is under 2 MB and the summary under 1 MB, and ``--pdf``/``--screenshots``
write a PDF and a first-screen PNG of every page.

Needs: Chromium (``apt-get install -y chromium``), the dev extra (playwright) and ``npm ci``.
The tests skip, saying why, only when no Chromium can be found.

    .venv/bin/python -m pytest -m browser tests/pack/test_browser.py
"""

from __future__ import annotations

import importlib.util
import json
import re
import struct
import sys
import unicodedata
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from pack_pages import PAGES

from analysis.pack import browser

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ALLOWLIST = Path(__file__).parent / "a11y_allowlist.yaml"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _load_measure_sizes():
    spec = importlib.util.spec_from_file_location(
        "measure_sizes", ROOT / "benchmarks" / "measure_sizes.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("measure_sizes", module)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(
            f"axe-core not found at {AXE}: run 'npm ci' in {ROOT} (pinned in package-lock.json)"
        )
    return AXE.read_text("utf-8")


@pytest.fixture(scope="module")
def inspected(default_pack, chromium, axe_source):
    """Open each page once; returns a function page name -> what was seen."""
    cache: dict[str, dict] = {}

    def inspect(name: str) -> dict:
        if name not in cache:
            cache[name] = _inspect(chromium, default_pack / name, axe_source)
        return cache[name]

    return inspect


# What a reader must be able to see in a report (outside a folded <details>): a page whose markup
# puts content inside a hidden element (an unclosed, hidden anchor link did) fails here.
HIDEABLE = "main h2, main h3, main p, main li, main img, main table, main figure"


def _inspect(chromium, path: Path, axe_source: str) -> dict:
    assert path.is_file(), f"{path.name} is not in the pack"
    url = path.resolve().as_uri()
    seen = {"requests": [], "refused": [], "console_errors": [], "page_errors": []}
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, offline=True)

    def route(route_, request):
        seen["requests"].append(request.url)
        if request.url.split("#")[0] == url:
            route_.continue_()
        else:
            seen["refused"].append(request.url)
            route_.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on(
        "request", lambda r: None if r.url.startswith("data:") else seen["requests"].append(r.url)
    )
    page.on(
        "console", lambda m: seen["console_errors"].append(m.text) if m.type == "error" else None
    )
    page.on("pageerror", lambda e: seen["page_errors"].append(str(e)))
    try:
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        seen["document"] = page.evaluate(
            """(hideable) => ({
                lang: document.documentElement.getAttribute('lang') || '',
                title: document.title,
                h1: Array.from(document.querySelectorAll('h1')).map(h => h.textContent.trim()),
                images: document.images.length,
                images_without_alt: Array.from(document.images)
                    .filter(i => !(i.getAttribute('alt') || '').trim())
                    .map(i => i.outerHTML.slice(0, 120)),
                broken_images: Array.from(document.images)
                    .filter(i => !i.complete || i.naturalWidth === 0).length,
                content: document.querySelectorAll(hideable).length,
                hidden_content: Array.from(document.querySelectorAll(hideable))
                    .filter(e => !e.closest('details:not([open])'))
                    .filter(e => e.getClientRects().length === 0)
                    .map(e => e.outerHTML.slice(0, 120)),
            })""",
            HIDEABLE,
        )
        # Scan the data tables folded under each chart too: open every <details>.
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        # axe itself is added inline: no request.
        page.add_script_tag(content=axe_source)
        seen["violations"] = page.evaluate(
            """async (tags) => {
                const result = await axe.run(document, {
                    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
                return result.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))}));
            }""",
            WCAG_TAGS,
        )
    finally:
        context.close()
    return seen


def _allowlist() -> list[dict]:
    data = yaml.safe_load(ALLOWLIST.read_text("utf-8")) or {}
    return data.get("allow") or []


def _allowed(violation: dict, page: str, node: dict) -> bool:
    for entry in _allowlist():
        if entry.get("rule") != violation["id"]:
            continue
        if entry.get("page", "*") not in ("*", page):
            continue
        if entry.get("target") and entry["target"] != node["target"]:
            continue
        return True
    return False


# ---------------------------------------------------------------------------------------------
# Per page


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("name", PAGES)
def test_page_loads_without_console_errors(inspected, name):
    seen = inspected(name)
    assert seen["console_errors"] == [], seen["console_errors"]
    assert seen["page_errors"] == [], seen["page_errors"]


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("name", PAGES)
def test_page_requests_nothing_but_itself(inspected, default_pack, name):
    seen = inspected(name)
    own = (default_pack / name).resolve().as_uri()
    assert seen["refused"] == [], f"{name} tried to fetch: {seen['refused']}"
    assert {u.split("#")[0] for u in seen["requests"]} == {own}


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("name", PAGES)
def test_every_image_has_alt_text_and_shows(inspected, name):
    document = inspected(name)["document"]
    assert document["images_without_alt"] == []
    assert document["broken_images"] == 0


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("name", PAGES)
def test_every_heading_paragraph_table_and_chart_is_shown(inspected, name):
    document = inspected(name)["document"]
    assert document["content"] > 0
    assert document["hidden_content"] == []


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("name", PAGES)
def test_document_has_language_title_and_one_h1(inspected, name):
    document = inspected(name)["document"]
    assert document["lang"] == "en-GB"
    assert document["title"].strip()
    assert len(document["h1"]) == 1, document["h1"]
    assert document["h1"][0] in document["title"]


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_wcag22_aa_violations(inspected, name):
    problems = []
    for violation in inspected(name)["violations"]:
        for node in violation["nodes"]:
            if not _allowed(violation, name, node):
                problems.append(
                    f"{violation['id']} ({violation['impact']}): {violation['help']} at {node['target']}: {node['summary']}"
                )
    assert problems == [], "\n".join(problems)


@pytest.mark.browser
@pytest.mark.slow
def test_summary_links_to_the_detailed_reports(default_pack):
    text = (default_pack / "00_summary.html").read_text("utf-8")
    for href in ("01_mtfp_scenarios.html", "02_savings_delivery.html", "03_vfm_benchmarking.html"):
        assert f'href="{href}"' in text
        assert (default_pack / href).is_file()


# ---------------------------------------------------------------------------------------------
# The allow-list itself


def test_every_allowlisted_violation_has_a_rule_and_a_reason():
    for entry in _allowlist():
        assert entry.get("rule"), entry
        assert len(str(entry.get("reason", "")).strip()) >= 20, f"say why: {entry}"


# ---------------------------------------------------------------------------------------------
# Sizes


@pytest.mark.slow
def test_reports_are_small_enough_to_email(default_pack):
    measure = _load_measure_sizes()
    sizes = measure.measure_sizes(default_pack)
    assert {row["page"] for row in sizes} >= set(PAGES)
    too_big = [row for row in sizes if not row["ok"]]
    assert too_big == [], json.dumps(too_big, indent=1)


def test_size_limits_are_the_agreed_ones(tmp_path):
    measure = _load_measure_sizes()
    (tmp_path / "00_summary.html").write_bytes(b"x" * 1_000_001)  # just over 1 MB
    (tmp_path / "01_mtfp_scenarios.html").write_bytes(b"x" * 1_999_999)  # just under 2 MB
    rows = {r["page"]: r for r in measure.measure_sizes(tmp_path)}
    assert rows["00_summary.html"]["limit_bytes"] == 1_000_000 and not rows["00_summary.html"]["ok"]
    assert (
        rows["01_mtfp_scenarios.html"]["limit_bytes"] == 2_000_000
        and rows["01_mtfp_scenarios.html"]["ok"]
    )


# ---------------------------------------------------------------------------------------------
# PDF and screenshots (--pdf, --screenshots)


def test_no_browser_gives_a_clear_error(monkeypatch):
    monkeypatch.setattr(browser, "DEFAULT_PATH", Path("/nonexistent/chromium"))
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("CHROMIUM", raising=False)
    with pytest.raises(browser.BrowserNotFound, match="apt-get install -y chromium"):
        browser.pack_extras(pdf=True, screenshots=False)
    assert browser.pack_extras(pdf=False, screenshots=False)(Path("/nonexistent"), []) is None


@pytest.mark.browser
@pytest.mark.slow
def test_pack_extras_print_the_committee_paper_and_first_screens(
    default_pack, chromium_path, tmp_path
):
    import shutil

    from pypdf import PdfReader

    pack = tmp_path / "pack"
    shutil.copytree(default_pack, pack)
    results = [SimpleNamespace(html=name, status="ok") for name in PAGES if name != "index.html"]
    said = []
    browser.pack_extras(pdf=True, screenshots=True, progress=said.append)(pack, results)
    for name in PAGES:
        stem = Path(name).stem
        assert not (pack / f"{stem}.pdf").exists(), "one paper, not a PDF a page"
        png = (pack / "screenshots" / f"{stem}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n", name
        width, height = struct.unpack(">II", png[16:24])
        assert (width, height) == browser.SCREEN
    assert len(said) == 1 + len(PAGES)

    reader = PdfReader(pack / "committee-paper.pdf")
    # (NFKC: the PDF's "ﬁ" ligature back to "fi")
    texts = [
        " ".join(unicodedata.normalize("NFKC", page.extract_text()).split())
        for page in reader.pages
    ]
    n = len(texts)
    # The cover: the headline and a contents list giving each part's page.
    contents = texts[0].split("Contents", 1)[1]
    titles = ["Quarterly finance summary"] + [
        f"Appendix {letter}: " for letter in "ABC"
    ]  # the reports' titles follow the letters
    numbers = []
    for title in titles:
        found = re.search(re.escape(title) + r"[^0-9]*?(\d+)", contents)
        assert found, (title, contents)
        numbers.append(int(found.group(1)))
    assert numbers == sorted(numbers) and numbers[0] == 2 and numbers[-1] <= n
    summary_page = texts[numbers[0] - 1]
    assert "Quarterly finance summary" in summary_page
    for number, letter in zip(numbers[1:], "ABC", strict=True):
        assert f"Appendix {letter}:" in texts[number - 1]  # the contents are right
    # Every page after the cover is numbered "Page i of n".
    for i, text in enumerate(texts[1:], start=2):
        assert f"Page {i} of {n}" in text, i
    assert "Page 1 of" not in texts[0]
    # No page but the last is mostly empty (little text and no chart).
    thin = [
        i + 1
        for i, (text, page) in enumerate(zip(texts[:-1], reader.pages[:-1], strict=True))
        if len(text) < 900 and not page.images
    ]
    assert thin == []
    # 61 pages in five PDFs before; 18 when the paper was first made, 32 since the reports gained
    # the financial position (issue 18) and the bridge (issue 20).
    assert n <= 36


# ---------------------------------------------------------------------------------------------
# A committee paper on screen: the first screen, tables that fit, words not identifiers

SIZES = {"desktop": (1366, 768), "phone": (390, 844)}
IDENTIFIER = re.compile(
    r"\b[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+\b|\.csv\b|\.ya?ml\b|\.md\b|\.json\b|_gbp"
    r"|(?<![\w.])/(?:[\w.-]+/)+[\w.-]*"  # a folder path such as /home/me/data/
)

MEASURE = """() => {
  const vw = document.documentElement.clientWidth, vh = window.innerHeight;
  const clipped = [];
  for (const cell of document.querySelectorAll('main td, main th')) {
    if (cell.closest('details:not([open])')) continue;
    const r = cell.getBoundingClientRect();
    if (r.width === 0) continue;
    let scroller = null;
    for (let e = cell.parentElement; e; e = e.parentElement) {
      const o = getComputedStyle(e).overflowX;
      if (o === 'auto' || o === 'scroll') { scroller = e; break; }
    }
    // Cut inside the cell, or off the page with no box to scroll it into view.
    if (cell.scrollWidth > cell.clientWidth + 1 || (!scroller && r.right > vw + 1))
      clipped.push(cell.textContent.trim().slice(0, 60));
  }
  const scrollers = Array.from(document.querySelectorAll('main .table-wrap'))
    .filter(w => w.scrollWidth > w.clientWidth + 1)
    .map(w => ({label: w.getAttribute('aria-label'),
                cue: getComputedStyle(w).backgroundImage.includes('gradient')}));
  const tiles = Array.from(document.querySelectorAll('main .kpi')).map(t => {
    const value = t.querySelector('.kpi-value').getBoundingClientRect();
    return {label: t.querySelector('.kpi-label').textContent, top: value.top,
            bottom: value.bottom};
  });
  const banner = document.querySelector('.illustrative-banner summary');
  let bannerLines = 0;
  if (banner) {
    const style = getComputedStyle(banner);
    bannerLines = Math.round(banner.getBoundingClientRect().height / parseFloat(style.lineHeight));
  }
  return {clipped, scrollers, tiles, bannerLines, viewport: vh,
          pageWider: document.documentElement.scrollWidth > vw + 1,
          height: document.documentElement.scrollHeight,
          text: document.body.innerText};
}"""


def _measure(chromium, pack: Path) -> dict:
    seen = {}
    for size, (width, height) in SIZES.items():
        context = chromium.new_context(viewport={"width": width, "height": height}, offline=True)
        page = context.new_page()
        try:
            for path in sorted(pack.glob("*.html")):
                page.goto(path.resolve().as_uri(), wait_until="load")
                seen[(path.name, size)] = page.evaluate(MEASURE)
        finally:
            context.close()
    return seen


@pytest.fixture(scope="module")
def benchmark_pack(tmp_path_factory, shared_public):
    """The benchmarking and the summary alone, for a council on the published files."""
    from analysis.pack.build import build_pack

    result = build_pack(
        "bath-ne-somerset",
        "2023-24-Q4",  # the newest outturn: its financial position, budget and RSX sentences
        "base",
        notebooks=["benchmark", "summary"],
        output_root=tmp_path_factory.mktemp("benchmark-pack"),
        public_data=shared_public,
    )
    assert result.ok, result.message
    return result.directory


@pytest.fixture(scope="module")
def screens(default_pack, benchmark_pack, chromium):
    return {
        "default": _measure(chromium, default_pack),
        "benchmark": _measure(chromium, benchmark_pack),
    }


def _every_page(screens):
    for pack, seen in screens.items():
        for (name, size), found in seen.items():
            yield f"{pack}/{name} at {size}", name, size, found


@pytest.mark.browser
@pytest.mark.slow
def test_the_headline_tiles_are_on_the_first_screen_at_both_sizes(screens):
    checked = 0
    for where, name, _size, found in _every_page(screens):
        if name not in ("index.html", "00_summary.html"):
            continue
        assert found["tiles"], f"{where}: no headline tiles"
        for tile in found["tiles"]:
            assert tile["bottom"] <= found["viewport"], f"{where}: {tile['label']} below the fold"
        checked += 1
    assert checked == 8  # two packs, two pages, two sizes


@pytest.mark.browser
@pytest.mark.slow
def test_the_illustrative_warning_takes_at_most_two_lines(screens):
    for where, _name, _size, found in _every_page(screens):
        assert found["bannerLines"] <= 2, where


@pytest.mark.browser
@pytest.mark.slow
def test_no_table_cell_is_cut_and_wide_tables_scroll_with_a_cue(screens):
    for where, _name, _size, found in _every_page(screens):
        assert found["clipped"] == [], f"{where}: {found['clipped']}"
        assert not found["pageWider"], f"{where}: the page scrolls sideways"
        assert all(s["cue"] for s in found["scrollers"]), f"{where}: {found['scrollers']}"


@pytest.mark.browser
@pytest.mark.slow
def test_no_identifier_in_visible_text(screens):
    for where, _name, _size, found in _every_page(screens):
        words = sorted({m.group(0) for m in IDENTIFIER.finditer(found["text"])})
        assert words == [], f"{where}: {words}"


@pytest.mark.browser
@pytest.mark.slow
def test_the_summary_is_about_two_screens_and_prints_on_two_a4_pages(
    screens, default_pack, chromium_path, tmp_path
):
    from pypdf import PdfReader

    # Before: 4,065 px at 1366 px wide (5.3 screens of 768 px), 7,864 px on a phone, 7 A4
    # pages; then 2,180 px (2.84 screens) and 4,207 px; now 1,590 px (2.07 screens: the three
    # short sections side by side, each chart at its legible width, denser type) and 3,485 px
    # (the services as one block each, the contents on one line). The bounds leave about 40 px
    # on a desktop and 100 px on a phone for a longer name or sentence, no more.
    desktop = screens["default"][("00_summary.html", "desktop")]["height"]
    phone = screens["default"][("00_summary.html", "phone")]["height"]
    assert desktop <= 2.1 * 768, f"{desktop} px at 1366x768"
    assert phone <= 3600, f"{phone} px at 390x844"
    # A benchmark-only pack's summary (no MTFP or savings report; four services to review) is
    # shorter still: 1,001 px and 2,041 px.
    for size, bound in (("desktop", 1050), ("phone", 2150)):
        height = screens["benchmark"][("00_summary.html", size)]["height"]
        assert height <= bound, f"benchmark-only summary: {height} px at {size}"
    pdf = browser.print_pdf(chromium_path, default_pack / "00_summary.html", tmp_path / "s.pdf")
    assert len(PdfReader(pdf).pages) <= 2
