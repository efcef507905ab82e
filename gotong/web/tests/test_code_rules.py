"""Rules of the code base that no linter checks for us.

Imports belong at the top of a module. An import inside a function hides a dependency from
the reader and from import-linter's picture of the layers, and usually papers over an import
cycle. One is allowed only where a ``# why:`` comment on the same line or the line above
says why (a slow optional library, a cycle the module cannot avoid), and inside an
``AppConfig.ready()`` in ``apps.py``, the hook Django gives for code that needs the app
registry (log type declarations, registered hooks).
"""

import ast
import tomllib
from pathlib import Path

MARKER = "# why:"
ROOT = Path(__file__).resolve().parents[3]
SCANNED = ("gotong", "config")


def _is_test_or_migration(path: Path) -> bool:
    return bool({"tests", "migrations"} & set(path.parts)) or path.name == "conftest.py"


def hidden_imports(source: str, *, file_name: str) -> list[int]:
    """Line numbers of function-level imports without a ``# why:`` comment."""
    lines = source.splitlines()
    found: list[int] = []
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if function.name == "ready" and file_name == "apps.py":
            continue
        for node in ast.walk(function):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            here = lines[node.lineno - 1]
            above = lines[node.lineno - 2] if node.lineno > 1 else ""
            if MARKER not in here and MARKER not in above:
                found.append(node.lineno)
    return sorted(set(found))


def test_a_function_level_import_without_a_reason_is_found() -> None:
    source = (
        "def page():\n"
        "    from gotong.needs import services\n"
        "    return services\n"
        "\n"
        "def upload():\n"
        "    # why: openpyxl is slow to import and only spreadsheet uploads need it\n"
        "    from openpyxl import load_workbook\n"
        "    import json  # why: shown on the same line\n"
        "    return load_workbook, json\n"
    )

    assert hidden_imports(source, file_name="views.py") == [2]


def test_an_apps_ready_hook_may_import_but_another_ready_may_not() -> None:
    source = "class Config:\n    def ready(self):\n        from . import log_types\n"

    assert hidden_imports(source, file_name="apps.py") == []
    assert hidden_imports(source, file_name="services.py") == [3]


def test_no_module_imports_inside_a_function_without_saying_why() -> None:
    scanned = 0
    offenders = []
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if _is_test_or_migration(relative):
                continue
            scanned += 1
            source = path.read_text(encoding="utf-8")
            for line in hidden_imports(source, file_name=path.name):
                offenders.append(f"{relative}:{line}")

    assert scanned > 100, "the walk found too few modules; is ROOT right?"
    assert offenders == [], (
        "move these imports to the top of the module, or say why on the line above "
        f"with '{MARKER} ...': {offenders}"
    )


FOUNDATION = ("accounts", "channels", "territory", "transparency", "ui")


def _foundation_layers() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    [contract] = [c for c in config["contracts"] if c["id"] == "foundation-modules"]
    return {
        name.strip()
        for layer in contract["layers"]
        for name in layer.replace("|", ":").split(":")
        if name.strip()
    }


def test_every_foundation_module_has_its_place_in_the_module_layers() -> None:
    # A new module of the five foundation apps must be placed in the contract
    # "foundation-modules", or an import cycle between the apps could hide in it.
    listed = _foundation_layers()
    unplaced = [
        f"gotong.{app}.{path.stem if path.is_file() else path.name}"
        for app in FOUNDATION
        for path in sorted((ROOT / "gotong" / app).iterdir())
        if (path.suffix == ".py" or (path / "__init__.py").exists())
        and path.stem != "__init__"
        and not _is_test_or_migration(path)
    ]
    assert [m for m in unplaced if m not in listed] == []
