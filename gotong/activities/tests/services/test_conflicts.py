"""Conflicts of interest: declared against an activity's beneficiary without learning who
they are, the verifier is then not independent, and the reason stays out of the log."""

import pytest

from gotong.activities import services
from gotong.activities.models import ConflictDeclaration
from gotong.activities.tests.factories import World, independent_signoff_refused, run_to_reported
from gotong.transparency.models import LogEntry

pytestmark = pytest.mark.django_db


def test_a_declared_conflict_makes_a_verifier_not_independent(world: World) -> None:
    run_to_reported(world)
    verifier = world.verifiers[0]
    services.conflict_declare_for_activity(
        actor=verifier, activity=world.activity, target=f"need:{world.need.pk}", reason="tetangga"
    )
    assert ConflictDeclaration.objects.get().household_id == world.grandma.household_id
    independent_signoff_refused(world, verifier, "conflict")
    body = LogEntry.objects.get(type="conflict.declared").body
    assert "tetangga" not in body
