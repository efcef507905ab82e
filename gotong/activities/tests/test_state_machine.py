"""Random sequences of actions by random roles never reach an illegal state and never
skip a required sign-off (hypothesis state machine over the real services)."""

from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from gotong.activities import services
from gotong.activities.checks import subjects_with_evidence
from gotong.activities.models import Activity, ActivityPolicy, ActivityStatus, Assignment, SignOff
from gotong.activities.tests.factories import World, approved_need, elderly, last_code, photo, plan
from gotong.core.exceptions import ApplicationError
from gotong.needs.models import Need
from gotong.needs.models import Status as NeedStatus
from gotong.needs.tests.factories import resident

pytestmark = pytest.mark.django_db

ACTIONS = [
    "start",
    "invite",
    "accept",
    "check_in",
    "evidence",
    "deliver",
    "code",
    "confirm_rt",
    "executor",
    "rt",
    "rw",
    "independent",
    "close",
    "cancel",
]
# Which need statuses go with which activity status.
ALLOWED = {
    ActivityStatus.PLANNED: {NeedStatus.MATCHED},
    ActivityStatus.IN_PROGRESS: {
        NeedStatus.IN_PROGRESS,
        NeedStatus.DELIVERED,
        NeedStatus.CONFIRMED,
    },
    ActivityStatus.REPORTED: {NeedStatus.DELIVERED, NeedStatus.CONFIRMED},
    ActivityStatus.SIGNED_OFF: {NeedStatus.SIGNED_OFF},
    ActivityStatus.CLOSED: {NeedStatus.CLOSED},
    ActivityStatus.CANCELLED: {NeedStatus.APPROVED},
}


def test_random_actions_by_random_roles_keep_the_activity_legal(
    world: World, make_member: Any
) -> None:
    ActivityPolicy.objects.create(kelurahan=world.rt.kelurahan, verifiers_required=2)
    actors = {
        "rt_head": world.rt_head,
        "rw_head": world.rw_head,
        "operator": world.operator,
        "coordinator": world.driver.person.user,
        "verifier_1": world.verifiers[0],
        "verifier_2": world.verifiers[1],
        "verifier_3": world.verifiers[2],
        "resident": resident(world.rt).user,
    }

    class ActivityMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.savepoint = transaction.savepoint()
            self.recipient = elderly(world.rt, phone="+6281399990077")
            self.need = approved_need(world.rt_head, world.rw_head, self.recipient)
            self.activity = plan(world.rt, world.rw_head, world.driver, [self.need])
            self.need.refresh_from_db()

        def teardown(self) -> None:
            transaction.savepoint_rollback(self.savepoint)

        def _do(self, actor: Any, action: str) -> None:
            a, need = self.activity, self.need
            if action == "start":
                services.activity_start(actor=actor, activity=a)
            elif action == "invite":
                services.assignment_invite(
                    actor=actor, activity=a, slot=a.slots.get(), volunteer=world.driver
                )
            elif action == "accept":
                invitation = Assignment.objects.filter(activity=a).first()
                if invitation is not None:
                    services.assignment_respond(actor=actor, assignment=invitation, accept=True)
            elif action == "check_in":
                services.assignment_check_in(actor=actor, activity=a)
            elif action == "evidence":
                services.activity_evidence_add(actor=actor, activity=a, upload=photo())
            elif action == "deliver":
                services.activity_need_deliver(actor=actor, activity=a, need=need)
            elif action == "code":
                services.receipt_code_send(actor=actor, activity=a, need=need)
                services.receipt_code_verify(
                    actor=actor, activity=a, need=need, code=last_code(self.recipient.phone)
                )
            elif action == "confirm_rt":
                services.activity_confirm_on_behalf(
                    actor=actor, activity=a, need=need, reason="Tidak punya HP"
                )
            elif action in ("executor", "rt", "rw", "independent"):
                services.activity_signoff(actor=actor, activity=a, layer=action)
            elif action == "close":
                services.activity_close(actor=actor, activity=a)
            elif action == "cancel":
                services.activity_cancel(actor=actor, activity=a, reason="Batal")

        @rule(who=st.sampled_from(sorted(actors)), action=st.sampled_from(ACTIONS))
        def random_action(self, who: str, action: str) -> None:
            self.act(who, action)

        def act(self, who: str, action: str) -> None:
            REACHED.add(str(Activity.objects.get(pk=self.activity.pk).status))
            before = self._snapshot()
            try:
                with transaction.atomic():
                    self._do(actors[who], action)
            except ApplicationError:
                # A refusal changes nothing (wrong role, wrong state, missing proof).
                assert self._snapshot() == before
            self.activity.refresh_from_db()
            self.need.refresh_from_db()

        @rule()
        def proceed(self) -> None:
            """The next step of the happy path, by the right person (so that random runs
            also get deep into sign-off, where the interesting refusals are)."""
            a, need = self.activity, self.need
            signed = set(SignOff.objects.filter(activity=a).values_list("signer_id", flat=True))
            invited = Assignment.objects.filter(activity=a).first()
            steps: list[tuple[str, str]] = []
            if a.status == ActivityStatus.PLANNED:
                if invited is None:
                    steps = [("rw_head", "invite")]
                elif invited.status == "invited":
                    steps = [("coordinator", "accept")]
                else:
                    steps = [("rt_head", "start")]
            elif a.status == ActivityStatus.IN_PROGRESS:
                if not subjects_with_evidence([a]):
                    steps = [("rt_head", "evidence")]
                elif need.status == NeedStatus.IN_PROGRESS:
                    steps = [("rt_head", "deliver")]
                elif need.status == NeedStatus.DELIVERED:
                    steps = [("coordinator", "code")]
                else:
                    steps = [("coordinator", "executor")]
            elif a.status == ActivityStatus.REPORTED:
                layers = set(SignOff.objects.filter(activity=a).values_list("layer", flat=True))
                if need.status == NeedStatus.DELIVERED:
                    steps = [("rt_head", "confirm_rt")]
                elif "rt" not in layers:
                    steps = [("rt_head", "rt")]
                elif "rw" not in layers:
                    steps = [("rw_head", "rw")]
                else:
                    steps = [
                        (who, "independent")
                        for who in ("verifier_1", "verifier_2", "verifier_3")
                        if actors[who].pk not in signed
                    ][:1]
            elif a.status == ActivityStatus.SIGNED_OFF:
                steps = [("operator", "close")]
            for who, action in steps:
                self.act(who, action)

        def _snapshot(self) -> tuple[Any, ...]:
            return (
                Activity.objects.get(pk=self.activity.pk).status,
                Need.objects.get(pk=self.need.pk).status,
                SignOff.objects.filter(activity=self.activity).count(),
            )

        @invariant()
        def statuses_fit_together(self) -> None:
            assert self.activity.status in ActivityStatus.values
            assert self.need.status in ALLOWED[ActivityStatus(self.activity.status)], (
                self.activity.status,
                self.need.status,
            )

        @invariant()
        def no_sign_off_is_skipped(self) -> None:
            signoffs = list(SignOff.objects.filter(activity=self.activity).order_by("pk"))
            layers = [s.layer for s in signoffs]
            if "rt" in layers:
                assert layers.index("executor") < layers.index("rt")
            if "rw" in layers:
                assert layers.index("rt") < layers.index("rw")
            if self.activity.status in (ActivityStatus.SIGNED_OFF, ActivityStatus.CLOSED):
                assert {"executor", "rt", "rw"} <= set(layers)
                assert layers.count("independent") >= 2
                assert subjects_with_evidence([self.activity])
                assert self.need.status in (NeedStatus.SIGNED_OFF, NeedStatus.CLOSED)
            executors = {world.driver.person.user_id}
            for s in signoffs:
                if s.layer == "independent":
                    assert s.signer_id not in executors
                    assert s.signer_id not in (world.rt_head.pk, world.rw_head.pk)

    REACHED: set[str] = set()
    run_state_machine_as_test(
        ActivityMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
    # The random runs reached the end of the lifecycle at least once.
    assert {"reported", "signed_off"} <= REACHED, REACHED
