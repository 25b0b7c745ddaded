"""One owner of the transaction: the edge commits, services only stage their writes.

A request, a command and a scheduled job are each one unit of work. Services add, change and
flush rows (and write their events and audit entries in the same session); they never commit.
The edge decides:

- HTTP (`init_unit_of_work`): a request that succeeded (status below 400) is committed after the
  view returns; one that failed is rolled back, so a refused request changes nothing. A commit
  the database refuses (a constraint only it can see) becomes the request's error.
- Commands: every `CommandGroup` command runs in `transaction()`.
- Jobs: the scheduler runs every job in `transaction()`.
- Anything else that runs outside those (a streamed response's generator, a worker thread, a
  test) opens its own `transaction()`.

`checkpoint(why)` is the one way to make work durable in the middle of a unit, for the few
places that must, each saying why: a pending payment written before the payment provider is
called (so no charge is ever unrecorded), each batch of a long send (so a crash resends nothing),
a failed sign-in counted although the request is refused. `tests/test_architecture.py` checks
that nothing else in the product calls `commit()`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager

from flask import Flask, Response
from flask.cli import AppGroup
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from api.extensions import db

log = logging.getLogger(__name__)


@contextmanager
def transaction() -> Iterator[Session]:
    """Commit what the block wrote if it ends normally; roll it all back if it raises."""
    try:
        yield db.session
        db.session.commit()
    except BaseException:
        rollback()
        raise


def checkpoint(why: str) -> None:
    """Make what this unit has written so far durable now (see the module's docstring)."""
    log.debug("checkpoint: %s", why)
    db.session.commit()


def rollback() -> None:
    """Forget what this unit has written since its last commit or checkpoint, and what it asked
    to do after committing it (also when it had not touched the database yet)."""
    db.session.rollback()
    db.session.info.pop(_AFTER_COMMIT, None)


_AFTER_COMMIT = "unit_of_work.after_commit"


def after_commit(action: Callable[[], object], *, key: Hashable | None = None) -> None:
    """Run `action` once what this unit wrote is committed (at the edge, a checkpoint or the end
    of a job's transaction), and never if it is rolled back: for what must not happen for a change
    that did not stand, such as waking a chat stream or deleting the blob of a deleted row.
    Staged twice under one `key`, it runs once. Its failure is logged, not raised: by then the
    change is committed and the caller's answer must say so."""
    pending = db.session.info.setdefault(_AFTER_COMMIT, {})
    pending.setdefault(object() if key is None else key, action)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    for action in session.info.pop(_AFTER_COMMIT, {}).values():
        try:
            action()
        except Exception:
            log.exception("after commit: %r failed", action)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    # A savepoint's rollback leaves the unit alive (the caller carries on); only the unit's own
    # rollback means nothing it staged will be committed.
    if not previous_transaction.nested:
        session.info.pop(_AFTER_COMMIT, None)


def init_unit_of_work(app: Flask) -> None:
    """Commit each successful request, roll back each failed one."""

    @app.after_request
    def finish_unit_of_work(response: Response) -> Response:
        if response.status_code >= 400:
            rollback()
            return response
        try:
            db.session.commit()
        except Exception:
            rollback()
            raise  # Flask answers 500 through the problem handler; nothing half-written stays
        return response


class CommandGroup(AppGroup):
    """A click group of `flask` commands, each run in an app context and one `transaction()`."""

    def command(self, *args, **kwargs) -> Callable[[Callable], Callable]:
        register = super().command(*args, **kwargs)

        def decorator(callback: Callable) -> Callable:
            @functools.wraps(callback)
            def in_transaction(*call_args, **call_kwargs):
                with transaction():
                    return callback(*call_args, **call_kwargs)

            return register(in_transaction)

        return decorator
