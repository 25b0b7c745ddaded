"""The edge owns the transaction (api/unit_of_work.py): a request that succeeds is kept whole, one
that fails leaves nothing behind, and a command or job that raises rolls back what it wrote."""

from __future__ import annotations

import click
import pytest
from flask import abort
from sqlalchemy import func, select

from api.audit import AuditEntry
from api.extensions import db
from api.policy import PUBLIC, allow
from api.unit_of_work import CommandGroup, after_commit, checkpoint, transaction


def _audit(action: str) -> None:
    db.session.add(AuditEntry(actor="test", action=action, target="unit-of-work", detail={}))
    db.session.flush()


def _audited(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
        )


@pytest.fixture(scope="module")
def edge_app(make_app):
    """An app with three views that write an audit entry, then answer 200, 409 or crash."""
    app = make_app()

    @allow(PUBLIC)
    def succeeds():
        _audit("uow.succeeds")
        return {"ok": True}

    @allow(PUBLIC)
    def refused():
        _audit("uow.refused")
        abort(409)

    @allow(PUBLIC)
    def crashes():
        _audit("uow.crashes")
        raise RuntimeError("boom")

    @allow(PUBLIC)
    def refused_after_checkpoint():
        _audit("uow.kept")
        checkpoint("the attempt is counted although the request is refused")
        _audit("uow.dropped")
        abort(401)

    for view in (succeeds, refused, crashes, refused_after_checkpoint):
        app.add_url_rule(f"/_uow/{view.__name__}", view.__name__, view, methods=["POST"])
    return app


def test_a_request_that_succeeds_is_committed(edge_app):
    assert edge_app.test_client().post("/_uow/succeeds").status_code == 200
    assert _audited(edge_app, "uow.succeeds") == 1


@pytest.mark.parametrize(("view", "status"), [("refused", 409), ("crashes", 500)])
def test_a_request_that_fails_changes_nothing(edge_app, view, status):
    response = edge_app.test_client().post(f"/_uow/{view}")
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert _audited(edge_app, f"uow.{view}") == 0


def test_a_checkpoint_keeps_what_came_before_it_when_the_request_then_fails(edge_app):
    assert edge_app.test_client().post("/_uow/refused_after_checkpoint").status_code == 401
    assert _audited(edge_app, "uow.kept") == 1
    assert _audited(edge_app, "uow.dropped") == 0


def test_transaction_rolls_back_when_the_block_raises(app):
    with app.app_context(), pytest.raises(ValueError), transaction():
        _audit("uow.block")
        raise ValueError
    assert _audited(app, "uow.block") == 0
    with app.app_context(), transaction():
        _audit("uow.block")
    assert _audited(app, "uow.block") == 1


def test_a_command_that_fails_rolls_back_and_one_that_ends_commits(app):
    group = CommandGroup("uow-test")

    @group.command("write")
    @click.option("--fail", is_flag=True)
    def write(fail: bool) -> None:
        _audit("uow.command")
        if fail:
            raise click.ClickException("Lỗi")

    runner = app.test_cli_runner()
    assert runner.invoke(group, ["write", "--fail"]).exit_code == 1
    assert _audited(app, "uow.command") == 0
    assert runner.invoke(group, ["write"]).exit_code == 0
    assert _audited(app, "uow.command") == 1


def test_what_waits_for_the_commit_runs_once_after_it_and_never_after_a_rollback(app):
    ran = []
    with app.app_context():
        with pytest.raises(ValueError), transaction():
            after_commit(lambda: ran.append("rolled back"))
            raise ValueError
        with transaction():
            after_commit(lambda: ran.append("woken"), key="stream-1")
            after_commit(lambda: ran.append("woken again"), key="stream-1")
            with pytest.raises(ValueError), db.session.begin_nested():
                raise ValueError  # a savepoint's rollback does not cancel the unit's actions
            assert ran == []  # nothing before the commit
    assert ran == ["woken"]


def test_a_savepoint_taken_before_the_first_write_commits_nothing_by_itself(app):
    # SQLite's driver would make such a savepoint the outermost transaction (api/dbtypes.py)
    with app.app_context(), pytest.raises(ValueError), transaction():
        with db.session.begin_nested():
            _audit("uow.savepoint")
        raise ValueError
    assert _audited(app, "uow.savepoint") == 0
