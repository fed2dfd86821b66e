"""Environment messages fit the folder (issue 23 item 9): a read-only ``data/processed`` was
told to use ``--output-dir``, which does not move it, and the project root was named a dot."""

from __future__ import annotations

import errno

import pytest

from analysis.core import paths
from analysis.core.errors import EnvironmentFault, display_path


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "data" / "processed").mkdir(parents=True)
    monkeypatch.setenv("COUNCIL_FINANCE_ROOT", str(tmp_path))
    paths.project_root.cache_clear()
    yield tmp_path.resolve()
    paths.project_root.cache_clear()


@pytest.mark.parametrize("code", [errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC])
@pytest.mark.parametrize("where", ["data/processed", "data/processed/councils/york"])
def test_a_working_folder_that_cannot_be_written_is_never_sent_to_output_dir(project, code, where):
    exc = OSError(code, "refused", str(project / where))
    fault = EnvironmentFault.from_os_error(exc, project)
    assert fault.path == where
    assert "--output-dir does not move it" in fault.message
    assert "use --output-dir" not in fault.message
    if code in (errno.EACCES, errno.EPERM):
        assert "make data/processed writable (chmod -R u+w data/processed)" in fault.message


def test_a_pack_folder_that_cannot_be_written_still_suggests_output_dir(project):
    exc = PermissionError(errno.EACCES, "Permission denied", str(project / "outputs" / "york"))
    fault = EnvironmentFault.from_os_error(exc, project)
    assert fault.path == "outputs/york" and "use --output-dir" in fault.message


def test_the_project_root_is_named_by_its_path_never_dot(project):
    assert display_path(project) == str(project)
    fault = EnvironmentFault.from_os_error(OSError(errno.EROFS, "read-only", str(project)), ".")
    assert fault.path == str(project)
    assert display_path(project / "data") == "data"
