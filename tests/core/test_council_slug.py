"""A council is a name (a folder under data/raw/), never a path."""

from __future__ import annotations

import pytest

from analysis.cli import main
from analysis.core import config, paths
from analysis.core.errors import InputError


@pytest.mark.parametrize(
    "name", ["/tmp/x", "../../x", "dorset/..", "Dorset", "dor set", "", "-dorset", "a--b", "x" * 65]
)
def test_a_path_or_odd_name_is_refused_before_anything_is_read(name):
    with pytest.raises(InputError, match="is not a council name"):
        config.load_council(name)


@pytest.mark.parametrize("name", ["dorset", "bath-ne-somerset", "x2"])
def test_slugs_are_names(name):
    assert paths.is_slug(name)


def test_a_council_folder_linking_outside_data_raw_is_refused(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "council.yaml").write_text("name: x\n")
    (raw / "linked").symlink_to(elsewhere)
    monkeypatch.setattr(paths, "raw_dir", lambda: raw)
    with pytest.raises(InputError, match="leads outside data/raw"):
        config.load_council("linked")


def test_run_with_a_path_as_council_exits_2_and_writes_nothing(tmp_path, capsys):
    target = tmp_path / "victim"
    target.mkdir()
    (target / "council.yaml").write_text("name: x\n")
    out = tmp_path / "out"
    code = main(
        ["run", "--council", str(target), "--period", "2021-22-Q2", "--output-dir", str(out)]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "is not a council name" in err and "Traceback" not in err
    assert sorted(p.name for p in target.iterdir()) == ["council.yaml"]
    assert not out.exists()
