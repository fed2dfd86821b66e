"""The shape of the library: one subpackage per question, the pack machinery, a shared core.

- the import-linter contracts in ``pyproject.toml`` hold (command > pack > domains > core; the
  pack never imports a domain; the summary never imports the savings code);
- no module imports itself back through another (no import cycles, lazy imports included);
- no module imports a private name from another module, nor another package's private
  module (a module over about 600 lines
  needs a reason: a review guideline in CONTRIBUTING.md, not a test);
- notebooks import each domain's public package, never its internals.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import grimp
import pytest
from importlinter import cli as importlinter_cli

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "analysis"
DOMAINS = ("mtfp", "savings", "benchmarking", "summary")


def test_import_contracts_are_kept():
    assert importlinter_cli.lint_imports(config_filename=str(ROOT / "pyproject.toml")) == 0


def _cycles(graph) -> list[tuple[str, str]]:
    found = []
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back is not None:
                found.append((module, " -> ".join(back)))
    return found


def test_no_import_cycles():
    assert _cycles(grimp.build_graph("analysis")) == []


def test_cycle_check_finds_a_cycle(tmp_path, monkeypatch):
    package = tmp_path / "cyclic"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from cyclic import b\n")
    (package / "b.py").write_text("from cyclic import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert _cycles(grimp.build_graph("cyclic", cache_dir=None)) != []


def _private_imports(files, base: Path = PACKAGE) -> list[str]:
    """``from analysis.x import _name`` lines (a private name taken from another module), and
    imports of another package's private module (``analysis.public_data._common`` from outside
    ``public_data``)."""
    found = []
    for path in files:
        package = path.relative_to(base).parts[0] if len(path.relative_to(base).parts) > 1 else ""
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            modules = []
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("analysis"):
                names = [a.name for a in node.names if a.name.startswith("_")]
                if names and not all(n.startswith("__") for n in names):
                    found.append(f"{path.relative_to(base)}: {node.module} {names}")
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [a.name for a in node.names if a.name.startswith("analysis")]
            for module in modules:
                parts = module.split(".")
                private = [p for p in parts[1:] if p.startswith("_") and not p.startswith("__")]
                if private and (len(parts) < 3 or parts[1] != package):
                    found.append(f"{path.relative_to(base)}: private module {module}")
    return found


def test_no_module_imports_a_private_name_from_another_module():
    """Modules share helpers by making them public (issue 21); a package's private modules
    (``_common``) are imported only inside it."""
    assert _private_imports(sorted(PACKAGE.rglob("*.py"))) == []


def test_the_private_import_check_finds_one(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("from analysis.core.tables import _NAME\n")
    assert _private_imports([module], tmp_path) == ["m.py: analysis.core.tables ['_NAME']"]
    (tmp_path / "benchmarking").mkdir()
    other = tmp_path / "benchmarking" / "panel.py"
    other.write_text("from analysis.public_data._common import tidy\n")
    inside = tmp_path / "public_data" / "rs.py"
    inside.parent.mkdir()
    inside.write_text("from analysis.public_data._common import tidy\n")
    assert _private_imports([other, inside], tmp_path) == [
        "benchmarking/panel.py: private module analysis.public_data._common"
    ]


def test_each_domain_is_a_package_with_a_public_api():
    for name in DOMAINS:
        init = PACKAGE / name / "__init__.py"
        assert init.is_file(), name
        assert '"""' in init.read_text(encoding="utf-8"), f"{name}/__init__.py says what it is for"


@pytest.mark.parametrize("notebook", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=str)
def test_notebooks_use_the_public_apis(notebook):
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    imports = re.findall(r"^\s*from (analysis[\w.]*) import", code, re.M)
    assert imports, "a notebook imports the library"
    assert set(imports) <= {"analysis", "analysis.core"}, imports
