"""Every transition outside the table is refused (and nothing is logged); every allowed one is logged."""
import itertools

import pytest

from returns.models import ReturnEvent, ReturnStatus
from returns.services.transitions import apply_transition
from returns.states import TRANSITIONS, InvalidTransition, check_transition

from tests.support.returns import ask

ALL = list(ReturnStatus.values)
INVALID = [(a, b) for a, b in itertools.product(ALL, ALL) if b not in TRANSITIONS[a]]
VALID = [(a, b) for a in ALL for b in sorted(TRANSITIONS[a])]  # sorted: xdist workers must agree


@pytest.mark.parametrize("current, target", INVALID)
def test_invalid_transitions_are_refused(current, target):
    with pytest.raises(InvalidTransition):
        check_transition(current, target)


def test_table_covers_every_status_and_terminal_states_are_final():
    assert set(TRANSITIONS) == set(ALL)
    for terminal in ("rejected", "refunded", "credited", "exchanged", "closed"):
        assert TRANSITIONS[terminal] == frozenset()


@pytest.mark.django_db
@pytest.mark.parametrize("current, target", INVALID[::7])
def test_refused_transition_writes_nothing(order, current, target):
    rr = ask(order)
    type(rr).objects.filter(pk=rr.pk).update(status=current)
    rr.refresh_from_db()
    before = ReturnEvent.objects.count()
    with pytest.raises(InvalidTransition):
        apply_transition(rr, target, by="system")
    rr.refresh_from_db()
    assert rr.status == current and ReturnEvent.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("current, target", VALID)
def test_allowed_transition_is_logged(order, admin_user, current, target):
    rr = ask(order)
    type(rr).objects.filter(pk=rr.pk).update(status=current)
    rr.refresh_from_db()
    event = apply_transition(rr, target, by=admin_user, note="because")
    assert (event.from_status, event.to_status, event.user, event.note) == (current, target, admin_user, "because")
    assert event.who == admin_user.username


@pytest.mark.django_db
def test_events_are_append_only(order):
    event = ask(order).events.first()
    event.note = "rewritten"
    with pytest.raises(ValueError):
        event.save()
