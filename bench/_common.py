"""What the benchmarks that run against the demo share: Django on a throw-away SQLite
database (DEBUG off, as in production), migrated and seeded with the demo.

A benchmark script calls ``demo_django()`` before it imports any project module, then
``demo_seed()`` in its ``main``; ``demo_database_drop()`` removes the file at the end.
Importing this module does nothing by itself (``make bench`` runs it too).
"""

import os
import sys
import tempfile
from pathlib import Path

import django
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
_DATABASE = Path(tempfile.gettempdir()) / f"gotong-bench-{os.getpid()}.sqlite3"


def demo_django() -> None:
    """Point Django at a throw-away SQLite file (production-like: DEBUG off) and set it up."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{_DATABASE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DJANGO_DEBUG"] = "false"
    django.setup()


def demo_seed(*, collectstatic: bool = False) -> None:
    """Migrate the throw-away database and seed the demo (quietly)."""
    call_command("migrate", verbosity=0)
    if collectstatic:
        call_command("collectstatic", "--noinput", verbosity=0)
    call_command("seed_demo", "--quiet")


def demo_database_drop() -> None:
    """Remove the throw-away database file."""
    _DATABASE.unlink(missing_ok=True)
