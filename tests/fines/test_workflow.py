"""The fine notice's status machine: the one table of who may move a notice where (workflow.py)."""

from __future__ import annotations

import pytest

from api.fines.models import CANCELLED, CONFIRMED, ISSUED, PAID
from api.fines.workflow import CITIZEN, FINES, POLICE, WALLET
from api.state_machine import IllegalTransition


def test_what_each_actor_may_do_from_each_status():
    assert FINES.allowed(ISSUED, CITIZEN) == ["confirm"]
    assert FINES.allowed(CONFIRMED, CITIZEN) == ["pay"]  # only a confirmed notice is paid by the citizen
    assert FINES.allowed(ISSUED, POLICE) == ["amend", "cancel"]
    assert FINES.allowed(CONFIRMED, POLICE) == ["cancel"]  # the citizen acted: no more amending
    assert FINES.allowed(ISSUED, WALLET) == FINES.allowed(CONFIRMED, WALLET) == ["settle"]
    for final in (PAID, CANCELLED):
        assert final in FINES.final and FINES.allowed(final) == []


def test_a_move_not_in_the_table_is_refused():
    assert FINES.next_status("confirm", ISSUED) == CONFIRMED
    assert FINES.next_status("settle", ISSUED) == PAID  # collected money is accepted: paying is accepting
    with pytest.raises(IllegalTransition):
        FINES.next_status("pay", ISSUED)
    with pytest.raises(IllegalTransition):
        FINES.next_status("cancel", PAID)
    assert FINES["cancel"].note_required
