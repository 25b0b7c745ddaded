"""What the fine endpoints take and return, and the one validation every notice goes through.

`NoticeInSchema` checks a notice however it arrives: one from an officer (`POST /police/fines`),
a row of the camera feed (`POST /police/fines/batch`), a line of a file (`flask fines import`).
It loads into a `NoticeData` the service stores as it is.

Three views of a notice go out: the public lookup (no owner, no evidence, no exact time or
place: anyone who knows a plate can ask), the owner's (everything about their own fine), and
the police's (the owner's CCCD and the record's provenance too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from flask import url_for
from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_dump,
    pre_load,
    validate,
    validates_schema,
)

from api.auth import service as auth
from api.citizens import cccd as cccd_rules
from api.dbtypes import utcnow
from api.errors import FieldErrorSchema
from api.fields import AmountVnd, VietnamDateTime, computed
from api.fines import plates
from api.fines.models import (
    EVIDENCE_KEY_PREFIX,
    OPEN_STATUSES,
    PAYMENT_PURPOSE,
    SOURCE_NAMES,
    SOURCES,
    STATUS_NAMES,
    STATUSES,
    FineNotice,
)
from api.fines.violations import (
    VEHICLE_KIND_NAMES,
    VEHICLE_KINDS,
    Violation,
    committed_on,
    get_violation,
    violation_of,
)
from api.fines.workflow import CITIZEN, FINES
from api.text import format_vnd, nfc
from api.units import service as units
from api.workdays import VIETNAM, local_date

MAX_EVIDENCE = 10
# Clocks of cameras and phones drift: a violation a few minutes "in the future" is still real.
CLOCK_SKEW = timedelta(minutes=5)
# Storage keys as api/storage.py makes them: segments of letters, digits, dot, dash, underscore.
_STORAGE_KEY = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}(/[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}){0,7}$")
_URL = validate.URL(schemes={"http", "https"}, require_tld=False)
_NOTICE_NUMBER = re.compile(r"^[0-9A-Za-zĐđ][0-9A-Za-zĐđ/._ -]*$")


@dataclass(frozen=True)
class NoticeData:
    """A notice that passed validation; `source`, `source_ref`, `decided_at` may still be open."""

    notice_number: str
    plate: plates.Plate
    violation: Violation
    owner_cccd: str
    violated_at: datetime
    place: str
    amount_vnd: int
    evidence: tuple[str, ...] = ()
    ward_code: str | None = None
    source: str | None = None
    source_ref: str | None = None
    decided_at: datetime | None = None


class PlateField(fields.String):
    """A plate typed any usual way, loaded as a `plates.Plate`."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return plates.parse(text)
        except plates.InvalidPlate as exc:
            raise ValidationError(str(exc)) from exc


class CccdField(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return cccd_rules.parse(text).number
        except cccd_rules.InvalidCCCD as exc:
            raise ValidationError(str(exc)) from exc


def _length(minimum: int | None = None, maximum: int | None = None) -> validate.Length:
    error = f"Độ dài phải từ {minimum} đến {maximum} ký tự." if minimum else f"Tối đa {maximum} ký tự."
    return validate.Length(min=minimum, max=maximum, error=error)


def _one_of(choices) -> validate.OneOf:
    return validate.OneOf(choices, error=f"Chọn một trong: {', '.join(choices)}.")


def _evidence_reference(value: str) -> None:
    if value.startswith(("http://", "https://")):
        _URL(value)
    elif not (_STORAGE_KEY.match(value) and value.startswith(EVIDENCE_KEY_PREFIX)):
        raise ValidationError(
            f"Ảnh bằng chứng phải là địa chỉ http(s) hoặc khóa lưu trữ hợp lệ bắt đầu bằng "
            f"'{EVIDENCE_KEY_PREFIX}'."
        )


def _known_ward(code: str) -> None:
    if units.get_ward(code) is None:
        raise ValidationError(f"Mã phường/xã '{code}' không có trong danh mục từ ngày 01/7/2025.")


def _moment(error: str, *, required: bool = False) -> fields.AwareDateTime:
    # A time without an offset is Vietnam's: that is how the police's systems and officers write it.
    return fields.AwareDateTime(
        required=required,
        default_timezone=VIETNAM,
        error_messages={"invalid": error, "invalid_awareness": error},
    )


class NoticeInSchema(Schema):
    """One notice, from an officer, the camera feed or a file. Unknown fields are refused."""

    notice_number = fields.String(
        required=True,
        validate=[
            _length(1, 40),
            validate.Regexp(_NOTICE_NUMBER, error="Số quyết định chỉ gồm chữ, số và các dấu / . - _"),
        ],
        metadata={"description": "số quyết định xử phạt / biên bản, duy nhất"},
    )
    source = fields.String(
        validate=_one_of(SOURCES),
        metadata={"description": "camera | police; mặc định police với cán bộ, camera với hệ thống"},
    )
    source_ref = fields.String(
        validate=_length(1, 80),
        metadata={"description": "mã bản ghi ở hệ thống gửi; gửi lại cùng mã thì cập nhật, không nhân đôi"},
    )
    plate = PlateField(required=True, metadata={"description": "biển số, gõ kiểu nào cũng được: 47a12345"})
    vehicle_kind = fields.String(
        validate=_one_of(VEHICLE_KINDS), metadata={"description": "car | motorbike; suy từ hành vi"}
    )
    owner_cccd = CccdField(required=True, metadata={"description": "số căn cước của chủ phương tiện"})
    violated_at = _moment(
        "Thời điểm vi phạm không hợp lệ (ISO 8601, ví dụ 2025-06-01T08:30:00+07:00).", required=True
    )
    place = fields.String(required=True, validate=_length(1, 300))
    ward_code = fields.String(
        validate=[validate.Regexp(r"^\d{5}$", error="Mã phường/xã gồm 5 chữ số."), _known_ward]
    )
    violation_code = fields.String(required=True, validate=_length(1, 40))
    amount_vnd = AmountVnd(
        required=True, metadata={"description": "số tiền phạt (VND, số nguyên), trong khung của hành vi"}
    )
    evidence = fields.List(
        fields.String(validate=[_length(1, 500), _evidence_reference]),
        load_default=list,
        validate=validate.Length(max=MAX_EVIDENCE, error=f"Tối đa {MAX_EVIDENCE} ảnh bằng chứng."),
        metadata={"description": "địa chỉ ảnh hoặc khóa lưu trữ ảnh bằng chứng"},
    )
    decided_at = _moment("Thời điểm ra quyết định không hợp lệ (ISO 8601).")

    @pre_load
    def normalise_text(self, data, **kwargs):
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for key in ("notice_number", "source_ref", "place", "violation_code"):
            if isinstance(data.get(key), str):
                data[key] = nfc(data[key])
        if isinstance(data.get("violation_code"), str):
            data["violation_code"] = data["violation_code"].lower()
        return data

    @validates_schema
    def consistent(self, data, **kwargs):
        errors: dict[str, list[str]] = {}
        # The law of the day the violation was committed: its range, even if a decree changed it since.
        day = committed_on(data["violated_at"]) if data.get("violated_at") else None
        violation = get_violation(data.get("violation_code"), on=day)
        if "violation_code" in data and violation is None:
            errors["violation_code"] = [
                f"Mã hành vi '{data['violation_code']}' không có trong danh mục hành vi vi phạm"
                + (f" áp dụng ngày {day:%d/%m/%Y}." if day else ".")
            ]
        if violation is not None:
            kind = data.get("vehicle_kind")
            if kind and kind != violation.vehicle_kind:
                errors["vehicle_kind"] = [
                    f"Hành vi này dành cho {VEHICLE_KIND_NAMES[violation.vehicle_kind].lower()}, "
                    f"không phải {VEHICLE_KIND_NAMES[kind].lower()}."
                ]
            plate = data.get("plate")
            if plate is not None and plate.kind and plate.kind != violation.vehicle_kind:
                errors["plate"] = [
                    f"Biển số {plate} là biển {VEHICLE_KIND_NAMES[plate.kind].lower()}, nhưng hành vi "
                    f"vi phạm dành cho {VEHICLE_KIND_NAMES[violation.vehicle_kind].lower()}."
                ]
            amount = data.get("amount_vnd")
            if isinstance(amount, int) and amount > 0 and not violation.allows(amount):
                errors["amount_vnd"] = [
                    f"Số tiền {format_vnd(amount)} nằm ngoài khung phạt của hành vi này ({violation.range_text}, "
                    f"{violation.legal_reference})."
                ]
        latest = utcnow() + CLOCK_SKEW
        violated_at, decided_at = data.get("violated_at"), data.get("decided_at")
        if violated_at is not None and violated_at > latest:
            errors["violated_at"] = ["Thời điểm vi phạm không thể ở tương lai."]
        if decided_at is not None:
            if decided_at > latest:
                errors["decided_at"] = ["Thời điểm ra quyết định không thể ở tương lai."]
            elif violated_at is not None and decided_at < violated_at:
                errors["decided_at"] = ["Quyết định xử phạt không thể có trước thời điểm vi phạm."]
        if errors:
            raise ValidationError(errors)

    @post_load
    def to_notice(self, data, **kwargs) -> NoticeData:
        return NoticeData(
            notice_number=data["notice_number"],
            plate=data["plate"],
            violation=get_violation(data["violation_code"], on=committed_on(data["violated_at"])),
            owner_cccd=data["owner_cccd"],
            violated_at=data["violated_at"],
            place=data["place"],
            amount_vnd=data["amount_vnd"],
            evidence=tuple(data.get("evidence") or ()),
            ward_code=data.get("ward_code"),
            source=data.get("source"),
            source_ref=data.get("source_ref"),
            decided_at=data.get("decided_at"),
        )


class CancelSchema(Schema):
    reason = fields.String(
        validate=_length(maximum=1000),
        metadata={"description": "lý do huỷ (bắt buộc), ghi vào hồ sơ và báo cho công dân"},
    )


class LookupQuerySchema(Schema):
    plate = fields.String(
        required=True,
        validate=_length(maximum=30),
        metadata={"description": "biển số, gõ kiểu nào cũng được: 47a12345, 47A-123.45"},
    )


class PoliceQuerySchema(Schema):
    plate = fields.String(validate=_length(maximum=30))
    status = fields.String(validate=_one_of(STATUSES))
    source = fields.String(validate=_one_of(SOURCES))


# ---- out ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FineView:
    """A notice with what is computed from it for display, as of a day in Vietnam."""

    fine: FineNotice
    on: date = field(default_factory=lambda: local_date(utcnow()))

    @property
    def violation(self) -> Violation | None:
        """As the law stood on the day it was committed: the range and reference that applied."""
        return violation_of(self.fine)

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.fine.status]

    @property
    def vehicle_kind_name(self) -> str:
        return VEHICLE_KIND_NAMES.get(self.fine.vehicle_kind, self.fine.vehicle_kind)

    @property
    def source_name(self) -> str:
        return SOURCE_NAMES.get(self.fine.source, self.fine.source)

    @property
    def masked_notice_number(self) -> str:
        """`***45/QĐ-XPVPHC`: enough for the owner to recognise their paper, not to quote it.

        Decision numbers are a sequence then the issuing office's fixed suffix, so the sequence is
        what is masked, all but its last two digits.
        """
        number = self.fine.notice_number
        sequence, slash, suffix = number.partition("/")
        if not slash:
            visible = min(4, len(number) // 2)
            return "*" * (len(number) - visible) + number[len(number) - visible :]
        return "*" * max(len(sequence) - 2, 1) + sequence[-2:] + slash + suffix

    @property
    def violated_on(self) -> date:
        return local_date(self.fine.violated_at)

    @cached_property
    def _ward(self):
        return units.get_ward(self.fine.ward_code) if self.fine.ward_code else None

    @property
    def ward(self) -> dict | None:
        return {"code": self._ward.code, "name": self._ward.full_name} if self._ward else None

    @property
    def area(self) -> str | None:
        return self._ward.full_name if self._ward else None

    @property
    def is_open(self) -> bool:
        return self.fine.status in OPEN_STATUSES

    @property
    def days_left(self) -> int | None:
        return (self.fine.deadline - self.on).days if self.is_open else None

    @property
    def overdue(self) -> bool:
        return self.is_open and self.fine.deadline < self.on

    @cached_property
    def _citizen_moves(self) -> list[str]:
        return FINES.allowed(self.fine.status, CITIZEN)

    @property
    def can_confirm(self) -> bool:
        return "confirm" in self._citizen_moves

    @property
    def can_pay(self) -> bool:
        return "pay" in self._citizen_moves

    def _evidence_links(self, endpoint: str) -> list[dict]:
        return [
            {"id": photo, "url": url_for(endpoint, fine_id=self.fine.id, evidence_id=photo)}
            for photo in self.fine.evidence_ids
        ]

    @property
    def owner_evidence(self) -> list[dict]:
        return self._evidence_links("fines.MyFineEvidence")

    @property
    def police_evidence(self) -> list[dict]:
        return self._evidence_links("fine_police.FineEvidence")

    @property
    def payment_target(self) -> dict | None:
        if not self.can_pay:
            return None
        return {
            "purpose": PAYMENT_PURPOSE,
            "reference": str(self.fine.id),
            "amount_vnd": self.fine.amount_vnd,
        }


class _FineOut(Schema):
    """Dumps a `FineNotice` (or a `FineView`) through its view."""

    @pre_dump
    def as_view(self, obj, **kwargs):
        return obj if isinstance(obj, FineView) else FineView(obj)


class ViolationSchema(Schema):
    code = fields.String()
    description = fields.String()
    vehicle_kind = fields.String()
    legal_reference = fields.String()
    min_vnd = fields.Integer()
    max_vnd = fields.Integer()
    licence_points = fields.Integer(allow_none=True, metadata={"description": "điểm GPLX bị trừ"})
    additional_penalty = fields.String(allow_none=True)


class PublicFineSchema(_FineOut):
    """Anyone who knows the plate sees this: no owner, no images, only the day and the ward."""

    notice_number = fields.String(attribute="masked_notice_number", metadata={"description": "đã che"})
    plate = fields.String(attribute="fine.plate")
    vehicle_kind = fields.String(attribute="fine.vehicle_kind")
    vehicle_kind_name = fields.String()
    violation_code = fields.String(attribute="fine.violation_code")
    violation = fields.String(attribute="violation.description")
    violated_on = fields.Date(metadata={"description": "ngày vi phạm (giờ Việt Nam)"})
    area = fields.String(allow_none=True, metadata={"description": "phường, xã nơi vi phạm"})
    amount_vnd = fields.Integer(attribute="fine.amount_vnd")
    status = fields.String(attribute="fine.status")
    status_name = fields.String()
    deadline = fields.Date(attribute="fine.deadline")
    overdue = fields.Boolean()
    source = fields.String(attribute="fine.source")
    source_name = fields.String()
    synced_at = VietnamDateTime(attribute="fine.synced_at", metadata={"description": "cập nhật lúc"})


class LookupResultSchema(Schema):
    plate = fields.String()
    count = fields.Integer()
    fines = fields.List(fields.Nested(PublicFineSchema))
    note = fields.String()


class FineWardSchema(Schema):
    code = fields.String()
    name = fields.String()


class PaymentTargetSchema(Schema):
    """What the app sends to the wallet to pay this fine (wallet/payables.py)."""

    purpose = fields.String()
    reference = fields.String()
    amount_vnd = fields.Integer()


class EvidenceSchema(Schema):
    id = fields.String(metadata={"description": "mã ảnh (không lộ địa chỉ gốc của ảnh)"})
    url = fields.String(
        metadata={"description": "đường dẫn tải ảnh (JPEG hoặc PNG) trên API, cùng mã truy cập"}
    )


class CitizenFineSchema(_FineOut):
    """The owner's view: everything about their own fine, and what they can do next."""

    id = fields.UUID(attribute="fine.id")
    notice_number = fields.String(attribute="fine.notice_number")
    plate = fields.String(attribute="fine.plate")
    vehicle_kind = fields.String(attribute="fine.vehicle_kind")
    vehicle_kind_name = fields.String()
    violation = fields.Nested(ViolationSchema)
    violated_at = VietnamDateTime(attribute="fine.violated_at")
    place = fields.String(attribute="fine.place")
    ward = fields.Nested(FineWardSchema, allow_none=True)
    amount_vnd = fields.Integer(attribute="fine.amount_vnd")
    currency = fields.Constant("vnd")
    evidence = fields.List(
        fields.Nested(EvidenceSchema),
        attribute="owner_evidence",
        metadata={"description": "ảnh bằng chứng của camera hoặc cán bộ, xem qua API"},
    )
    decided_at = VietnamDateTime(attribute="fine.decided_at")
    deadline = fields.Date(attribute="fine.deadline", metadata={"description": "hạn nộp phạt"})
    days_left = fields.Integer(allow_none=True, metadata={"description": "số ngày còn lại; âm khi quá hạn"})
    overdue = fields.Boolean()
    status = fields.String(attribute="fine.status")
    status_name = fields.String()
    confirmed_at = VietnamDateTime(attribute="fine.confirmed_at", allow_none=True)
    paid_at = VietnamDateTime(attribute="fine.paid_at", allow_none=True)
    payment_id = fields.UUID(attribute="fine.payment_id", allow_none=True)
    cancelled_at = VietnamDateTime(attribute="fine.cancelled_at", allow_none=True)
    cancel_reason = fields.String(attribute="fine.cancel_reason", allow_none=True)
    can_confirm = fields.Boolean()
    can_pay = fields.Boolean()
    payment = fields.Nested(
        PaymentTargetSchema,
        attribute="payment_target",
        allow_none=True,
        metadata={"description": "gửi cho ví điện tử để nộp phạt, khi đã xác nhận"},
    )
    source = fields.String(attribute="fine.source")
    source_name = fields.String()
    synced_at = VietnamDateTime(attribute="fine.synced_at")


class StaffFineSchema(CitizenFineSchema):
    """The police's view: the owner and the record's provenance too."""

    evidence = fields.List(fields.Nested(EvidenceSchema), attribute="police_evidence")
    evidence_sources = fields.List(
        fields.String(),
        attribute="fine.evidence",
        metadata={"description": "ảnh bằng chứng như hệ thống gửi: địa chỉ hoặc khóa lưu trữ"},
    )
    owner_cccd = fields.String(attribute="fine.owner_cccd")
    owner_citizen_id = fields.UUID(attribute="fine.owner_citizen_id", allow_none=True)
    source_ref = fields.String(attribute="fine.source_ref")
    issued_by = fields.String(attribute="fine.issued_by")
    issued_by_name = computed(
        lambda view: auth.staff_name(view.fine.issued_by),
        fields.String(allow_none=True),
        metadata={"description": "tên cán bộ lập (null khi hệ thống camera hoặc tệp nhập gửi)"},
    )
    cancelled_by = fields.String(attribute="fine.cancelled_by", allow_none=True)
    cancelled_by_name = computed(
        lambda view: auth.staff_name(view.fine.cancelled_by),
        fields.String(allow_none=True),
        metadata={"description": "tên cán bộ huỷ"},
    )
    reminded_at = VietnamDateTime(attribute="fine.reminded_at", allow_none=True)
    created_at = VietnamDateTime(attribute="fine.created_at")


class RejectedRowSchema(Schema):
    row = fields.Integer(
        metadata={"description": "số thứ tự trong danh sách gửi lên (từ 1), hoặc số dòng của tệp"}
    )
    source_ref = fields.String(allow_none=True)
    notice_number = fields.String(allow_none=True)
    reason = fields.String()
    errors = computed(
        lambda rejected: [
            {"field": name, "messages": list(msgs)} for name, msgs in sorted(rejected.errors.items())
        ],
        fields.List(fields.Nested(FieldErrorSchema)),
        metadata={"description": "lỗi theo từng trường: [{field, messages}]"},
    )


class ImportReportSchema(Schema):
    received = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    rejected = fields.Integer()
    rejects = fields.List(fields.Nested(RejectedRowSchema))
