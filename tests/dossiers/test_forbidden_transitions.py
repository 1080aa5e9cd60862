"""Every pair (state, action) that the transition table does not allow is refused with a typed
error, and nothing changes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from motcua.accounts.models import Membership, Role
from motcua.catalog.models import Unit
from motcua.dossiers import actions, reception
from motcua.dossiers.models import Dossier
from motcua.workflow.actions import TRANSITIONS
from motcua.workflow.states import Status
from tests.conftest import make_user, vn
from tests.dossiers.test_receive_dossier import receive

pytestmark = pytest.mark.django_db

CALLS = {
    "accept": lambda d, u, at: reception.accept_dossier(dossier=d, by=u, at=at),
    "ask_to_complete": lambda d, u, at: reception.ask_to_complete(
        dossier=d, by=u, reason="x", items=["x"], at=at
    ),
    "refuse_at_reception": lambda d, u, at: reception.refuse_at_reception(
        dossier=d, by=u, reason="x", at=at
    ),
    "transfer": lambda d, u, at: actions.transfer_dossier(dossier=d, by=u, at=at),
    "assign": lambda d, u, at: actions.assign_dossier(dossier=d, by=u, specialist=u, at=at),
    "appraise": lambda d, u, at: actions.appraise_dossier(dossier=d, by=u, opinion="x", at=at),
    "submit_for_approval": lambda d, u, at: actions.submit_for_approval(dossier=d, by=u, at=at),
    "send_back": lambda d, u, at: actions.send_back(dossier=d, by=u, reason="x", at=at),
    "approve": lambda d, u, at: actions.approve_dossier(dossier=d, by=u, at=at),
    "refuse": lambda d, u, at: actions.refuse_dossier(dossier=d, by=u, reason="x", at=at),
    "return_result": lambda d, u, at: actions.return_result(dossier=d, by=u, at=at),
    "deliver": lambda d, u, at: actions.deliver_result(dossier=d, by=u, via="counter", at=at),
    "mark_uncollected": lambda d, u, at: actions.mark_uncollected(dossier=d, by=u, at=at),
    "request_supplement": lambda d, u, at: actions.request_supplement(
        dossier=d, by=u, reason="x", items=["x"], at=at
    ),
    "receive_supplement": lambda d, u, at: actions.receive_supplement(dossier=d, by=u, at=at),
    "withdraw": lambda d, u, at: actions.withdraw_dossier(dossier=d, by=u, reason="x", at=at),
    "return_unresolved": lambda d, u, at: actions.return_unresolved(
        dossier=d, by=u, reason="x", at=at
    ),
    "hand_over": lambda d, u, at: actions.hand_over(dossier=d, by=u, to=d.agency, at=at),
    "record_resolution": lambda d, u, at: actions.record_resolution(dossier=d, by=u, at=at),
    "apologise_and_extend": lambda d, u, at: actions.apologise_and_extend(
        dossier=d, by=u, new_due_at=d.due_at + timedelta(days=30), reason="x", at=at
    ),
}


def test_every_action_has_a_call_here() -> None:
    assert set(CALLS) == set(TRANSITIONS)


def test_every_forbidden_pair_is_refused_and_changes_nothing(counter_officer) -> None:
    everyone = make_user("everyone", None, None)
    for role in Role.values:  # every role at the province root: only the table can refuse
        Membership.objects.create(user=everyone, unit=Unit.objects.get(code="AH"), role=role)
    dossier = receive(counter_officer, received_at=vn(2025, 5, 5, 9, 0))
    Dossier.objects.filter(pk=dossier.pk).update(assignee=everyone)
    failures = []
    for status in Status:
        for action, transition in TRANSITIONS.items():
            if status in transition.sources:
                continue
            Dossier.objects.filter(pk=dossier.pk).update(status=status)
            current = Dossier.objects.get(pk=dossier.pk)
            before = (current.version, current.events.count(), current.steps.count())
            try:
                CALLS[action](current, everyone, vn(2025, 5, 6, 9, 0))
            except actions.TransitionNotAllowed:
                pass
            except Exception as error:
                failures.append(f"{status} × {action}: {type(error).__name__} {error}")
            else:
                failures.append(f"{status} × {action}: allowed")
            after = Dossier.objects.get(pk=dossier.pk)
            if (after.status, after.version, after.events.count(), after.steps.count()) != (
                status,
                *before,
            ):
                failures.append(f"{status} × {action}: something changed")
    assert not failures, "\n".join(failures)
