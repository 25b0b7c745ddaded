"""Citizen reports: submitting, following, the desk's moves, duplicates, and informant protection.

Plain functions on the Flask-SQLAlchemy session and the configured storage; no `flask.request`.

- Every status change goes through `_move`: the status machine (workflow.py) says whether it is
  allowed; the report's version column makes the write a compare-and-set, so of two officers
  acting at once exactly one wins and the other gets 409 `report_changed`; each move writes one
  history row, one outbox event and, for staff, one audit entry in the same transaction.
- A citizen reaches only their own reports (by `reporter_key`), staff only their unit's: police
  the `police` unit of their ward, ward officers the `ward` unit; admins everything. Anything
  else answers 404, like a report that does not exist.
- Crime reports keep no reporter id in clear (see models.py). The identity is decrypted only for
  the police's audited read and, inside this module, to address the reporter's notifications.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from flask import Flask, current_app
from sqlalchemy import Select, and_, false, func, select, true
from sqlalchemy.orm.exc import StaleDataError

from api.audit import record_audit
from api.auth import service as auth
from api.citizens import service as citizens
from api.citizens.models import Citizen
from api.config import ConfigurationError
from api.dbtypes import utcnow
from api.errors import ApiError
from api.events import record_event
from api.extensions import db
from api.reports import media as media_checks
from api.reports.categories import CATEGORIES, POLICE, WARD, Category, get_category
from api.reports.models import Report, ReportComment, ReportMedia, ReportTransition
from api.reports.workflow import (
    ACTIONS,
    CITIZEN,
    CLOSED,
    DESK_ACTIONS,
    MERGED,
    OPEN_STATUSES,
    RESOLVED,
    STAFF,
    STATUS_NAMES,
    STATUSES,
    SYSTEM,
    Action,
)
from api.storage import StorageError, get_storage
from api.text import fold, nfc, nfc_lines
from api.units import service as units
from api.workdays import add_working_days, local_date

log = logging.getLogger(__name__)

DUPLICATE_RADIUS_M = 50.0
DUPLICATE_WINDOW = timedelta(days=7)
EARTH_RADIUS_M = 6_371_000.0
# Phones' clocks drift: an incident "now" may arrive a little ahead of the server's clock.
CLOCK_SKEW = timedelta(minutes=5)
DESCRIPTION_MAX = 4000
COMMENT_MAX = 2000

EVENTS = {
    "assign": "report.assigned",
    "start": "report.in_progress",
    "resolve": "report.resolved",
    "reject": "report.rejected",
    "reassign": "report.reassigned",
    "merge": "report.merged",
    "confirm": "report.closed",
    "auto_close": "report.closed",
}
EVENT_RECEIVED = "report.received"
EVENT_COMMENTED = "report.commented"

# How a report arrived (Report.channel).
APP, CHAT, OPEN311 = "app", "chat", "open311"
CHANNELS = (APP, CHAT, OPEN311)

# Which staff role handles which kind of unit.
UNIT_ROLES = {POLICE: "police", WARD: "officer"}


@dataclass(frozen=True)
class Actor:
    kind: str  # "citizen" | "staff"
    id: uuid.UUID
    role: str | None = None
    ward_code: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.id}"


# ---- errors ---------------------------------------------------------------------------------


def report_not_found() -> ApiError:
    return ApiError(404, "report_not_found", "Không tìm thấy phản ánh này.")


def _invalid(code: str, field_name: str, message: str) -> ApiError:
    return ApiError(422, code, message, errors={field_name: [message]})


def _conflict() -> ApiError:
    return ApiError(
        409,
        "report_changed",
        "Phản ánh vừa được người khác xử lý. Hãy tải lại để xem trạng thái mới nhất rồi thử lại.",
    )


def _storage_unavailable() -> ApiError:
    return ApiError(
        503, "storage_unavailable", "Kho lưu trữ tệp tạm thời không truy cập được. Vui lòng thử lại sau."
    )


# ---- informant protection ---------------------------------------------------------------------


def _fernet() -> Fernet:
    return Fernet(current_app.config["REPORTS_IDENTITY_KEY"])


def check_identity_key(app: Flask) -> None:
    """A key that is not a Fernet key stops the start-up, not the first crime report."""
    try:
        Fernet(app.config["REPORTS_IDENTITY_KEY"])
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(
            "REPORTS_IDENTITY_KEY must be a Fernet key (32 bytes, URL-safe base64)"
        ) from exc


def reporter_key(citizen_id: uuid.UUID) -> str:
    """HMAC-SHA256 of the citizen's id under a key derived from REPORTS_IDENTITY_KEY.

    Keyed, so the table alone cannot be joined back to `citizens` by hashing every id.
    """
    secret = hmac.new(
        current_app.config["REPORTS_IDENTITY_KEY"].encode(), b"congdanso:reports:reporter", hashlib.sha256
    ).digest()
    return hmac.new(secret, uuid.UUID(str(citizen_id)).bytes, hashlib.sha256).hexdigest()


def _encrypt(data: dict) -> str:
    return _fernet().encrypt(json.dumps(data, ensure_ascii=False).encode()).decode()


def _encrypt_identity(citizen: Citizen) -> str:
    return _encrypt(
        {
            "citizen_id": str(citizen.id),
            "full_name": citizen.full_name,
            "cccd": citizen.cccd,
            "phone": citizen.phone,
        }
    )


def _decrypt_identity(report: Report) -> dict | None:
    if not report.identity:
        return None
    try:
        return json.loads(_fernet().decrypt(report.identity.encode()))
    except InvalidToken:
        # Encrypted under another key (a rotation gone wrong): say so in the log, not to the caller.
        log.error("identity of report %s cannot be decrypted with the configured key", report.id)
        return None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _recipient(report: Report) -> uuid.UUID | None:
    """Who hears about the report: the reporter when known; nobody for an anonymous one."""
    if report.anonymous:
        return None
    if report.citizen_id is not None:
        return report.citizen_id
    identity = _decrypt_identity(report) or {}
    # An Open311 client's contact names no citizen of ours: nobody to notify in the app.
    return uuid.UUID(identity["citizen_id"]) if identity.get("citizen_id") else None


def _event(event_type: str, report: Report, **extra: Any) -> None:
    category = get_category(report.category_code)
    record_event(
        event_type,
        aggregate_type="report",
        aggregate_id=report.id,
        recipient=_recipient(report),
        # No description and no place: a notification of a crime report must not tell whoever
        # glances at the reporter's phone what was reported.
        payload={
            "report_id": str(report.id),
            "category_code": report.category_code,
            "category": category.name if category else report.category_code,
            "status": report.status,
            "status_name": STATUS_NAMES[report.status],
            "deadline": report.deadline.isoformat(),
            **extra,
        },
    )


# ---- submitting -------------------------------------------------------------------------------


def categories() -> tuple[Category, ...]:
    return CATEGORIES


def report_wards() -> list[units.WardInfo]:
    """The wards a report may name: those of the province running the app (others are refused
    with `ward_outside_province`), by name without accents, as a person looks for theirs."""
    wards = units.search_wards(province_code=current_app.config["HOME_PROVINCE_CODE"])
    return sorted(wards, key=lambda ward: fold(ward.name))


@dataclass
class Submitted:
    report: Report
    tracking_token: str | None = None
    possible_duplicates: list[dict] = field(default_factory=list)

    @property
    def emergency(self) -> dict | None:
        category = get_category(self.report.category_code)
        return category.emergency if category else None


def _check_location(data: Mapping[str, Any]) -> tuple[str, float | None, float | None, str | None]:
    latitude, longitude = data.get("latitude"), data.get("longitude")
    address = nfc(data.get("address") or "") or None
    ward_code = data.get("ward_code")
    if latitude is None and longitude is None and address is None:
        message = "Hãy cho biết vị trí: chọn trên bản đồ (vĩ độ, kinh độ) hoặc nhập địa chỉ."
        raise ApiError(
            422, "location_required", message, errors={"latitude": [message], "address": [message]}
        )
    if not ward_code:
        message = "Hãy chọn phường, xã nơi xảy ra sự việc."
        raise _invalid("ward_required", "ward_code", message)
    ward = units.validate_ward_code(ward_code)
    if ward.province.code != current_app.config["HOME_PROVINCE_CODE"]:
        raise _invalid(
            "ward_outside_province",
            "ward_code",
            f"{ward.name} không thuộc tỉnh đang vận hành ứng dụng; hãy phản ánh qua ứng dụng của tỉnh đó.",
        )
    citizens.check_coordinates(ward.code, latitude, longitude)
    return ward.code, latitude, longitude, address


def submit(
    citizen: Citizen | None,
    data: Mapping[str, Any],
    *,
    channel: str = APP,
    contact: Mapping[str, str] | None = None,
    filed_by: str | None = None,
    now: datetime | None = None,
) -> Submitted:
    """File a report; validated fields come from ReportInSchema (or the Open311 form).

    `citizen` is the signed-in reporter. Without one, the report is anonymous (crime reports
    only, from an anonymous chat) or comes from an Open311 client, with the `contact` it sent;
    either way it is followed with the tracking token this returns. `filed_by` names the machine
    account that filed it for someone else (an Open311 client): audited in the report's own
    transaction, so there is never a report without its audit entry or the reverse.
    """
    now = now or utcnow()
    category = get_category(data.get("category"))
    if category is None:
        raise _invalid(
            "unknown_category",
            "category",
            f"Không có lĩnh vực phản ánh '{data.get('category')}'. Hãy chọn trong danh sách lĩnh vực.",
        )
    anonymous = bool(data.get("anonymous"))
    if anonymous and not category.is_crime:
        raise _invalid(
            "anonymity_not_allowed",
            "anonymous",
            "Chỉ tố giác tội phạm mới được gửi ẩn danh; phản ánh hiện trường cần người phản ánh "
            "để cán bộ liên hệ khi xử lý.",
        )
    if citizen is None and not anonymous and channel != OPEN311:
        raise ApiError(401, "sign_in_required", "Hãy đăng nhập bằng VNeID để gửi phản ánh có tên người gửi.")
    description = nfc_lines(data.get("description") or "")
    # GeoReport v2 makes the description optional (a field report is its service and place) and
    # sets no minimum; the app and the chat ask the citizen to describe what happened.
    if channel != OPEN311 and len(description) < 10:
        raise _invalid("description_too_short", "description", "Hãy mô tả sự việc (ít nhất 10 ký tự).")
    incident_at = data.get("incident_at") or now
    if incident_at > now + CLOCK_SKEW:
        raise _invalid("incident_in_future", "incident_at", "Thời điểm xảy ra sự việc không thể ở tương lai.")
    ward_code, latitude, longitude, address = _check_location(data)

    token = None
    report = Report(
        id=uuid.uuid4(),
        category_code=category.code,
        is_crime=category.is_crime,
        description=description,
        address=address,
        ward_code=ward_code,
        latitude=latitude,
        longitude=longitude,
        incident_at=incident_at,
        submitted_at=now,
        deadline=add_working_days(local_date(now), category.response_days),
        unit_kind=category.unit,
        unit_ward_code=ward_code,
        status="received",
        anonymous=anonymous,
        channel=channel,
        affected_count=1,
    )
    if anonymous or citizen is None:
        token = secrets.token_urlsafe(24)
        report.tracking_token_hash = _token_hash(token)
        if not anonymous and contact:
            report.identity = _encrypt(dict(contact))
    else:
        report.reporter_key = reporter_key(citizen.id)
        if category.is_crime:
            report.identity = _encrypt_identity(citizen)
        else:
            report.citizen_id = citizen.id
    duplicates = [] if category.is_crime else find_duplicates(report)
    db.session.add(report)
    report.history.append(
        ReportTransition(action="submit", from_status=None, to_status="received", actor=CITIZEN, at=now)
    )
    db.session.flush()
    _event(EVENT_RECEIVED, report)
    if filed_by is not None:
        record_audit(f"report.{channel}_submit", actor=filed_by, target=f"report:{report.id}")
    db.session.commit()
    return Submitted(report=report, tracking_token=token, possible_duplicates=duplicates)


# ---- duplicates -------------------------------------------------------------------------------


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine): ample precision at 50 m."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def find_duplicates(report: Report) -> list[dict]:
    """Open field reports of the same category within 50 m, submitted in the last 7 days."""
    if report.is_crime or report.latitude is None or report.longitude is None:
        return []
    # The box is a little larger than the circle; the exact distance decides.
    dlat = DUPLICATE_RADIUS_M / 111_000 * 1.1
    dlon = dlat / max(math.cos(math.radians(report.latitude)), 0.01)
    candidates = db.session.scalars(
        select(Report).where(
            Report.category_code == report.category_code,
            Report.is_crime.is_(False),
            Report.status.in_(OPEN_STATUSES),
            Report.submitted_at >= report.submitted_at - DUPLICATE_WINDOW,
            Report.latitude.between(report.latitude - dlat, report.latitude + dlat),
            Report.longitude.between(report.longitude - dlon, report.longitude + dlon),
            Report.id != report.id,
        )
    )
    found = []
    for other in candidates:
        distance = distance_m(report.latitude, report.longitude, other.latitude, other.longitude)
        if distance <= DUPLICATE_RADIUS_M:
            found.append({"report": other, "distance_m": round(distance, 1)})
    return sorted(found, key=lambda item: item["distance_m"])


# ---- media ------------------------------------------------------------------------------------


def add_media(
    report: Report, *, uploaded_by: str, filename: str | None, data: bytes, declared_type: str | None
) -> ReportMedia:
    """Check and store a photo or video; nothing is written when it is refused."""
    config = current_app.config
    if uploaded_by == CITIZEN:
        if report.status not in OPEN_STATUSES:
            raise ApiError(
                409,
                "report_not_open",
                f"Phản ánh đang ở trạng thái '{STATUS_NAMES[report.status]}', không thể thêm ảnh, video.",
            )
        limit = config["REPORT_MEDIA_MAX_FILES"]
        count = sum(1 for item in report.media if item.uploaded_by == CITIZEN)
        if count >= limit:
            raise ApiError(
                409, "too_many_media", f"Mỗi phản ánh có tối đa {limit} ảnh, video.", max_files=limit
            )
    content_type = media_checks.check_media(
        data, filename=filename, declared_type=declared_type, max_bytes=config["REPORT_MEDIA_MAX_BYTES"]
    )
    media_id = uuid.uuid4()
    key = f"reports/{report.id}/{media_id}"
    storage = get_storage()
    try:
        storage.put(key, data, content_type)
    except StorageError:
        log.exception("storing report media failed")
        raise _storage_unavailable() from None
    item = ReportMedia(
        id=media_id,
        report_id=report.id,
        uploaded_by=uploaded_by,
        content_type=content_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=key,
    )
    report.media.append(item)
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        try:
            storage.delete(key)
        except StorageError:
            log.warning("orphan report media %s left in storage", key)
        raise
    return item


def media_item(report: Report, media_id: uuid.UUID) -> ReportMedia:
    for item in report.media:
        if item.id == media_id:
            return item
    raise ApiError(404, "media_not_found", "Không tìm thấy ảnh, video này trong phản ánh.")


def read_media(item: ReportMedia) -> bytes:
    try:
        return get_storage().get(item.storage_key)
    except StorageError:
        log.exception("reading report media failed")
        raise _storage_unavailable() from None


# ---- the citizen's reports --------------------------------------------------------------------


def _get(report_id: uuid.UUID | str) -> Report | None:
    try:
        key = report_id if isinstance(report_id, uuid.UUID) else uuid.UUID(str(report_id))
    except ValueError:
        return None
    return db.session.get(Report, key)


def citizen_report(citizen_id: uuid.UUID, report_id: uuid.UUID | str) -> Report:
    """One of the citizen's own (non-anonymous) reports; anyone else's answers 404."""
    report = _get(report_id)
    if report is None or report.reporter_key is None or report.reporter_key != reporter_key(citizen_id):
        raise report_not_found()
    return report


def citizen_reports(citizen_id: uuid.UUID, status: str | None = None) -> Select:
    statement = select(Report).where(Report.reporter_key == reporter_key(citizen_id))
    if status:
        statement = statement.where(Report.status == status)
    return statement.order_by(Report.submitted_at.desc(), Report.id)


def tracked_report(token: str) -> Report:
    report = None
    if token and len(token) <= 64:
        report = db.session.scalar(select(Report).where(Report.tracking_token_hash == _token_hash(token)))
    if report is None:
        raise ApiError(404, "report_not_found", "Mã theo dõi không đúng. Hãy kiểm tra lại mã đã lưu khi gửi.")
    return report


def confirm(citizen_id: uuid.UUID, report_id: uuid.UUID) -> Report:
    """The reporter agrees the problem is fixed: the report closes."""
    report = citizen_report(citizen_id, report_id)
    if report.status == CLOSED:
        return report  # a retried confirmation is not an error
    return _move(report, ACTIONS["confirm"], CITIZEN, closed_at=utcnow())


def rate(citizen_id: uuid.UUID, report_id: uuid.UUID, score: int, comment: str | None) -> Report:
    report = citizen_report(citizen_id, report_id)
    if report.status not in (RESOLVED, CLOSED):
        raise ApiError(409, "not_resolved_yet", "Bạn chỉ đánh giá được sau khi phản ánh đã được xử lý xong.")
    if report.rating is not None:
        raise ApiError(409, "already_rated", "Bạn đã đánh giá việc xử lý phản ánh này rồi.")
    report.rating = score
    report.rating_comment = nfc(comment or "") or None
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise _conflict() from None
    return report


def add_comment(report: Report, *, author_kind: str, author: str, body: str, internal: bool) -> ReportComment:
    body = nfc(body or "")
    if not body:
        raise _invalid("comment_empty", "body", "Nội dung bình luận không được để trống.")
    if report.status == MERGED:
        raise ApiError(409, "report_merged", "Phản ánh đã được gộp; hãy bình luận ở phản ánh chính.")
    comment = ReportComment(author_kind=author_kind, author=author, body=body, internal=internal)
    report.comments.append(comment)
    if author_kind == STAFF and not internal:
        _event(EVENT_COMMENTED, report, comment=body[:500])
    if author_kind == STAFF:
        record_audit("report.comment", actor=author, target=f"report:{report.id}", internal=internal)
    db.session.commit()
    return comment


# ---- moving through the workflow --------------------------------------------------------------


def _check_allowed(report: Report, action: Action) -> None:
    if report.status not in action.from_statuses:
        raise ApiError(
            409,
            "illegal_transition",
            f"Không thể thực hiện '{action.label.lower()}' khi phản ánh đang ở trạng thái "
            f"'{STATUS_NAMES[report.status]}'.",
            report_status=report.status,
            status_name=STATUS_NAMES[report.status],
        )


def _move(
    report: Report, action: Action, actor_ref: str, *, note: str | None = None, **values: Any
) -> Report:
    """Apply `action` with a compare-and-set on the version; commit with history, event, audit."""
    _check_allowed(report, action)
    from_status = report.status
    # No flush before the one below: that flush is the compare-and-set, and must be the one
    # that meets another transaction's change.
    with db.session.no_autoflush:
        report.status = action.to_status
        for name, value in values.items():
            setattr(report, name, value)
        report.history.append(
            ReportTransition(
                action=action.name,
                from_status=from_status,
                to_status=action.to_status,
                actor=actor_ref,
                note=note,
                note_public=action.note_public,
            )
        )
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise _conflict() from None
    _event(EVENTS[action.name], report, action=action.name, **({"note": note} if action.note_public else {}))
    if actor_ref.startswith("staff:"):
        record_audit(f"report.{action.name}", actor=actor_ref, target=f"report:{report.id}")
    db.session.commit()
    return report


def _jurisdiction(actor: Actor):
    """The reports a staff member may see and act on."""
    if actor.role == "admin":
        return true()
    kind = {role: unit for unit, role in UNIT_ROLES.items()}.get(actor.role or "")
    if kind is None:
        return false()
    if actor.ward_code is None:  # province level: every ward's unit of this kind
        return Report.unit_kind == kind
    return and_(Report.unit_kind == kind, Report.unit_ward_code == actor.ward_code)


def staff_report(actor: Actor, report_id: uuid.UUID | str) -> Report:
    report = _get(report_id)
    if report is None or not db.session.scalar(
        select(func.count()).select_from(Report).where(Report.id == report.id, _jurisdiction(actor))
    ):
        raise report_not_found()
    return report


def staff_read(actor: Actor, report_id: uuid.UUID | str) -> Report:
    """The desk's view of one report; reading a citizen's report is on the record."""
    report = staff_report(actor, report_id)
    record_audit("report.read", actor=actor.ref, target=f"report:{report.id}")
    db.session.commit()
    return report


def assignees(actor: Actor, report_id: uuid.UUID | str) -> list:
    """Who the report may be given to: the active staff of the unit that handles it."""
    report = staff_report(actor, report_id)
    return auth.active_staff(UNIT_ROLES[report.unit_kind], report.unit_ward_code)


def act(
    actor: Actor,
    report_id: uuid.UUID,
    action_name: str,
    *,
    note: str | None = None,
    assignee: uuid.UUID | None = None,
    unit_kind: str | None = None,
    ward_code: str | None = None,
    evidence_media_id: uuid.UUID | None = None,
) -> Report:
    """One of the desk's moves (DESK_ACTIONS) on a report of the actor's unit."""
    report = staff_report(actor, report_id)
    action = ACTIONS.get(action_name)
    if action is None or action.name not in DESK_ACTIONS:
        raise _invalid("unknown_action", "action", "Thao tác không hợp lệ: " + ", ".join(DESK_ACTIONS) + ".")
    # The status first: "not allowed now" is the answer, whatever else the request lacks.
    _check_allowed(report, action)
    note = nfc(note or "") or None
    if action.note_required and not note:
        raise _invalid(
            "note_required",
            "note",
            "Hãy ghi rõ lý do từ chối." if action.name == "reject" else "Thao tác này cần ghi rõ nội dung.",
        )
    values: dict[str, Any] = {}
    if action.name == "assign":
        if assignee is not None and assignee not in {person.id for person in assignees(actor, report.id)}:
            raise _invalid(
                "unknown_assignee",
                "assignee",
                "Chỉ giao được cho cán bộ đang làm việc của đơn vị xử lý phản ánh này.",
            )
        values["assignee"] = f"staff:{assignee or actor.id}"
    elif action.name == "start" and report.assignee is None:
        values["assignee"] = actor.ref
    elif action.name == "resolve":
        evidence = next(
            (m for m in report.media if m.id == evidence_media_id and m.uploaded_by == STAFF), None
        )
        if evidence is None or not evidence.content_type.startswith("image/"):
            raise _invalid(
                "evidence_required",
                "evidence_media_id",
                "Hãy tải lên ảnh kết quả xử lý (POST /staff/reports/<id>/media) rồi gửi kèm mã ảnh.",
            )
        values.update(resolution_note=note, resolution_media_id=evidence.id, resolved_at=utcnow())
    elif action.name == "reject":
        values["reject_reason"] = note
    elif action.name == "reassign":
        if unit_kind not in UNIT_ROLES:
            raise _invalid("unit_required", "unit_kind", "Hãy chọn đơn vị nhận: police hoặc ward.")
        target_ward = units.validate_ward_code(ward_code or report.unit_ward_code).code
        if (unit_kind, target_ward) == (report.unit_kind, report.unit_ward_code):
            raise _invalid("same_unit", "unit_kind", "Phản ánh đang do chính đơn vị này xử lý.")
        values.update(unit_kind=unit_kind, unit_ward_code=target_ward, assignee=None)
    return _move(report, action, actor.ref, note=note, **values)


def merge(actor: Actor, report_id: uuid.UUID, into_id: uuid.UUID, note: str | None) -> Report:
    """Fold a duplicate into the report the desk keeps; the kept one counts its people."""
    report = staff_report(actor, report_id)
    target = _get(into_id)
    if (
        target is None
        or target.id == report.id
        or not db.session.scalar(
            select(func.count()).select_from(Report).where(Report.id == target.id, _jurisdiction(actor))
        )
    ):
        raise _invalid("merge_target_not_found", "into", "Không tìm thấy phản ánh chính để gộp vào.")
    if report.is_crime or target.is_crime:
        raise _invalid(
            "merge_not_allowed", "into", "Không gộp tố giác tội phạm; mỗi tố giác được xử lý riêng."
        )
    if target.category_code != report.category_code:
        raise _invalid("merge_not_allowed", "into", "Chỉ gộp các phản ánh cùng lĩnh vực.")
    if target.status not in OPEN_STATUSES:
        raise _invalid("merge_not_allowed", "into", "Phản ánh chính đã kết thúc; không gộp vào được.")
    _check_allowed(report, ACTIONS["merge"])
    target.affected_count = target.affected_count + report.affected_count
    return _move(report, ACTIONS["merge"], actor.ref, note=nfc(note or "") or None, merged_into_id=target.id)


def close_resolved_reports(now: datetime | None = None) -> int:
    """Close resolved reports nobody confirmed within REPORT_AUTO_CLOSE_DAYS (scheduler job).

    Each close is its own compare-and-set: a citizen confirming at the same moment wins or
    loses cleanly. Returns how many were closed.
    """
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["REPORT_AUTO_CLOSE_DAYS"])
    due = db.session.scalars(
        select(Report.id).where(Report.status == RESOLVED, Report.resolved_at <= cutoff)
    ).all()
    closed = 0
    for report_id in due:
        report = db.session.get(Report, report_id)
        try:
            _move(report, ACTIONS["auto_close"], SYSTEM, closed_at=now)
            closed += 1
        except ApiError:
            db.session.rollback()
    return closed


# ---- identity -------------------------------------------------------------------------------


def read_identity(actor: Actor, report_id: uuid.UUID, reason: str) -> dict:
    """The reporter of a crime report, for the police: every read is on the audit log."""
    reason = nfc(reason or "")
    if len(reason) < 10:
        raise _invalid(
            "reason_required", "reason", "Hãy ghi rõ mục đích xem thông tin người tố giác (ít nhất 10 ký tự)."
        )
    report = staff_report(actor, report_id)
    identity = _decrypt_identity(report)
    if identity is None:
        raise ApiError(
            404,
            "identity_not_available",
            "Phản ánh này không lưu thông tin người gửi (ẩn danh hoặc phản ánh hiện trường).",
        )
    record_audit("report.identity_read", actor=actor.ref, target=f"report:{report.id}", reason=reason)
    db.session.commit()
    return {
        "report_id": report.id,
        "full_name": identity.get("full_name"),
        "cccd": identity.get("cccd"),
        "phone": identity.get("phone"),
        "email": identity.get("email"),
    }


# ---- the desk's queue and statistics ----------------------------------------------------------


def queue(
    actor: Actor, *, status: str | None = None, category: str | None = None, overdue: bool = False
) -> Select:
    statement = select(Report).where(_jurisdiction(actor))
    if status:
        statement = statement.where(Report.status == status)
    else:
        statement = statement.where(Report.status.in_(OPEN_STATUSES))
    if category:
        statement = statement.where(Report.category_code == category)
    if overdue:
        statement = statement.where(Report.status.in_(OPEN_STATUSES), Report.deadline < local_date(utcnow()))
    return statement.order_by(Report.deadline, Report.submitted_at, Report.id)


def statistics(actor: Actor) -> dict:
    scope = _jurisdiction(actor)

    def counted(column):
        return dict(db.session.execute(select(column, func.count()).where(scope).group_by(column)).all())

    by_status = counted(Report.status)
    by_category = counted(Report.category_code)
    by_ward = counted(Report.ward_code)
    overdue = db.session.scalar(
        select(func.count()).where(
            scope, Report.status.in_(OPEN_STATUSES), Report.deadline < local_date(utcnow())
        )
    )
    average_rating = db.session.scalar(
        select(func.avg(Report.rating)).where(scope, Report.rating.is_not(None))
    )
    return {
        "total": sum(by_status.values()),
        "overdue_open": overdue or 0,
        "average_rating": round(float(average_rating), 2) if average_rating is not None else None,
        "by_status": [
            {"status": status, "status_name": STATUS_NAMES[status], "count": by_status.get(status, 0)}
            for status in STATUSES
        ],
        "by_category": [
            {
                "category": code,
                "name": category.name if (category := get_category(code)) else code,
                "count": count,
            }
            for code, count in sorted(by_category.items())
        ],
        "by_ward": [
            {"ward_code": code, "name": ward.name if (ward := units.get_ward(code)) else code, "count": count}
            for code, count in sorted(by_ward.items())
        ],
    }
