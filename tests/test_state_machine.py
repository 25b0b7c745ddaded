"""The one shape of status machine (api/state_machine.py): a table of moves, and nothing else."""

from __future__ import annotations

import pytest

from api.state_machine import IllegalTransition, StateMachine, move

DRAFT, REVIEW, PUBLISHED, ARCHIVED = "draft", "review", "published", "archived"


def machine() -> StateMachine:
    return StateMachine(
        (DRAFT, REVIEW, PUBLISHED, ARCHIVED),
        [
            move("submit", "author", {DRAFT}, REVIEW, label="Gửi duyệt"),
            move("publish", "reviewer", {REVIEW}, PUBLISHED, label="Đăng", public=True),
            move("send_back", "reviewer", {REVIEW}, DRAFT, note_required=True),
            move("archive", "reviewer", {DRAFT, REVIEW, PUBLISHED}, ARCHIVED),
        ],
        final={ARCHIVED},
    )


def test_a_move_leads_where_its_row_says_and_only_from_its_statuses():
    table = machine()
    assert table.next_status("submit", DRAFT) == REVIEW
    with pytest.raises(IllegalTransition) as refused:
        table.next_status("publish", DRAFT)
    assert refused.value.transition.name == "publish"
    assert refused.value.status == DRAFT


def test_a_status_learnt_from_outside_is_taken_only_along_a_move_of_the_table():
    table = machine()
    assert table.can("archive", PUBLISHED) and not table.can("submit", PUBLISHED)
    assert table.move_to(REVIEW, PUBLISHED).name == "publish"
    assert table.move_to(PUBLISHED, REVIEW) is None  # no move goes back
    assert table.move_to(DRAFT, DRAFT) is None  # nor stays


def test_the_table_answers_what_each_actor_may_do_now():
    table = machine()
    assert table.allowed(REVIEW) == ["publish", "send_back", "archive"]
    assert table.allowed(REVIEW, actor="author") == []
    assert table.allowed(ARCHIVED) == []
    assert table.names("reviewer") == ("publish", "send_back", "archive")
    assert table["send_back"].note_required
    assert table["publish"].public is True  # a domain's own column reads as an attribute
    with pytest.raises(AttributeError):
        _ = table["submit"].public


def test_a_table_that_names_an_unknown_status_or_leaves_a_final_one_is_refused_at_import():
    with pytest.raises(ValueError, match="unknown statuses"):
        StateMachine((DRAFT,), [move("submit", "author", {DRAFT}, REVIEW)])
    with pytest.raises(ValueError, match="final"):
        StateMachine((DRAFT, ARCHIVED), [move("restore", "reviewer", {ARCHIVED}, DRAFT)], final={ARCHIVED})


def test_a_move_can_be_kept_in_a_set_whatever_extra_columns_it_has():
    table = machine()
    assert {table["publish"], table["publish"], table["submit"]} == {table["publish"], table["submit"]}
