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
import struct
import sys
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
def test_pack_extras_print_pdfs_and_first_screens(default_pack, chromium_path, tmp_path):
    import shutil

    pack = tmp_path / "pack"
    shutil.copytree(default_pack, pack)
    results = [SimpleNamespace(html=name, status="ok") for name in PAGES if name != "index.html"]
    said = []
    browser.pack_extras(pdf=True, screenshots=True, progress=said.append)(pack, results)
    for name in PAGES:
        stem = Path(name).stem
        pdf = (pack / f"{stem}.pdf").read_bytes()
        assert pdf.startswith(b"%PDF-"), name
        png = (pack / "screenshots" / f"{stem}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n", name
        width, height = struct.unpack(">II", png[16:24])
        assert (width, height) == browser.SCREEN
    assert len(said) == 2 * len(PAGES)
