"""A ``$CHROMIUM`` naming no program is refused in one line (issue 23 item 9): it was passed
over for /usr/bin/chromium, so a run asked to use one browser silently used another."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.cli import main
from analysis.pack import browser


def test_a_chromium_setting_naming_no_program_is_refused(monkeypatch, tmp_path):
    fallback = tmp_path / "chromium"
    fallback.write_text("#!/bin/sh\n")
    fallback.chmod(0o755)
    monkeypatch.setattr(browser, "DEFAULT_PATH", fallback)
    monkeypatch.setenv("CHROMIUM", str(tmp_path / "missing" / "chrome"))
    with pytest.raises(browser.BrowserNotFound, match="CHROMIUM is set to .*missing/chrome"):
        browser.find_chromium()
    monkeypatch.delenv("CHROMIUM")
    assert browser.find_chromium() == fallback


def test_the_command_says_so_in_one_line_and_exits_3(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("CHROMIUM", str(tmp_path / "missing" / "chrome"))
    code = main(
        ["run", "--council", "dorset", "--period", "2021-22-Q2", "--notebooks", "savings",
         "--output-dir", str(tmp_path / "out"), "--pdf"]
    )  # fmt: skip
    assert code == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith(f"Cannot build the pack: {tmp_path}/missing/chrome: CHROMIUM is set")
    assert "Traceback" not in "\n".join(err)
    assert not (tmp_path / "out").exists()


def test_a_browser_that_fails_silently_is_said_so_without_a_dangling_colon(tmp_path):
    with pytest.raises(browser.BrowserFailed) as caught:
        browser.print_pdf(Path("/bin/false"), tmp_path / "p.html", tmp_path / "p.pdf")
    assert str(caught.value) == "Chromium did not write p.pdf (exit 1), and said nothing"
