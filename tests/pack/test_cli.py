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


GENERATED = """\
name: Hartlepool
ons_code: E06000001
authority_class: UA
minimum_general_fund_reserve: {percent_of_net_budget: 5.0}
directorates: [All services]
default_period: 2016-17-Q4
benchmark: {comparator_method: nearest_neighbours}
"""


@pytest.mark.public_data
def test_a_generated_council_validates_on_the_published_files(
    tmp_path, monkeypatch, capsys, shared_public
):
    """A council a batch generated has no MTFP or savings inputs and no panel of its own: run
    and validate check what it has (benchmark and summary) against the published files, and
    say so."""
    generated = tmp_path / "processed" / "councils"
    (generated / "hartlepool").mkdir(parents=True)
    (generated / "hartlepool" / "council.yaml").write_text(GENERATED)
    monkeypatch.setattr(paths, "raw_dir", lambda: tmp_path / "raw")
    monkeypatch.setattr(paths, "generated_councils_dir", lambda: generated)
    monkeypatch.setattr(paths, "default_public_data", lambda: shared_public)
    assert main(["validate", "--council", "hartlepool"]) == 0
    out = capsys.readouterr().out
    assert "no MTFP assumptions or savings registers" in out and "benchmark and summary" in out
    assert "generated from the published files" in out
    assert "Benchmarking (public data)" in out and "E06000001" not in out.split("OK:")[1]
    # A folder of the council's own, with an MTFP file, gets every notebook checked.
    (tmp_path / "raw" / "hartlepool").mkdir(parents=True)
    (tmp_path / "raw" / "hartlepool" / "council.yaml").write_text(GENERATED)
    (tmp_path / "raw" / "hartlepool" / "mtfp.yaml").write_text("{}\n")
    assert main(["validate", "--council", "hartlepool"]) == 2
    assert "mtfp.yaml" in capsys.readouterr().err


def test_the_command_line_starts_without_the_input_schemas():
    """`run` starts the kernels' parent before it reads any input: importing the command line
    must not import the council.yaml schemas (pydantic, a tenth of a second) on the way."""
    import subprocess
    import sys

    probe = "import sys, analysis.cli; print(sorted(m for m in ('analysis.core.config', 'pydantic') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
