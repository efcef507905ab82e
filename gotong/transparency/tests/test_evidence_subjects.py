"""The registry of evidence subjects lists what a user may choose (issue 15 item 14)."""

from typing import Any

import pytest

from gotong.transparency import evidence_subjects


def test_choices_come_from_every_rule_by_kind_and_a_subject_appears_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def needs_a(**kwargs: Any) -> list[tuple[str, str]]:
        return [("need:2", "Need 2"), ("need:1", "Need 1")]

    def needs_b(**kwargs: Any) -> list[tuple[str, str]]:
        return [("need:1", "Need 1 again"), ("need:7", "Need 7")]

    def activities(**kwargs: Any) -> list[tuple[str, str]]:
        assert kwargs == {"user": "u", "kelurahan": "k"}
        return [("activity:4", "Activity 4")]

    monkeypatch.setattr(
        evidence_subjects, "_SUBJECTS", {"need": [needs_a, needs_b], "activity": [activities]}
    )
    assert evidence_subjects.evidence_subject_choices(user="u", kelurahan="k") == [
        ("activity:4", "Activity 4"),
        ("need:2", "Need 2"),
        ("need:1", "Need 1"),
        ("need:7", "Need 7"),
    ]


def test_a_kind_without_a_lister_offers_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(evidence_subjects, "_SUBJECTS", {})
    assert evidence_subjects.evidence_subject_choices(user=None, kelurahan=None) == []
