"""The command line: clear messages for users' mistakes, never a traceback."""

from __future__ import annotations

import shutil

import pytest

from analysis.cli import main
from analysis.core import paths


def test_validate_says_ok_with_counts(capsys):
    assert main(["validate", "--council", "dorset", "--period", "2021-22-Q2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: Dorset Council, 2021-22 Q2")
    assert "48 savings" in out and "3 scenarios" in out


def test_validate_lists_every_problem_and_exits_2(tmp_path, monkeypatch, capsys):
    raw = tmp_path / "raw"
    shutil.copytree(paths.council_dir("dorset"), raw / "broken")
    yaml_path = raw / "broken" / "council.yaml"
    yaml_path.write_text(
        yaml_path.read_text().replace("authority_class: UA", "authority_class: XX")
    )
    monkeypatch.setattr(paths, "raw_dir", lambda: raw)
    assert main(["validate", "--council", "broken", "--period", "2021-22-Q2"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "council.yaml, key 'authority_class'" in err


@pytest.mark.parametrize(
    "args, message",
    [
        (["validate", "--period", "2021-22-Q9"], "not a period"),
        (["validate", "--council", "nowhere"], "no such council folder"),
        (["run", "--notebooks", "mtfp,bogus"], "unknown notebook"),
    ],
)
def test_usage_mistakes_exit_2_with_a_message(args, message, capsys):
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_list_shows_councils_periods_and_notebooks(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "dorset: 2021-22-Q1, 2021-22-Q2" in out and "summary" in out
