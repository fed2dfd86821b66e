"""Checking the public files once for a batch gives each council what its own check would."""

from __future__ import annotations

import pytest

from analysis import benchmarking
from analysis.benchmarking.settings import BenchmarkSettings
from analysis.core import provenance
from analysis.core.config import Council
from analysis.core.errors import InputError

pytestmark = pytest.mark.public_data


def _council(code: str, method: str = "class", **benchmark) -> Council:
    return Council(
        name="Test Council",
        ons_code=code,
        authority_class="UA",
        minimum_general_fund_reserve={"percent_of_net_budget": 5.0},
        directorates=["All services"],
        benchmark={"comparator_method": method, **benchmark},
    )


@pytest.fixture(scope="module")
def check(shared_public):
    return benchmarking.public_check(shared_public)


@pytest.mark.parametrize(
    ("code", "method"),
    [("E06000001", "nearest_neighbours"), ("E06000001", "class"), ("E06000099", "class")],
)
def test_the_check_gives_what_the_councils_own_check_gives(check, shared_public, code, method):
    council = _council(code, method)
    settings = benchmarking.load_settings(council)
    assert check.covers(settings, shared_public)
    provenance.reset()
    own = benchmarking.validate_inputs(council, None, "base", shared_public)
    read = provenance.inputs_read()
    given = check.prechecked_for(council, settings)
    assert given.summary == own
    assert given.inputs == read and len(read) > 3, "the same files, with the same hashes"
    # E06000099 is no authority's code in any year.
    assert ("not in these data" in own) == (code == "E06000099")


def test_the_check_leaves_other_choices_to_the_councils_own_check(check, shared_public, tmp_path):
    plain = BenchmarkSettings(comparator_method="class")
    assert check.covers(plain, shared_public)
    assert not check.covers(plain, tmp_path), "another folder of files"
    assert not check.covers(plain, None), "the council's own panel"
    own_files = BenchmarkSettings(comparator_method="class", public_files={"rs": "RS.xlsx"})
    assert not check.covers(own_files, shared_public)
    assert not check.covers(BenchmarkSettings(comparator_method="list"), shared_public)


def test_the_check_does_not_disturb_the_inputs_already_recorded(shared_public, tmp_path):
    earlier = tmp_path / "earlier.csv"
    earlier.write_text("a\n1\n")
    provenance.reset()
    provenance.record_input(earlier)
    benchmarking.public_check(shared_public)
    assert list(provenance.inputs_read()) == [str(earlier.resolve())]
    provenance.reset()


def test_a_folder_without_the_files_fails_the_check_with_the_reason(tmp_path):
    with pytest.raises(InputError) as caught:
        benchmarking.public_check(tmp_path)
    assert "no RS file found" in str(caught.value)
