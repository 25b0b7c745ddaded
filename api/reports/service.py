"""Citizen reports: submitting, media, and following one's own; the public face of the domain.

Plain functions on the Flask-SQLAlchemy session and the configured storage; no `flask.request`.
The domain's other rooms, each with one job, are re-exported here so callers keep one address:

- transitions.py: the one write path of a status change (`move`, a compare-and-set on the
  report's version with history, outbox event and audit in one unit of work), `Actor`, errors.
- desk.py: staff reading, moving, merging and counting their unit's reports.
- identity.py: informant protection (encrypted identities, keyed reporter key, token hashes).
- duplicates.py: open field reports of the same category nearby.

A citizen reaches only their own reports (by `reporter_key`); anyone else's answers 404, like a
report that does not exist. Nothing here commits: the request or the job does (api/unit_of_work.py).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import Select, select
from sqlalchemy.orm.exc import StaleDataError

from api.audit import record_audit
from api.citizens import service as citizens
from api.dbtypes import utcnow
from api.errors import ApiError
from api.extensions import db
from api.reports import media as media_checks
from api.reports.categories import CATEGORIES, Category, get_category
from api.reports.desk import UNIT_ROLES as UNIT_ROLES
from api.reports.desk import act as act
from api.reports.desk import assignees as assignees
from api.reports.desk import merge as merge
from api.reports.desk import queue as queue
from api.reports.desk import read_identity as read_identity
from api.reports.desk import staff_read as staff_read
from api.reports.desk import staff_report as staff_report
from api.reports.desk import statistics as statistics
from api.reports.duplicates import find_duplicates
from api.reports.identity import check_identity_key as check_identity_key
from api.reports.identity import encrypt, encrypt_identity, reporter_key, token_hash
from api.reports.models import Report, ReportComment, ReportMedia, ReportTransition
from api.reports.transitions import (
    EVENT_COMMENTED,
    EVENT_RECEIVED,
    conflict,
    invalid,
    move,
    report_event,
    report_not_found,
)
from api.reports.transitions import Actor as Actor
from api.reports.transitions import get_report as _get
from api.reports.workflow import (
    ACTIONS,
    CITIZEN,
    CLOSED,
    MERGED,
    OPEN_STATUSES,
    RESOLVED,
    STAFF,
    STATUS_NAMES,
    SYSTEM,
)
from api.storage import StorageError, get_storage
from api.text import fold, nfc, nfc_lines
from api.units import service as units
from api.workdays import add_working_days, local_date

if TYPE_CHECKING:
    from api.citizens.models import Citizen

log = logging.getLogger(__name__)

# Phones' clocks drift: an incident "now" may arrive a little ahead of the server's clock.
CLOCK_SKEW = timedelta(minutes=5)
DESCRIPTION_MAX = 4000
COMMENT_MAX = 2000

# How a report arrived (Report.channel).
APP, CHAT, OPEN311 = "app", "chat", "open311"
CHANNELS = (APP, CHAT, OPEN311)


def _storage_unavailable() -> ApiError:
    return ApiError(
        503, "storage_unavailable", "Kho lưu trữ tệp tạm thời không truy cập được. Vui lòng thử lại sau."
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
        raise invalid("ward_required", "ward_code", message)
    ward = units.validate_ward_code(ward_code)
    if ward.province.code != current_app.config["HOME_PROVINCE_CODE"]:
        raise invalid(
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
        raise invalid(
            "unknown_category",
            "category",
            f"Không có lĩnh vực phản ánh '{data.get('category')}'. Hãy chọn trong danh sách lĩnh vực.",
        )
    anonymous = bool(data.get("anonymous"))
    if anonymous and not category.is_crime:
        raise invalid(
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
        raise invalid("description_too_short", "description", "Hãy mô tả sự việc (ít nhất 10 ký tự).")
    incident_at = data.get("incident_at") or now
    if incident_at > now + CLOCK_SKEW:
        raise invalid("incident_in_future", "incident_at", "Thời điểm xảy ra sự việc không thể ở tương lai.")
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
        report.tracking_token_hash = token_hash(token)
        if not anonymous and contact:
            report.identity = encrypt(dict(contact))
    else:
        report.reporter_key = reporter_key(citizen.id)
        if category.is_crime:
            report.identity = encrypt_identity(citizen)
        else:
            report.citizen_id = citizen.id
    duplicates = [] if category.is_crime else find_duplicates(report)
    db.session.add(report)
    report.history.append(
        ReportTransition(action="submit", from_status=None, to_status="received", actor=CITIZEN, at=now)
    )
    db.session.flush()
    report_event(EVENT_RECEIVED, report)
    if filed_by is not None:
        record_audit(f"report.{channel}_submit", actor=filed_by, target=f"report:{report.id}")
    return Submitted(report=report, tracking_token=token, possible_duplicates=duplicates)


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
        db.session.flush()  # refused now, while the stored file can still be taken back
    except BaseException:
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
        report = db.session.scalar(select(Report).where(Report.tracking_token_hash == token_hash(token)))
    if report is None:
        raise ApiError(404, "report_not_found", "Mã theo dõi không đúng. Hãy kiểm tra lại mã đã lưu khi gửi.")
    return report


def confirm(citizen_id: uuid.UUID, report_id: uuid.UUID) -> Report:
    """The reporter agrees the problem is fixed: the report closes."""
    report = citizen_report(citizen_id, report_id)
    if report.status == CLOSED:
        return report  # a retried confirmation is not an error
    return move(report, ACTIONS["confirm"], CITIZEN, closed_at=utcnow())


def rate(citizen_id: uuid.UUID, report_id: uuid.UUID, score: int, comment: str | None) -> Report:
    report = citizen_report(citizen_id, report_id)
    if report.status not in (RESOLVED, CLOSED):
        raise ApiError(409, "not_resolved_yet", "Bạn chỉ đánh giá được sau khi phản ánh đã được xử lý xong.")
    if report.rating is not None:
        raise ApiError(409, "already_rated", "Bạn đã đánh giá việc xử lý phản ánh này rồi.")
    try:
        # the savepoint's flush is the compare-and-set on the version; a lost race leaves the
        # session usable for the 409
        with db.session.begin_nested():
            report.rating = score
            report.rating_comment = nfc(comment or "") or None
    except StaleDataError:
        raise conflict() from None
    return report


def add_comment(report: Report, *, author_kind: str, author: str, body: str, internal: bool) -> ReportComment:
    body = nfc(body or "")
    if not body:
        raise invalid("comment_empty", "body", "Nội dung bình luận không được để trống.")
    if report.status == MERGED:
        raise ApiError(409, "report_merged", "Phản ánh đã được gộp; hãy bình luận ở phản ánh chính.")
    comment = ReportComment(author_kind=author_kind, author=author, body=body, internal=internal)
    report.comments.append(comment)
    if author_kind == STAFF and not internal:
        report_event(EVENT_COMMENTED, report, comment=body[:500])
    if author_kind == STAFF:
        record_audit("report.comment", actor=author, target=f"report:{report.id}", internal=internal)
    return comment


def close_resolved_reports(now: datetime | None = None) -> int:
    """Close resolved reports nobody confirmed within REPORT_AUTO_CLOSE_DAYS (scheduler job).

    Each close is its own compare-and-set in a savepoint (transitions.move): a citizen confirming
    at the same moment wins or loses cleanly, and a lost one does not undo the others. Returns how
    many were closed (the job commits).
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
            move(report, ACTIONS["auto_close"], SYSTEM, closed_at=now)
            closed += 1
        except ApiError:
            pass  # confirmed (or moved) meanwhile: nothing to close
    return closed
