"""Online public services: applying, following, and the one-stop officers' workflow.

Plain functions on the Flask-SQLAlchemy session; they never commit (the request, command or job
around them does: api/unit_of_work.py). Every status change goes through `transition`, which
asks the status machine (workflow.py), applies the move as one conditional UPDATE, records who
did it and why, and writes exactly one outbox event in the same transaction. Ownership is
enforced here: a citizen reaches only their own dossiers and an officer only those of their
authority; anything else is 404, indistinguishable from a dossier that does not exist.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import Select, and_, func, select, text
from sqlalchemy.orm import selectinload

from api.audit import record_audit
from api.auth import service as auth
from api.citizens import service as citizens
from api.concurrency import compare_and_set
from api.dbtypes import utcnow
from api.documents import service as documents
from api.dossiers import codes
from api.dossiers.catalogue import routing
from api.dossiers.catalogue import service as catalogue
from api.dossiers.models import OPEN_STATUSES_SQL, Dossier, DossierAttachment, DossierTransition
from api.dossiers.workflow import (
    DONE_STATUSES,
    OPEN_STATUSES,
    STATUS_NAMES,
    WORKFLOW,
    fee_due,
    today,
)
from api.errors import ApiError
from api.events import record_event
from api.extensions import db
from api.state_machine import IllegalTransition, Transition
from api.units import service as units
from api.workdays import VIETNAM, add_working_days, local_date, working_days_between
from wallet import service as wallet
from wallet.payables import Payable

if TYPE_CHECKING:
    from api.citizens.models import Citizen

EVENT_STATUS_CHANGED = "dossier.status_changed"


@dataclass(frozen=True)
class Actor:
    """Who acts on a dossier: a citizen (their own dossiers) or a staff member (their authority)."""

    kind: str  # "citizen" | "staff"
    id: uuid.UUID
    role: str | None = None
    ward_code: str | None = None  # an officer's unit; None for province level

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.id}"


def _not_found(code: str) -> ApiError:
    return ApiError(404, "dossier_not_found", f"Không tìm thấy hồ sơ có mã '{code}'.")


def home_province() -> str:
    return current_app.config["HOME_PROVINCE_CODE"]


# ---- applying -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttachmentRequest:
    document_id: uuid.UUID
    requirement: str


def _attachments(citizen_id: uuid.UUID, requested: Iterable[AttachmentRequest], field: str):
    """The citizen's own stored documents; any other id is a field error, never someone's file."""
    found, errors = [], {}
    for index, item in enumerate(requested):
        try:
            found.append((documents.get_owned(citizen_id, item.document_id), item.requirement))
        except ApiError:
            errors[f"{field}.{index}.document_id"] = ["Không tìm thấy giấy tờ này trong kho giấy tờ của bạn."]
    if errors:
        raise ApiError(422, "attachment_not_found", "Có giấy tờ đính kèm không tồn tại.", errors=errors)
    return found


def _ward_in_province(code: str, field: str | None):
    """The ward of `code`, in the province this deployment serves, or a 422 naming `field` (None
    for the applicant's residence, which they did not type)."""
    ward = units.validate_ward_code(code, field=field or "ward_code")
    if ward.province.code != home_province():
        raise ApiError(
            422,
            "ward_outside_province",
            f"{ward.name} không thuộc tỉnh đang vận hành ứng dụng; hãy nộp tại cổng dịch vụ công của tỉnh đó.",
            errors={field: ["Phường, xã ngoài tỉnh."]} if field else None,
        )
    return ward


def receiving_authority(
    procedure, citizen: Citizen, chosen_ward: str | None, form: Mapping, form_field: str
) -> tuple[str, str | None]:
    """(province code, ward code) of the body that receives the dossier, by the procedure's own
    routing rule (catalogue/routing.py): the first of its sources that names a ward, the form's
    place (tạm trú's place of stay), the applicant's choice, their residence. A `chosen_ward` the
    rule does not take is not used: the law fixes the place of those procedures. Every ward read
    must exist and lie in this province, and a bad one is refused naming its field. Writes
    nothing: the demo asks it where a dossier will land before filing it."""
    rule = procedure.routing_rule
    for source in rule.check_in_province:
        field = routing.form_field(source)
        if form.get(field):
            _ward_in_province(form[field], f"{form_field}.{field}")
    if rule.to == routing.PROVINCE:
        return home_province(), None
    for source in rule.ward_from:
        field = routing.form_field(source)
        if field is not None and form.get(field):
            return home_province(), _ward_in_province(form[field], f"{form_field}.{field}").code
        if source == routing.CHOSEN and chosen_ward:
            return home_province(), _ward_in_province(chosen_ward, "ward_code").code
        if source == routing.RESIDENCE and citizen.ward_code:
            return home_province(), _ward_in_province(citizen.ward_code, None).code
    if rule.applicant_may_choose:
        raise ApiError(
            422,
            "ward_required",
            f"Thủ tục này do {procedure.authority_name} giải quyết: hãy chọn phường, xã nơi nộp hồ sơ.",
            errors={"ward_code": ["Hãy chọn phường, xã."]},
        )
    raise ApiError(
        422,
        "residence_unknown",
        f"Thủ tục này do {procedure.authority_name} giải quyết, nhưng tài khoản chưa có nơi cư trú "
        "(phường, xã) từ Cơ sở dữ liệu quốc gia về dân cư. Hãy cập nhật nơi cư trú trên VNeID rồi nộp lại.",
    )


def _new_dossier(
    citizen: Citizen,
    procedure,
    form: Mapping,
    ward_code: str | None,
    attachments: list,
    *,
    group_code: str | None = None,
    parent: Dossier | None = None,
    form_field: str = "form",
    at: datetime | None = None,
) -> Dossier:
    data = _validated_form(procedure, form, form_field)
    province_code, ward = receiving_authority(procedure, citizen, ward_code, data, form_field)
    at = at or utcnow()
    submitted_on = local_date(at)
    dossier = Dossier(
        code=codes.new_code(province_code, ward, submitted_on),
        procedure_code=procedure.code,
        citizen_id=citizen.id,
        authority=procedure.authority,
        province_code=province_code,
        ward_code=ward,
        status=1,
        payment_status=0,
        fee_vnd=procedure.fee_vnd,
        form_data=data,
        group_code=group_code,
        parent_id=parent.id if parent else None,
        submitted_at=at,
        due_date=add_working_days(submitted_on, procedure.processing_days),
    )
    db.session.add(dossier)
    db.session.flush()
    for document, requirement in attachments:
        _attach(dossier, document, requirement)
    _record_move(dossier, "submit", None, 1, Actor("citizen", citizen.id), None, at)
    return dossier


def _validated_form(procedure, form: Mapping, field: str) -> dict:
    """The catalogue validates against the procedure's schema; a group's forms sit one level down."""
    try:
        return catalogue.validate_form(procedure, dict(form))
    except ApiError as error:
        if field != "form" and error.errors:
            error.errors = {
                field + key[len("form") :] if key.startswith("form") else key: messages
                for key, messages in error.errors.items()
            }
        raise


def submit(
    citizen: Citizen,
    procedure_code: str,
    form: Mapping,
    *,
    ward_code: str | None = None,
    attachments: Iterable[AttachmentRequest] = (),
    at: datetime | None = None,
) -> Dossier:
    """Apply for one procedure. Form data is validated by the procedure's own JSON Schema.
    `at` is when it was filed, for the demo city's history; by default now."""
    procedure = catalogue.require_procedure(procedure_code)
    found = _attachments(citizen.id, attachments, "attachments")
    return _new_dossier(citizen, procedure, form, ward_code, found, at=at)


def submit_group(
    citizen: Citizen,
    group_code: str,
    forms: Mapping[str, Mapping],
    *,
    ward_code: str | None = None,
    attachments: Iterable[AttachmentRequest] = (),
) -> Dossier:
    """Apply for interconnected procedures at once (liên thông): one dossier per procedure,
    linked to the first; the shared attachments go with the first. All or nothing."""
    group = catalogue.require_group(group_code)
    member_codes = list(group.procedure_codes)
    missing = [code for code in member_codes if code not in forms]
    unknown = [code for code in forms if code not in member_codes]
    if missing or unknown:
        errors = {f"forms.{code}": ["Thiếu tờ khai của thủ tục này."] for code in missing}
        errors |= {f"forms.{code}": ["Thủ tục này không thuộc nhóm liên thông."] for code in unknown}
        raise ApiError(422, "form_invalid", "Tờ khai của nhóm thủ tục liên thông chưa đúng.", errors=errors)
    found = _attachments(citizen.id, attachments, "attachments")
    parent = None
    for code in member_codes:
        procedure = catalogue.require_procedure(code)
        dossier = _new_dossier(
            citizen,
            procedure,
            forms[code],
            ward_code,
            found if parent is None else [],
            group_code=group.code,
            parent=parent,
            form_field=f"forms.{code}",
        )
        parent = parent or dossier
    return parent


def _attach(dossier: Dossier, document, requirement: str) -> None:
    dossier.attachments.append(
        DossierAttachment(document_id=document.id, requirement=requirement, added_in_status=dossier.status)
    )


def document_in_use(document_id: uuid.UUID) -> bool:
    """Documents attached to a dossier stay: the officer must still be able to read them."""
    statement = select(DossierAttachment.id).where(DossierAttachment.document_id == document_id).limit(1)
    return db.session.scalar(statement) is not None


# ---- moving through the workflow ------------------------------------------------------------


def _record_move(
    dossier: Dossier, action: str, from_status, to_status: int, actor: Actor, note, at: datetime | None = None
) -> None:
    dossier.history.append(
        DossierTransition(
            action=action,
            from_status=from_status,
            to_status=to_status,
            actor=actor.ref,
            note=note,
            at=at or utcnow(),
        )
    )
    record_event(
        EVENT_STATUS_CHANGED,
        aggregate_type="dossier",
        aggregate_id=dossier.code,
        recipient=dossier.citizen_id,
        payload={
            "code": dossier.code,
            "procedure_code": dossier.procedure_code,
            "action": action,
            "from_status": from_status,
            "to_status": to_status,
            "status_name": STATUS_NAMES[to_status],
            "due_date": dossier.due_date.isoformat(),
            "note": note,
        },
    )


def _changed_meanwhile() -> ApiError:
    return ApiError(
        412,
        "precondition_failed",
        "Hồ sơ đã thay đổi kể từ lần bạn xem (có người vừa xử lý). Hãy tải lại rồi thử lại.",
    )


def transition(
    dossier: Dossier,
    action_name: str,
    actor: Actor,
    *,
    expected_version: int | None = None,
    note: str | None = None,
    fee_vnd: int | None = None,
    attachments: Iterable[AttachmentRequest] = (),
    at: datetime | None = None,
) -> Dossier:
    """One step of the workflow by a citizen or an officer. `at` is when it happened, for the
    demo city's history; by default now.

    The step is taken on the dossier as the caller saw it: `expected_version` (by default the
    version read; the route has checked the caller's If-Match against that read). The status
    moves by one conditional UPDATE on that version and on the move's from-statuses, so of two
    officers acting on one dossier the second gets 412 instead of deciding on a stale copy.
    """
    action = WORKFLOW.get(action_name)
    if action is None or (action.actor == "citizen") != (actor.kind == "citizen"):
        raise ApiError(422, "unknown_action", "Thao tác không hợp lệ.", errors={"action": ["Không hợp lệ."]})
    try:
        to_status = WORKFLOW.next_status(action, dossier.status)
    except IllegalTransition as exc:
        raise _illegal(action, exc.status) from exc
    note = (note or "").strip() or None
    if action.note_required and not note:
        raise ApiError(
            422,
            "note_required",
            "Thao tác này cần ghi rõ lý do hoặc nội dung.",
            errors={"note": ["Bắt buộc."]},
        )
    at = at or utcnow()
    documents_added = (
        _attachments(actor.id, attachments, "attachments") if action.name == "supply_supplement" else []
    )
    changes = _changes(dossier, action, fee_vnd, at)
    from_status = dossier.status
    version = dossier.version if expected_version is None else expected_version
    moved = compare_and_set(
        dossier,
        Dossier.version == version,
        WORKFLOW.from_condition(Dossier.status, action),
        status=to_status,
        version=version + 1,  # the ORM's optimistic-lock column, moved by hand in a Core UPDATE
        **changes,
    )
    if not moved:
        raise _changed_meanwhile()
    for document, requirement in documents_added:
        _attach(dossier, document, requirement)
    if action.name == "request_payment":
        # Status 6 opens the payment the citizen then makes in the app (wallet/).
        wallet.request_payment(_fee_payable_of(dossier))
    _record_move(dossier, action.name, from_status, to_status, actor, note, at)
    if actor.kind == "staff":
        record_audit(f"dossier.{action.name}", actor=actor.ref, target=f"dossier:{dossier.code}")
    # Written now, so the dossier the caller holds is the one in the database (its version too):
    # a next step on it (the demo's scripts, a test) starts from there.
    db.session.flush()
    return dossier


def _illegal(action: Transition, status: int) -> ApiError:
    return ApiError(
        409,
        "illegal_transition",
        f"Không thể thực hiện '{action.label.lower()}' khi hồ sơ đang ở trạng thái '{STATUS_NAMES[status]}'.",
        status_code=status,
        status_name=STATUS_NAMES[status],
    )


def _changes(dossier: Dossier, action: Transition, fee_vnd: int | None, now: datetime) -> dict:
    """The columns a move sets besides its status (nothing is written here: 422 if it cannot)."""
    processing_days = dossier.procedure.processing_days
    if action.name == "accept":
        # The legal clock starts at receipt by the one-stop desk, not at online submission.
        return {"accepted_at": now, "due_date": add_working_days(local_date(now), processing_days)}
    if action.name == "supply_supplement":
        # A dossier made complete restarts its processing time (Nghị định 61/2018/NĐ-CP, Điều 19).
        return {"due_date": add_working_days(local_date(now), processing_days)}
    if action.name == "request_payment":
        amount = fee_vnd if fee_vnd is not None else dossier.fee_vnd
        if not amount or amount <= 0:
            raise ApiError(
                422,
                "fee_required",
                "Hãy nhập số tiền phí, lệ phí (VND) cần nộp.",
                errors={"fee_vnd": ["Bắt buộc."]},
            )
        return {"fee_vnd": amount}
    if action.name == "confirm_payment":
        return {"payment_status": 1}
    if action.name == "complete":
        return {"completed_at": now}
    if action.name == "return_result":
        return {"returned_at": now}
    return {}


# ---- fees paid online (status 6, through the wallet) ---------------------------------------------

FEE_PURPOSE = "dossier_fee"
FEE_LABEL = "Nộp phí, lệ phí thủ tục hành chính"


def _fee_payable_of(dossier: Dossier) -> Payable:
    return Payable(
        purpose=FEE_PURPOSE,
        reference=dossier.code,
        citizen_id=dossier.citizen_id,
        amount_vnd=dossier.fee_vnd,
        description=f"Phí, lệ phí hồ sơ {dossier.code}: {dossier.procedure.name}",
    )


def fee_payable(citizen_id: uuid.UUID, code: str) -> Payable:
    """What the wallet charges for a dossier's fee (a payable, api/wiring.py)."""
    dossier = citizen_dossier(citizen_id, code)
    if not fee_due(dossier):
        raise ApiError(
            409,
            "no_fee_due",
            f"Hồ sơ {dossier.code} hiện không có khoản phí, lệ phí nào cần nộp.",
            status_code=dossier.status,
        )
    return _fee_payable_of(dossier)


def mark_fee_paid(code: str, payment_id: uuid.UUID) -> None:
    """The wallet received the fee: the dossier goes back to processing (6 → 4), as an officer's
    confirm_payment would move it, with the payment as the actor."""
    dossier = _by_code(code)
    if dossier is None or dossier.payment_status == 1:
        return
    dossier.payment_status = 1
    action = WORKFLOW["confirm_payment"]
    if action.name in WORKFLOW.allowed(dossier.status):
        from_status, dossier.status = dossier.status, action.to_status
        _record_move(
            dossier,
            action.name,
            from_status,
            action.to_status,
            Actor("wallet", payment_id),
            "Đã nộp trực tuyến",
        )


def rate(dossier: Dossier, score: int, comment: str | None) -> Dossier:
    if dossier.status != 10:
        raise ApiError(409, "not_returned_yet", "Bạn chỉ đánh giá được sau khi đã nhận kết quả.")
    if dossier.rating is not None:
        raise ApiError(409, "already_rated", "Bạn đã đánh giá hồ sơ này rồi.")
    dossier.rating = score
    dossier.rating_comment = (comment or "").strip() or None
    return dossier


# ---- finding dossiers -----------------------------------------------------------------------


def _by_code(code: str) -> Dossier | None:
    return db.session.scalar(
        select(Dossier)
        .where(Dossier.code == codes.normalise(code))
        .options(selectinload(Dossier.attachments), selectinload(Dossier.history))
    )


def citizen_dossier(citizen_id: uuid.UUID, code: str) -> Dossier:
    dossier = _by_code(code)
    if dossier is None or dossier.citizen_id != citizen_id:
        raise _not_found(code)
    return dossier


def citizen_dossiers(citizen_id: uuid.UUID, status: int | None = None) -> Select:
    statement = select(Dossier).where(Dossier.citizen_id == citizen_id)
    if status is not None:
        statement = statement.where(Dossier.status == status)
    return statement.order_by(Dossier.submitted_at.desc(), Dossier.code.desc())


def _jurisdiction(actor: Actor):
    """The dossiers a staff member may see: an officer's own authority; everything for admins."""
    if actor.role == "admin":
        return Dossier.province_code == home_province()
    if actor.ward_code:
        return and_(Dossier.authority == "ward", Dossier.ward_code == actor.ward_code)
    return and_(Dossier.authority == "province", Dossier.province_code == home_province())


def staff_dossier(actor: Actor, code: str) -> Dossier:
    dossier = _by_code(code)
    if dossier is None or not db.session.scalar(
        select(func.count()).select_from(Dossier).where(Dossier.id == dossier.id, _jurisdiction(actor))
    ):
        raise _not_found(code)
    # Staff reading a citizen's application is a read of personal data: on the record.
    record_audit("dossier.read", actor=actor.ref, target=f"dossier:{dossier.code}")
    return dossier


def attached_document(dossier: Dossier, document_id: uuid.UUID):
    """A document attached to `dossier`, from its applicant's store; 404 for any other id, so an
    officer reaches only the papers that were given to their desk."""
    if not any(attachment.document_id == document_id for attachment in dossier.attachments):
        raise ApiError(404, "document_not_found", "Hồ sơ này không có giấy tờ đính kèm như vậy.")
    return documents.get_owned(dossier.citizen_id, document_id)


def attachment_document(attachment: DossierAttachment):
    """The stored document behind an attachment (title, file name, type) for the staff view."""
    return documents.get_owned(attachment.dossier.citizen_id, attachment.document_id)


def read_attachment(actor: Actor, dossier: Dossier, document_id: uuid.UUID):
    """(document, bytes) of an attachment an officer opens: a read of personal papers, on the record."""
    document = attached_document(dossier, document_id)
    data = documents.read_content(document)
    record_audit(
        "dossier.document_read",
        actor=actor.ref,
        target=f"dossier:{dossier.code}",
        document_id=str(document_id),
    )
    return document, data


def applicant(dossier: Dossier) -> Citizen | None:
    """Who applied: the citizens domain's record behind `dossier.citizen_id`, for the desk's view
    (name, CCCD, phone). One primary-key read, answered from the session when already loaded."""
    return citizens.get_citizen(dossier.citizen_id)


def actor_name(actor_ref: str) -> str:
    """Who took a step, as staff read it in the history: staff by name, never `staff:<id>`."""
    kind = actor_ref.partition(":")[0]
    if kind == "citizen":
        return "Người nộp hồ sơ"
    if kind == "wallet":
        return "Thanh toán trực tuyến"
    return auth.staff_name(actor_ref) or "Cán bộ (tài khoản đã xóa)"


def queue(
    actor: Actor,
    *,
    status: int | None = None,
    overdue_only: bool = False,
    procedure_code: str | None = None,
) -> Select:
    """Open dossiers of the officer's authority, the most urgent first."""
    statement = select(Dossier).where(_jurisdiction(actor))
    if status is not None:
        statement = statement.where(Dossier.status == status)
    else:
        # Written as the partial index's own predicate, literally, so PostgreSQL can use it
        # even with a generic plan (a bound IN list could not be proven to imply it).
        statement = statement.where(text(OPEN_STATUSES_SQL))
    if overdue_only:
        statement = statement.where(Dossier.due_date < today(), text(OPEN_STATUSES_SQL))
    if procedure_code:
        statement = statement.where(Dossier.procedure_code == procedure_code)
    return statement.order_by(Dossier.due_date, Dossier.code)


def track(code: str, cccd_last4: str) -> Dossier:
    """Public tracking: the code and the last four CCCD digits of the applicant, or 404."""
    code = codes.normalise(code)
    dossier = None
    if codes.is_well_formed(code):
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        # Asked even when no dossier has this code, so an unknown code and wrong digits cost the
        # same reads and cannot be told apart by timing (the CCCD stays the citizens domain's).
        if not citizens.cccd_ends_with(dossier.citizen_id if dossier else None, cccd_last4):
            dossier = None
    if dossier is None:
        raise ApiError(
            404,
            "dossier_not_found",
            "Không tìm thấy hồ sơ với mã và 4 số cuối căn cước đã nhập. Hãy kiểm tra lại mã hồ sơ.",
        )
    return dossier


# ---- statistics -----------------------------------------------------------------------------


def statistics(actor: Actor, *, since: date | None = None, until: date | None = None) -> dict:
    """What the authority reports upward: volumes, timeliness, online share, processing time."""
    scope = [_jurisdiction(actor)]
    # Days are Vietnamese days: 00:00 in Hà Nội, not on the server's clock.
    if since:
        scope.append(Dossier.submitted_at >= datetime.combine(since, time.min, tzinfo=VIETNAM))
    if until:
        scope.append(
            Dossier.submitted_at < datetime.combine(until + timedelta(days=1), time.min, tzinfo=VIETNAM)
        )
    by_status = dict(
        db.session.execute(select(Dossier.status, func.count()).where(*scope).group_by(Dossier.status)).all()
    )
    by_procedure = dict(
        db.session.execute(
            select(Dossier.procedure_code, func.count()).where(*scope).group_by(Dossier.procedure_code)
        ).all()
    )
    total = sum(by_status.values())
    online = db.session.scalar(select(func.count()).where(*scope, Dossier.submitted_online.is_(True))) or 0
    finished = db.session.execute(
        select(Dossier.accepted_at, Dossier.submitted_at, Dossier.completed_at, Dossier.due_date).where(
            *scope, Dossier.status.in_(DONE_STATUSES), Dossier.completed_at.is_not(None)
        )
    ).all()
    on_time = sum(1 for row in finished if local_date(row.completed_at) <= row.due_date)
    durations = [
        working_days_between(local_date(row.accepted_at or row.submitted_at), local_date(row.completed_at))
        for row in finished
    ]
    overdue_open = db.session.scalar(
        select(func.count()).where(*scope, Dossier.status.in_(OPEN_STATUSES), Dossier.due_date < today())
    )
    return {
        "total": total,
        "by_status": [
            {"status": code, "status_name": STATUS_NAMES[code], "count": by_status.get(code, 0)}
            for code in STATUS_NAMES
        ],
        "by_procedure": [{"procedure_code": code, "count": n} for code, n in sorted(by_procedure.items())],
        "completed": len(finished),
        "on_time_ratio": round(on_time / len(finished), 4) if finished else None,
        "online_ratio": round(online / total, 4) if total else None,
        "average_processing_working_days": round(sum(durations) / len(durations), 2) if durations else None,
        "overdue_open": overdue_open,
    }


# A document attached to a dossier cannot be deleted from the citizen's store: the documents
# domain asks us through this hook instead of importing dossiers.
