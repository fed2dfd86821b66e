"""The manifest's record of the packages a pack was built with."""

from __future__ import annotations

from importlib import metadata

from analysis.pack import manifest


def test_package_versions_are_read_once_a_process_and_given_as_a_new_dict(monkeypatch):
    calls: list[str] = []

    def version(name: str) -> str:
        calls.append(name)
        if name == "pandas":
            raise metadata.PackageNotFoundError(name)
        return "1.2.3"

    manifest._installed_versions.cache_clear()
    monkeypatch.setattr(manifest.metadata, "version", version)
    try:
        first = manifest.package_versions()
        assert first["pandas"] == "not installed" and first["papermill"] == "1.2.3"
        assert set(first) == {"python", *manifest.PACKAGES_REPORTED}
        first["papermill"] = "changed by the caller"
        second = manifest.package_versions()
        assert second["papermill"] == "1.2.3"  # the caller's dict, not the cache, changed
        assert sorted(calls) == sorted(manifest.PACKAGES_REPORTED)  # looked up once each
    finally:
        manifest._installed_versions.cache_clear()
