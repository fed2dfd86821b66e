"""Checks that match the arithmetic, and one folder per council (issue 23): a population of 0
or -1 passed `validate` (0 then failed the run with decimal.InvalidOperation, -1 published
-£262 million a head); `validate` accepted a scenario `run` refuses; two folders with one ONS
code were built silently; a MemoryError in checking exited 1 with a traceback."""

from __future__ import annotations

import shutil

import pytest
from openpyxl import Workbook

from analysis.cli import main
from analysis.core import config, paths
from analysis.core.errors import InputError
from analysis.pack import validate as pack_validate
from analysis.public_data._common import clear_cache
from analysis.public_data.population import read_population


@pytest.fixture
def raw(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    shutil.copytree(paths.council_dir("dorset"), raw / "hostile")
    monkeypatch.setattr(paths, "raw_dir", lambda: raw)
    monkeypatch.setattr(paths, "generated_councils_dir", lambda: tmp_path / "generated")
    return raw


def _validate(*extra) -> int:
    return main(["validate", "--council", "hostile", "--period", "2021-22-Q2", *extra])


@pytest.mark.parametrize("population", ["0", "-1"])
def test_a_population_of_zero_or_less_in_the_councils_panel_is_refused(raw, capsys, population):
    path = raw / "hostile" / "benchmark" / "population.csv"
    lines = path.read_text().splitlines()
    fields = lines[2].split(",")
    fields[7] = population
    lines[2] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n")
    assert _validate("--notebooks", "benchmark") == 2
    err = capsys.readouterr().err
    assert (
        f"benchmark/population.csv, row 3, column 'value': a population must be more than 0 "
        f"(found {int(population)})" in err
    ), err
    assert "Traceback" not in err


@pytest.mark.parametrize("population", [0, -1])
def test_a_published_population_of_zero_or_less_is_refused_by_row_and_column(tmp_path, population):
    book = Workbook()
    sheet = book.active
    sheet.title = "MYE4"
    sheet.append(["Population estimates"])
    sheet.append(["Code", "Name", "Geography", "Mid-2021", "Mid-2020"])
    sheet.append(["E06000001", "Hartlepool", "Unitary Authority", 92_571, 93_663])
    sheet.append(["E06000002", "Middlesbrough", "Unitary Authority", population, None])
    path = tmp_path / "ukpopestimatesmid2021.xlsx"
    book.save(path)
    clear_cache()
    with pytest.raises(InputError) as caught:
        read_population(path)
    problem = caught.value.problems[0]
    assert (problem.sheet, problem.row, problem.column) == ("MYE4", 4, "D")
    assert f"a population must be more than 0 (found {population})" in problem.message
    assert len(caught.value.problems) == 1  # the blank Mid-2020 is missing, not 0


def test_a_tax_base_of_zero_is_refused(raw, capsys):
    path = raw / "hostile" / "mtfp.yaml"
    text = path.read_text()
    path.write_text(
        text.replace("tax_base_band_d_equivalents: 148319.7", "tax_base_band_d_equivalents: 0")
    )
    assert _validate("--notebooks", "mtfp") == 2
    err = capsys.readouterr().err
    assert "council_tax.tax_base_band_d_equivalents" in err and "greater than 0" in err


@pytest.mark.parametrize("scenario", ["../../x", "a/b", ".hidden"])
def test_validate_refuses_a_scenario_name_run_refuses(raw, capsys, scenario):
    assert _validate("--notebooks", "benchmark", "--scenario", scenario) == 2
    err = capsys.readouterr().err
    assert f"--scenario: '{scenario}' is not a name" in err


def test_a_memory_error_in_checking_is_one_line_and_exit_3(raw, capsys, monkeypatch):
    def exhausted(*_args, **_kwargs):
        raise MemoryError

    monkeypatch.setattr(pack_validate, "validate_all", exhausted)
    monkeypatch.setattr("analysis.pack.validate.validate_all", exhausted)
    assert _validate("--notebooks", "benchmark") == 3
    err = capsys.readouterr().err
    assert "ran out of memory" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_an_unexpected_fault_in_a_check_is_an_input_error(raw, capsys, monkeypatch):
    import analysis.benchmarking as benchmarking

    def broken(*_args):
        raise KeyError("Mid-2021")

    monkeypatch.setattr(benchmarking, "validate_inputs", broken)
    assert _validate("--notebooks", "benchmark") == 2
    err = capsys.readouterr().err
    assert "the benchmarking inputs: could not be checked (KeyError: 'Mid-2021')" in err
    assert "Traceback" not in err


def test_two_folders_with_one_ons_code_are_refused_naming_both(raw, capsys):
    shutil.copytree(raw / "hostile", raw / "copy")
    for slug in ("hostile", "copy"):
        with pytest.raises(InputError) as caught:
            config.load_council(slug)
        other = "copy" if slug == "hostile" else "hostile"
        problem = caught.value.problems[0]
        assert problem.key == "ons_code" and problem.file.endswith(f"{slug}/council.yaml")
        assert "E06000059 is also the ons_code of" in problem.message
        assert problem.message.split(":")[0].endswith(other)
    assert _validate("--notebooks", "benchmark") == 2
    assert "one council has one folder" in capsys.readouterr().err


def test_a_generated_folder_with_an_own_folders_code_is_refused(raw, tmp_path):
    generated = tmp_path / "generated" / "dorset-council"
    generated.mkdir(parents=True)
    (generated / "council.yaml").write_text('name: Dorset\nons_code: "E06000059"\n')
    with pytest.raises(InputError, match="generated/dorset-council"):
        config.load_council("hostile")


def test_the_batch_refuses_two_folders_with_one_code(raw):
    from analysis.batch.councils import own_folders

    shutil.copytree(raw / "hostile", raw / "copy")
    with pytest.raises(InputError, match="one council has one folder"):
        own_folders()


def test_a_batch_worker_reports_a_hostile_register_as_that_councils_failure(
    raw, tmp_path, monkeypatch
):
    """The far-cell register killed four batch workers; now it is one council's failure."""
    import hostile_files

    from analysis.batch import worker
    from analysis.batch.councils import BatchCouncil

    savings = raw / "hostile" / "savings"
    (savings / "2021-22-Q2.xlsx").unlink()
    hostile_files.far_cell_xlsx(savings / "2021-22-Q2.xlsx", "XFD1048576")
    monkeypatch.setattr(worker, "worker_pool", lambda warm: None)  # refused before any kernel
    council = BatchCouncil(
        "hostile", "Hostile", "E06000059", "UA", ("savings",), "2021-22-Q2", False
    )
    outcome = worker.build_one(council, "key", str(tmp_path / "out"), None, force=True)
    assert outcome["status"] == "failed"
    assert "cell XFD1048576 holds a value" in outcome["reason"]
    assert not (tmp_path / "out" / "hostile").exists()
