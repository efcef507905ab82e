"""The independent monitor, pointed at the public API (through the test client)."""

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from gotong.territory.models import Kelurahan
from gotong.transparency import monitor
from gotong.transparency.services import entries_append, tree_head_publish

pytestmark = pytest.mark.django_db


def grow(kelurahan: Kelurahan, count: int) -> None:
    entries_append(
        kelurahan=kelurahan,
        entries=[
            {"type": "t", "at": "t", "actor": "system", "subject": "test:1", "data": {"n": n}}
            for n in range(count)
        ],
    )
    tree_head_publish(kelurahan=kelurahan)


@pytest.fixture
def watch(monkeypatch: Any, kelurahan: Kelurahan, tmp_path: Path) -> Any:
    client = Client()

    def get(self: monitor.Monitor, path: str) -> Any:
        response = client.get(self.api.removeprefix("http://testserver") + path)
        if response.status_code != 200:
            raise ValueError(response.content)
        return response.json()

    monkeypatch.setattr(monitor.Monitor, "get", get)
    state = tmp_path / "state.json"
    return lambda: monitor.main(
        ["http://testserver", "taman", "--state", str(state), "--seed", "1"]
    ), state


def test_a_growing_honest_log_passes_twice(watch: Any, kelurahan: Kelurahan, capsys: Any) -> None:
    run, state = watch
    grow(kelurahan, 30)
    assert run() == 0
    grow(kelurahan, 17)
    assert run() == 0
    assert json.loads(state.read_text())["tree_size"] == 47
    assert "OK: tree_size=47" in capsys.readouterr().out


def test_a_shrunk_log_is_an_error(watch: Any, kelurahan: Kelurahan) -> None:
    run, state = watch
    grow(kelurahan, 10)
    assert run() == 0
    saved = json.loads(state.read_text())
    state.write_text(json.dumps({**saved, "tree_size": 99}))
    assert run() == 1


def test_a_fork_is_an_error(watch: Any, kelurahan: Kelurahan, capsys: Any) -> None:
    run, state = watch
    grow(kelurahan, 10)
    assert run() == 0
    saved = json.loads(state.read_text())
    state.write_text(json.dumps({**saved, "root_hash": "00" * 32}))
    assert run() == 1
    assert "fork" in capsys.readouterr().err


def test_an_inconsistent_history_is_an_error(watch: Any, kelurahan: Kelurahan) -> None:
    run, state = watch
    grow(kelurahan, 8)
    assert run() == 0
    saved = json.loads(state.read_text())
    grow(kelurahan, 5)
    state.write_text(json.dumps({**saved, "root_hash": "11" * 32}))
    assert run() == 1


def test_a_bad_signature_is_an_error(watch: Any, kelurahan: Kelurahan, monkeypatch: Any) -> None:
    run, _ = watch
    grow(kelurahan, 4)
    real_get = monitor.Monitor.get

    def tampered(self: monitor.Monitor, path: str) -> Any:
        data = real_get(self, path)
        if path == "/sth":
            data["tree_size"] += 1
        return data

    monkeypatch.setattr(monitor.Monitor, "get", tampered)
    assert run() == 1


def test_an_unreachable_server_is_exit_2(tmp_path: Path) -> None:
    assert monitor.main(["http://127.0.0.1:9", "taman", "--state", str(tmp_path / "s")]) == 2
