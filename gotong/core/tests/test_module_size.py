"""No Python module of ``gotong/`` is over 800 lines (migrations aside, issue 14): a
module that grows past it is split into a package of subject modules."""

from pathlib import Path

import gotong

LIMIT = 800


def test_no_module_over_the_limit() -> None:
    root = Path(gotong.__file__).resolve().parent
    too_long = {}
    for path in root.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        with path.open(encoding="utf-8") as handle:
            count = sum(1 for _ in handle)
        if count > LIMIT:
            too_long[str(path.relative_to(root))] = count
    assert too_long == {}
