"""The dashboard reads other apps only through their published dashboard rows and maps
every status of their enums."""

import ast
import importlib
from pathlib import Path

from django.db import models

from gotong.activities.models import ActivityStatus
from gotong.dashboard import figures
from gotong.needs.models import Status


def test_every_need_status_has_a_dashboard_stage() -> None:
    assert set(figures.STAGE_OF) == set(Status)


def test_every_activity_status_has_a_dashboard_phase() -> None:
    assert set(figures.ACTIVITY_PHASE) == set(ActivityStatus)


def test_milestones_are_nested() -> None:
    sets = list(figures.MILESTONES.values())
    assert all(later <= earlier for earlier, later in zip(sets, sets[1:], strict=False))


# The tenant's type, used in signatures only.
TENANT_TYPES = {"Kelurahan"}


def test_the_read_model_imports_no_model_of_another_app() -> None:
    """Other apps are read through their selectors; from their models only enums come."""
    tree = ast.parse(Path(figures.__file__).read_text())
    imported = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gotong."):
            app, _, module = node.module.removeprefix("gotong.").partition(".")
            if app != "dashboard" and module == "models":
                source = importlib.import_module(node.module)
                imported += [
                    (node.module, a.name, getattr(source, a.name))
                    for a in node.names
                    if a.name not in TENANT_TYPES
                ]
    assert imported
    for module, name, value in imported:
        assert isinstance(value, type) and issubclass(value, models.Choices), (module, name)
