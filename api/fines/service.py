"""Traffic and public-order fines (M18): the police issue, the citizen confirms and pays online.

Plain functions on the Flask-SQLAlchemy session, no `flask.request`. The rules:

- A notice is owned by whoever's CCCD the police recorded. A citizen reaches only their own
  notices; any other id answers 404, the same as an id that does not exist.
- Imports are idempotent: a notice is keyed by its sender's `source_ref`; sending it again
  changes nothing, or updates it while the citizen has not yet acted on it.
- Every status change is a move of the status machine (workflow.py), applied with a
  compare-and-set on `status`, so of two racing requests (confirm and cancel, a payment and a
  cancellation) exactly one wins, and writes exactly one outbox event in the same transaction.
- A notice is judged by the law of the day it was committed: its violation's range, legal
  reference and description are those in force on that day in Vietnam (violations.py).
- Nothing here commits: the request, the command or the job does (api/unit_of_work.py).
- The money is collected by the wallet: this module registers the fine as a payable kind
  (wallet/payables.py) at import, answering how much a citizen owes and marking the fine paid
  inside the wallet's own transaction.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from marshmallow import ValidationError
from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError

from api.audit import record_audit
from api.citizens import service as citizens
from api.concurrency import compare_and_set
from api.dbtypes import utcnow
from api.errors import ApiError, flatten_messages, translate
from api.events import record_event
from api.extensions import db
from api.fines import plates
from api.fines.models import (
    CAMERA,
    CANCELLED,
    ISSUED,
    OPEN_STATUSES,
    PAID,
    PAYMENT_PURPOSE,
    POLICE,
    STATUS_NAMES,
    FineNotice,
)
from api.fines.schemas import NoticeData, NoticeInSchema
from api.fines.violations import violation_of
from api.fines.workflow import FINES
from api.imports import ImportReport
from api.text import nfc
from api.unit_of_work import checkpoint
from api.workdays import local_date
from wallet.payables import Payable

if TYPE_CHECKING:
    from api.citizens.models import Citizen

log = logging.getLogger(__name__)

EVENT_ISSUED = "fine.issued"
EVENT_CONFIRMED = "fine.confirmed"
EVENT_PAID = "fine.paid"
EVENT_CANCELLED = "fine.cancelled"
EVENT_DEADLINE = "fine.deadline_approaching"

PAYMENT_LABEL = "Nộp phạt vi phạm hành chính"
# Luật Xử lý vi phạm hành chính, Điều 73: 10 days to pay, counted here in calendar days.
DAYS_TO_PAY = 10
REMIND_DAYS_BEFORE = 2
LOOKUP_LIMIT = 50
IMPORT_BATCH_SIZE = 200
MAX_BATCH_ROWS = 1000
# Fields that, when a re-sent notice differs in them, make it an update (the deadline follows
# the decision time).
_SYNCED_FIELDS = (
    "notice_number",
    "source",
    "plate",
    "plate_key",
    "vehicle_kind",
    "owner_cccd",
    "violated_at",
    "place",
    "ward_code",
    "violation_code",
    "amount_vnd",
    "evidence",
    "decided_at",
)


def deadline_for(decided_at: datetime) -> date:
    return local_date(decided_at) + timedelta(days=DAYS_TO_PAY)


# ---- errors ---------------------------------------------------------------------------------


def fine_not_found() -> ApiError:
    return ApiError(
        404,
        "fine_not_found",
        "Không tìm thấy quyết định xử phạt này trong danh sách vi phạm của bạn.",
    )


def _already_paid(fine: FineNotice) -> ApiError:
    return ApiError(
        409,
        "fine_already_paid",
        f"Quyết định xử phạt số {fine.notice_number} đã được nộp phạt.",
        status_name=STATUS_NAMES[PAID],
    )


def _cancelled(fine: FineNotice) -> ApiError:
    return ApiError(
        409,
        "fine_cancelled",
        f"Quyết định xử phạt số {fine.notice_number} đã bị huỷ, bạn không phải nộp khoản phạt này.",
        status_name=STATUS_NAMES[CANCELLED],
    )


def invalid_plate(error: plates.InvalidPlate, field_name: str = "plate") -> ApiError:
    return ApiError(422, "invalid_plate", str(error), errors={field_name: [str(error)]})


# ---- status changes ---------------------------------------------------------------------------


def _move(fine: FineNotice, name: str, **values: Any) -> bool:
    """Take move `name` of the status machine with a compare-and-set: only while the notice is
    still in a status the move starts from, writing `values` with it.

    Returns False when another transaction moved it first; the notice is then re-read.
    """
    return compare_and_set(
        fine,
        FINES.from_condition(FineNotice.status, name),
        status=FINES[name].to_status,
        updated_at=utcnow(),
        **values,
    )


def _event(event_type: str, fine: FineNotice, **extra: Any) -> None:
    violation = violation_of(fine)
    record_event(
        event_type,
        aggregate_type="fine",
        aggregate_id=fine.id,
        recipient=fine.owner_citizen_id,
        payload={
            "fine_id": str(fine.id),
            "notice_number": fine.notice_number,
            "plate": fine.plate,
            "violation_code": fine.violation_code,
            "violation": violation.description if violation else fine.violation_code,
            "amount_vnd": fine.amount_vnd,
            "deadline": fine.deadline.isoformat(),
            "status": fine.status,
            "status_name": STATUS_NAMES[fine.status],
            **extra,
        },
    )


# ---- issuing and importing ----------------------------------------------------------------------


def _values(data: NoticeData, *, source: str) -> dict[str, Any]:
    decided_at = data.decided_at or utcnow()
    return {
        "notice_number": data.notice_number,
        "source": source,
        "plate": data.plate.canonical,
        "plate_key": data.plate.key,
        "vehicle_kind": data.violation.vehicle_kind,
        "owner_cccd": data.owner_cccd,
        "violated_at": data.violated_at,
        "place": data.place,
        "ward_code": data.ward_code,
        "violation_code": data.violation.code,
        "amount_vnd": data.amount_vnd,
        "evidence": list(data.evidence),
        "decided_at": decided_at,
        "deadline": deadline_for(decided_at),
    }


def _differs(fine: FineNotice, values: Mapping[str, Any]) -> list[str]:
    return [name for name in _SYNCED_FIELDS if getattr(fine, name) != values[name]]


def _upsert(data: NoticeData, *, actor: str, default_source: str) -> tuple[FineNotice, str]:
    """Store one validated notice; returns it with "created", "updated" or "unchanged".

    Raises ApiError 409 when the notice number belongs to another record, or when the record
    was already confirmed, paid or cancelled and the sender now says something else.
    """
    source = data.source or default_source
    source_ref = data.source_ref or f"{source}:{data.notice_number}"
    fine = notice_by_source_ref(source_ref)
    values = _values(data, source=source)
    if fine is not None and data.decided_at is None:
        # Re-sent without a decision time: the first one stands (and so does the deadline).
        values["decided_at"], values["deadline"] = fine.decided_at, fine.deadline
    holder = db.session.scalar(select(FineNotice).where(FineNotice.notice_number == data.notice_number))
    if holder is not None and holder is not fine:
        raise ApiError(
            409,
            "notice_number_taken",
            f"Số quyết định {data.notice_number} đã được dùng cho một bản ghi khác ({holder.source_ref}).",
            errors={"notice_number": ["Số quyết định đã tồn tại."]},
        )
    if fine is None:
        owner = citizens.citizen_by_cccd(data.owner_cccd)
        fine = FineNotice(
            id=uuid.uuid4(),
            source_ref=source_ref,
            owner_citizen_id=owner.id if owner else None,
            status=ISSUED,
            issued_by=actor,
            synced_at=utcnow(),
            **values,
        )
        db.session.add(fine)
        db.session.flush()
        _event(EVENT_ISSUED, fine, source=fine.source)
        return fine, "created"
    changed = _differs(fine, values)
    if not changed:
        return fine, "unchanged"
    if fine.owner_cccd != values["owner_cccd"]:
        owner = citizens.citizen_by_cccd(values["owner_cccd"])
        values["owner_citizen_id"] = owner.id if owner else None
    # While the citizen has not acted on it; a confirmation racing this update wins or loses whole.
    if not (FINES.can("amend", fine.status) and _move(fine, "amend", synced_at=utcnow(), **values)):
        raise ApiError(
            409,
            "fine_locked",
            f"Quyết định số {fine.notice_number} đang ở trạng thái '{STATUS_NAMES[fine.status]}' nên không "
            "thể sửa; nếu cần, hãy huỷ quyết định này và lập quyết định mới.",
            status_name=STATUS_NAMES[fine.status],
            fields=sorted(changed),
        )
    return fine, "updated"


def issue_notice(data: NoticeData, *, actor: str, default_source: str = POLICE) -> tuple[FineNotice, str]:
    """Issue (or re-send) one notice. Returns the notice with "created", "updated"
    or "unchanged"; a new notice writes `fine.issued` for its owner."""
    try:
        with db.session.begin_nested():
            fine, outcome = _upsert(data, actor=actor, default_source=default_source)
    except IntegrityError:
        # The same record sent twice at once: the other request stored it first; this one now
        # finds it and answers as a re-send.
        fine, outcome = _upsert(data, actor=actor, default_source=default_source)
    if actor.startswith("staff:") and outcome != "unchanged":
        record_audit(
            f"fine.{'issue' if outcome == 'created' else 'update'}", actor=actor, target=f"fine:{fine.id}"
        )
    return fine, outcome


@dataclass(frozen=True)
class Row:
    """One record read by an importer: its line (or position) and what was read, or why not."""

    number: int
    data: Any = None
    problem: str | None = None


@dataclass(frozen=True)
class Rejected:
    row: int
    reason: str
    errors: dict[str, list[str]] = field(default_factory=dict)
    source_ref: str | None = None
    notice_number: str | None = None
    data: Any = None


def _rejected(row: Row, reason: str, errors: Mapping[str, list[str]] | None = None) -> Rejected:
    data = row.data if isinstance(row.data, Mapping) else {}

    def text(key: str) -> str | None:
        value = data.get(key)
        return value if isinstance(value, str) else None

    return Rejected(
        row=row.number,
        reason=reason,
        errors=dict(errors or {}),
        source_ref=text("source_ref"),
        notice_number=text("notice_number"),
        data=row.data,
    )


def validate_row(data: Any) -> NoticeData:
    """The one validation every notice goes through (HTTP, batch, file); raises ValidationError."""
    if not isinstance(data, Mapping):
        raise ValidationError({"_schema": ["Mỗi bản ghi phải là một đối tượng JSON."]})
    return NoticeInSchema().load(dict(data))


def _import_row(row: Row, *, actor: str, default_source: str) -> str | Rejected:
    """Store one row: its outcome ("created", "updated", "unchanged"), or why it was refused."""
    if row.problem:
        return _rejected(row, row.problem)
    try:
        notice = validate_row(row.data)
    except ValidationError as error:
        errors = {
            path: [translate(m) for m in msgs] for path, msgs in flatten_messages(error.messages).items()
        }
        return _rejected(row, "Dữ liệu không hợp lệ.", errors)
    try:
        # A savepoint per row: a row refused by the database (two importers racing on one
        # notice) or by the rules is undone alone, and the rest of the batch still goes in.
        with db.session.begin_nested():
            _, outcome = _upsert(notice, actor=actor, default_source=default_source)
    except ApiError as error:
        return _rejected(row, error.detail, {k: list(v) for k, v in (error.errors or {}).items()})
    except IntegrityError:
        return _rejected(
            row, "Bản ghi trùng với một bản ghi đang được nhập cùng lúc; hãy gửi lại dòng này sau."
        )
    return outcome


def import_notices(
    rows: Iterable[Mapping | Row],
    *,
    actor: str,
    default_source: str = CAMERA,
    batch_size: int = IMPORT_BATCH_SIZE,
    on_reject: Callable[[Rejected], None] | None = None,
) -> ImportReport[Rejected]:
    """Validate and store many notices, making every `batch_size` rows durable as they go.

    Idempotent: rows are keyed by `source_ref`, so sending the same feed twice adds nothing.
    A bad row never stops the others; it is reported (in Vietnamese) in `rejects`, or handed to
    `on_reject` as soon as it is found (a file importer streams them to its report and keeps
    nothing in memory). `rows` may be plain mappings (numbered from 1) or `Row`s. The last rows
    and the import's audit entry are the caller's unit of work to commit.
    """
    report: ImportReport[Rejected] = ImportReport()
    pending = 0
    for position, item in enumerate(rows, start=1):
        row = item if isinstance(item, Row) else Row(position, item)
        report.received += 1
        outcome = _import_row(row, actor=actor, default_source=default_source)
        if isinstance(outcome, Rejected):
            report.reject(keep=outcome if on_reject is None else None)
            if on_reject is not None:
                on_reject(outcome)
        else:
            report.count(outcome)
        pending += 1
        if pending >= batch_size:
            # A month of camera records is one command: it must not hold one transaction (nor
            # lose what it stored when the file breaks off at the end).
            checkpoint("each batch of a notice import is durable as it goes")
            pending = 0
    record_audit(
        "fine.import",
        actor=actor,
        received=report.received,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        rejected=report.rejected,
    )
    return report


def check_batch_size(rows: list) -> None:
    if len(rows) > MAX_BATCH_ROWS:
        raise ApiError(
            413,
            "batch_too_large",
            f"Mỗi lần gửi tối đa {MAX_BATCH_ROWS} bản ghi; hãy chia nhỏ danh sách ({len(rows)} bản ghi).",
            max_rows=MAX_BATCH_ROWS,
        )


def notice_by_source_ref(source_ref: str) -> FineNotice | None:
    return db.session.scalar(select(FineNotice).where(FineNotice.source_ref == source_ref))


# ---- the public lookup ------------------------------------------------------------------------


@dataclass(frozen=True)
class LookupResult:
    plate: str
    fines: list[FineNotice]
    note: str = (
        "Thông tin tra cứu công khai được rút gọn. Đăng nhập ứng dụng Công dân số bằng tài khoản "
        "VNeID để xem chi tiết, ảnh bằng chứng, xác nhận vi phạm và nộp phạt trực tuyến."
    )

    @property
    def count(self) -> int:
        return len(self.fines)


def public_lookup(plate_text: str) -> LookupResult:
    """Notices of a plate that anyone may see: unpaid and paid ones, not cancelled ones.

    Raises `plates.InvalidPlate` for text that is not a plate. Compares compact keys, so
    `47b11234` finds both `47B-112.34` and `47B1-1234` (see plates.py).
    """
    plate = plates.parse(plate_text)
    found = db.session.scalars(
        select(FineNotice)
        .where(FineNotice.plate_key == plate.key, FineNotice.status != CANCELLED)
        .order_by(FineNotice.violated_at.desc(), FineNotice.id)
        .limit(LOOKUP_LIMIT)
    )
    return LookupResult(plate=plate.canonical, fines=list(found))


# ---- the citizen's own fines ------------------------------------------------------------------


def _link_owner(citizen: Citizen) -> None:
    """Notices recorded before the owner had an account become theirs when they look."""
    db.session.execute(
        update(FineNotice)
        .where(FineNotice.owner_cccd == citizen.cccd, FineNotice.owner_citizen_id.is_(None))
        .values(owner_citizen_id=citizen.id)
        .execution_options(synchronize_session=False)
    )


def citizen_fines(citizen: Citizen, status: str | None = None) -> list[FineNotice]:
    """The citizen's notices: unpaid first (earliest deadline first), then the rest, newest first."""
    _link_owner(citizen)
    statement = select(FineNotice).where(FineNotice.owner_cccd == citizen.cccd)
    if status is not None:
        statement = statement.where(FineNotice.status == status)
    found = list(db.session.scalars(statement))
    open_ones = sorted(
        (f for f in found if f.status in OPEN_STATUSES), key=lambda f: (f.deadline, f.notice_number)
    )
    closed = sorted(
        (f for f in found if f.status not in OPEN_STATUSES), key=lambda f: f.decided_at, reverse=True
    )
    return open_ones + closed


def _owned(citizen_cccd: str, fine_id: uuid.UUID | str) -> FineNotice:
    try:
        key = fine_id if isinstance(fine_id, uuid.UUID) else uuid.UUID(str(fine_id))
    except ValueError:
        raise fine_not_found() from None
    fine = db.session.get(FineNotice, key)
    if fine is None or fine.owner_cccd != citizen_cccd:
        raise fine_not_found()
    return fine


def citizen_fine(citizen: Citizen, fine_id: uuid.UUID | str) -> FineNotice:
    """One of the citizen's notices; anyone else's answers 404 like an unknown id."""
    _link_owner(citizen)
    return _owned(citizen.cccd, fine_id)


def confirm(citizen: Citizen, fine_id: uuid.UUID | str) -> FineNotice:
    """The owner confirms the violation (xác nhận hành vi vi phạm), which opens payment.

    Confirming again answers the confirmed notice (a retried request is not an error).
    """
    _link_owner(citizen)
    fine = _owned(citizen.cccd, fine_id)
    if FINES.can("confirm", fine.status) and _move(fine, "confirm", confirmed_at=utcnow()):
        _event(EVENT_CONFIRMED, fine)
    elif fine.status == PAID:
        raise _already_paid(fine)
    elif fine.status == CANCELLED:
        raise _cancelled(fine)
    return fine


# ---- the police -------------------------------------------------------------------------------


def police_search(
    actor: str, *, plate: str | None = None, status: str | None = None, source: str | None = None
) -> Select:
    """Notices for the police's list, newest first; the search is audited (it reads owners' data).

    Raises `plates.InvalidPlate` for a plate filter that is not a plate.
    """
    statement = select(FineNotice)
    target = None
    if plate:
        parsed = plates.parse(plate)
        statement = statement.where(FineNotice.plate_key == parsed.key)
        target = f"plate:{parsed.canonical}"
    if status:
        statement = statement.where(FineNotice.status == status)
    if source:
        statement = statement.where(FineNotice.source == source)
    record_audit("fine.search", actor=actor, target=target, status=status, source=source)
    return statement.order_by(FineNotice.decided_at.desc(), FineNotice.id)


def get_notice(fine_id: uuid.UUID) -> FineNotice:
    fine = db.session.get(FineNotice, fine_id)
    if fine is None:
        raise ApiError(404, "fine_not_found", "Không tìm thấy quyết định xử phạt này.")
    return fine


def police_read(actor: str, fine_id: uuid.UUID) -> FineNotice:
    """One notice for the police's page of it; like a search, reading an owner's data is audited."""
    fine = get_notice(fine_id)
    record_audit("fine.read", actor=actor, target=f"fine:{fine.id}")
    return fine


def cancel(actor: str, fine_id: uuid.UUID, reason: str | None) -> FineNotice:
    """The police cancel an unpaid notice, with the reason the citizen will read."""
    reason = nfc(reason or "")
    if FINES["cancel"].note_required and not reason:
        raise ApiError(
            422,
            "reason_required",
            "Hãy ghi rõ lý do huỷ quyết định xử phạt; lý do được lưu và thông báo cho công dân.",
            errors={"reason": ["Bắt buộc."]},
        )
    fine = get_notice(fine_id)
    moved = FINES.can("cancel", fine.status) and _move(
        fine, "cancel", cancelled_at=utcnow(), cancelled_by=actor, cancel_reason=reason
    )
    if not moved:
        if fine.status == PAID:
            raise ApiError(
                409,
                "fine_already_paid",
                f"Quyết định số {fine.notice_number} đã được nộp phạt nên không thể huỷ. Nếu cần hoàn "
                "lại tiền cho công dân, hãy chuyển yêu cầu hoàn tiền cho bộ phận thanh toán (ví điện tử).",
                status_name=STATUS_NAMES[PAID],
            )
        raise ApiError(
            409,
            "fine_cancelled",
            f"Quyết định số {fine.notice_number} đã bị huỷ trước đó.",
            status_name=STATUS_NAMES[CANCELLED],
        )
    _event(EVENT_CANCELLED, fine, reason=reason)
    record_audit("fine.cancel", actor=actor, target=f"fine:{fine.id}", reason=reason)
    return fine


# ---- reminders --------------------------------------------------------------------------------


def send_deadline_reminders(now: datetime | None = None) -> int:
    """One `fine.deadline_approaching` event per unpaid notice due within 2 days, once ever.

    For the scheduler (daily). Notices already past their deadline are not reminded: they show
    as overdue in the app instead. Safe to run twice at once: each notice is claimed with a
    compare-and-set on `reminded_at`. Returns how many reminders were written (the job commits).
    """
    now = now or utcnow()
    on = local_date(now)
    due = db.session.scalars(
        select(FineNotice)
        .where(
            FineNotice.status.in_(OPEN_STATUSES),
            FineNotice.reminded_at.is_(None),
            FineNotice.deadline >= on,
            FineNotice.deadline <= on + timedelta(days=REMIND_DAYS_BEFORE),
        )
        .order_by(FineNotice.deadline, FineNotice.id)
    ).all()
    sent = 0
    for fine in due:
        claimed = db.session.execute(
            update(FineNotice)
            .where(
                FineNotice.id == fine.id,
                FineNotice.reminded_at.is_(None),
                FineNotice.status.in_(OPEN_STATUSES),
            )
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed:
            _event(EVENT_DEADLINE, fine, days_left=(fine.deadline - on).days)
            sent += 1
    return sent


# ---- paying, through the wallet ---------------------------------------------------------------


def fine_payable(citizen_id: uuid.UUID, reference: str) -> Payable:
    """How much `citizen_id` owes for fine `reference`, if they may pay it now (wallet hook)."""
    citizen = citizens.get_citizen(citizen_id)
    if citizen is None:
        raise fine_not_found()
    fine = _owned(citizen.cccd, reference)
    if not FINES.can("pay", fine.status):
        if fine.status == PAID:
            raise _already_paid(fine)
        if fine.status == CANCELLED:
            raise _cancelled(fine)
        raise ApiError(
            409,
            "fine_not_confirmed",
            "Hãy xác nhận hành vi vi phạm trước khi nộp phạt.",
            status_name=STATUS_NAMES[fine.status],
        )
    violation = violation_of(fine)
    what = violation.description if violation else fine.violation_code
    return Payable(
        purpose=PAYMENT_PURPOSE,
        reference=str(fine.id),
        citizen_id=citizen.id,
        amount_vnd=fine.amount_vnd,
        description=f"Nộp phạt theo quyết định số {fine.notice_number}, biển số {fine.plate}: {what}"[:500],
    )


def mark_fine_paid(reference: str, payment_id: uuid.UUID) -> None:
    """The wallet collected the money: the fine is paid (wallet hook; never commits).

    Runs inside the wallet's transaction, so the fine and the payment become final together.
    Idempotent for the same payment. Money that arrives for a cancelled notice, or a second
    payment for a paid one, cannot be refused here (it has been collected): the notice keeps its
    state and the audit log flags it for the payments desk to refund.
    """
    try:
        fine = db.session.get(FineNotice, uuid.UUID(str(reference)))
    except ValueError:
        fine = None
    if fine is None:
        log.error("payment %s succeeded for unknown fine %s", payment_id, reference)
        record_audit(
            "fine.payment_unmatched", actor="wallet", target=f"payment:{payment_id}", reference=reference
        )
        return
    if fine.status == PAID:
        if fine.payment_id != payment_id:
            log.error("fine %s paid twice: %s and %s", fine.id, fine.payment_id, payment_id)
            record_audit(
                "fine.payment_duplicate",
                actor="wallet",
                target=f"fine:{fine.id}",
                payment_id=str(payment_id),
                kept_payment_id=str(fine.payment_id),
            )
        return
    # An unconfirmed notice is one the wallet would not have charged for; paying it is taken as
    # accepting it, so it is marked paid too.
    if _move(fine, "settle", paid_at=utcnow(), payment_id=payment_id):
        if fine.confirmed_at is None:
            fine.confirmed_at = fine.paid_at
        _event(EVENT_PAID, fine, payment_id=str(payment_id))
        return
    log.error("payment %s succeeded for fine %s in status %s", payment_id, fine.id, fine.status)
    record_audit(
        "fine.payment_after_cancellation",
        actor="wallet",
        target=f"fine:{fine.id}",
        payment_id=str(payment_id),
        status=fine.status,
    )
