"""Every distribution the code imports is declared in pyproject.toml, where a clean install will find it.

`make demo` installs the runtime dependencies only and the tests run with the test extra as well, so a module the
application imports that only a test dependency (or, by chance, another package's dependency) brings in passes
every test and breaks the demo on a fresh machine: lxml came in through libcoveocds, a test dependency, and
`make demo` stopped at its first import. Application code must find what it imports among the runtime
dependencies; tests among the runtime and test ones.
"""

from __future__ import annotations

import ast
import importlib.metadata
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = {"tawrid", "config", "tests", "conftest"}


def imported_top_level_modules(source: str) -> set[str]:
    """Absolute imports of a module's text, by their top-level name (`from a.b import c` → `a`)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def undeclared_imports(
    files: Iterable[Path], declared: set[str], distributions_of: dict[str, list[str]]
) -> dict[str, list[str]]:
    """Third-party modules imported by `files` that no declared distribution provides, with the files importing them."""
    missing: dict[str, list[str]] = {}
    for path in files:
        for module in imported_top_level_modules(path.read_text(encoding="utf-8")):
            if module in sys.stdlib_module_names or module in FIRST_PARTY:
                continue
            if not {canonicalize_name(d) for d in distributions_of.get(module, [])} & declared:
                missing.setdefault(module, []).append(str(path))
    return missing


def _declared() -> tuple[set[str], set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = {canonicalize_name(Requirement(r).name) for r in project["dependencies"]}
    test = {canonicalize_name(Requirement(r).name) for r in project["optional-dependencies"]["test"]}
    return runtime, test


def _is_test_file(path: Path) -> bool:
    relative = path.relative_to(ROOT)
    return "tests" in relative.parts or relative.name == "conftest.py"


def _python_files(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (ROOT / folder).rglob("*.py"))


def test_the_application_imports_only_runtime_dependencies():
    runtime, _test = _declared()
    application = [p for p in _python_files("tawrid", "config") if not _is_test_file(p)]
    assert application, "no application module found"
    missing = undeclared_imports(application, runtime, importlib.metadata.packages_distributions())
    assert missing == {}, f"imported by the application but not in [project] dependencies: {missing}"


def test_the_tests_import_only_runtime_and_test_dependencies():
    runtime, test = _declared()
    tests = [p for p in _python_files("tawrid", "tests") if _is_test_file(p)] + [ROOT / "conftest.py"]
    missing = undeclared_imports(
        [p for p in tests if p.exists()], runtime | test, importlib.metadata.packages_distributions()
    )
    assert missing == {}, f"imported by the tests but in neither the dependencies nor the test extra: {missing}"


def test_a_module_brought_in_by_another_package_only_is_reported(tmp_path):
    module = tmp_path / "charts.py"
    module.write_text(
        "import os\nfrom lxml import etree\nimport pygal.style\nfrom . import sibling\n", encoding="utf-8"
    )
    missing = undeclared_imports([module], {"pygal"}, {"lxml": ["lxml"], "pygal": ["pygal"]})
    assert missing == {"lxml": [str(module)]}
