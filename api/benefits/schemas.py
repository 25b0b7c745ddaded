"""What the benefit endpoints take and return.

In: a programme, an enrolment, a settlement; unknown fields are refused (marshmallow's RAISE)
and amounts are whole đồng (`AmountVnd`: no floats, strings, booleans or amounts ≤ 0). Periods
(`YYYY-MM`) are checked by the service (`parse_period`), so a path and a query answer with the
same code. Out: the citizen's view of their own benefits, and the officers' views.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from api.benefits.models import (
    BENEFICIARY_STATUS_NAMES,
    BENEFICIARY_STATUSES,
    CASHLESS_CHANNELS,
    CHANNEL_NAMES,
    CHANNELS,
    FAILED,
    PAID,
    PAYMENT_STATUS_NAMES,
    RETURNED,
)
from api.citizens import cccd as cccd_rules
from api.dbtypes import utcnow
from api.fields import AmountVnd, VietnamDateTime, computed
from api.text import nfc
from api.workdays import VIETNAM

_PROGRAMME_CODE = r"^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$"


def _length(minimum: int | None = None, maximum: int | None = None) -> validate.Length:
    error = f"Độ dài phải từ {minimum} đến {maximum} ký tự." if minimum else f"Tối đa {maximum} ký tự."
    return validate.Length(min=minimum, max=maximum, error=error)


def _one_of(choices) -> validate.OneOf:
    return validate.OneOf(choices, error=f"Chọn một trong: {', '.join(choices)}.")


def _nfc_strings(data, keys):
    if not isinstance(data, dict):
        return data
    return {
        key: nfc(value) if key in keys and isinstance(value, str) else value for key, value in data.items()
    }


class CccdField(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return cccd_rules.parse(text).number
        except cccd_rules.InvalidCCCD as exc:
            raise ValidationError(str(exc)) from exc


# ---- in ---------------------------------------------------------------------------------------


class ProgrammeInSchema(Schema):
    code = fields.String(
        required=True,
        validate=validate.Regexp(
            _PROGRAMME_CODE, error="Mã chế độ gồm 2–32 chữ cái không dấu, số, - hoặc _."
        ),
        metadata={"description": "mã ngắn, ví dụ TCXH; lưu chữ in hoa"},
    )
    name = fields.String(required=True, validate=_length(1, 200))
    legal_basis = fields.String(
        required=True, validate=_length(1, 300), metadata={"description": "ví dụ Nghị định 20/2021/NĐ-CP"}
    )
    monthly_amount_vnd = AmountVnd(required=True, metadata={"description": "mức chuẩn hằng tháng (VND)"})
    payment_day = fields.Integer(
        strict=True,
        load_default=10,
        validate=validate.Range(1, 28, error="Ngày chi trả trong tháng từ 1 đến 28."),
        metadata={"description": "ngày chi trả dự kiến trong tháng (dời sang ngày làm việc kế tiếp)"},
    )
    description = fields.String(validate=_length(maximum=1000))

    @pre_load
    def normalise(self, data, **kwargs):
        data = _nfc_strings(data, ("code", "name", "legal_basis", "description"))
        if isinstance(data, dict) and isinstance(data.get("code"), str):
            data["code"] = data["code"].upper()
        return data


class EnrolSchema(Schema):
    cccd = CccdField(required=True, metadata={"description": "số căn cước của người hưởng"})
    programme = fields.String(required=True, validate=_length(1, 32), metadata={"description": "mã chế độ"})
    monthly_amount_vnd = AmountVnd(
        metadata={"description": "mức hưởng hằng tháng (VND); mặc định mức chuẩn của chế độ"}
    )
    starts_on = fields.Date(metadata={"description": "hưởng từ tháng này; mặc định tháng hiện tại"})
    ends_on = fields.Date(metadata={"description": "hưởng đến ngày này; bỏ trống nếu không thời hạn"})
    channel = fields.String(
        validate=_one_of(CHANNELS),
        metadata={"description": "kênh nhận khi chưa liên kết tài khoản thanh toán điện tử; mặc định cash"},
    )
    channel_detail = fields.String(
        validate=_length(maximum=200), metadata={"description": "ví dụ Bưu điện Phường Buôn Ma Thuột"}
    )

    @pre_load
    def normalise(self, data, **kwargs):
        data = _nfc_strings(data, ("programme", "channel_detail"))
        if isinstance(data, dict) and isinstance(data.get("programme"), str):
            data["programme"] = data["programme"].upper()
        return data

    @validates_schema
    def dates_in_order(self, data, **kwargs):
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            raise ValidationError({"ends_on": ["Ngày thôi hưởng không thể trước ngày bắt đầu hưởng."]})


class SettleSchema(Schema):
    status = fields.String(
        required=True,
        validate=_one_of((PAID, FAILED, RETURNED)),
        metadata={"description": "paid | failed | returned"},
    )
    reason = fields.String(
        validate=_length(maximum=1000),
        metadata={"description": "bắt buộc khi failed hoặc returned; báo cho công dân"},
    )
    paid_at = fields.AwareDateTime(
        default_timezone=VIETNAM,
        metadata={"description": "thời điểm kênh chi trả báo đã trả (chỉ với paid); mặc định bây giờ"},
    )

    @validates_schema
    def paid_at_only_when_paid(self, data, **kwargs):
        paid_at = data.get("paid_at")
        if paid_at is None:
            return
        if data.get("status") != PAID:
            raise ValidationError({"paid_at": ["Chỉ ghi thời điểm chi trả khi trạng thái là paid."]})
        if paid_at > utcnow():
            raise ValidationError({"paid_at": ["Thời điểm chi trả không thể ở tương lai."]})


_PERIOD_FIELD = {"validate": _length(maximum=7), "metadata": {"description": "kỳ chi trả YYYY-MM"}}


class MyPaymentsQuerySchema(Schema):
    period = fields.String(**_PERIOD_FIELD)


class BeneficiaryStatusSchema(Schema):
    status = fields.String(
        required=True,
        validate=_one_of(BENEFICIARY_STATUSES),
        metadata={"description": "active (hưởng lại) | suspended (tạm dừng) | ended (thôi hưởng)"},
    )
    reason = fields.String(
        required=True,
        validate=_length(maximum=500),
        metadata={"description": "số quyết định và căn cứ; báo cho người hưởng"},
    )
    ends_on = fields.Date(metadata={"description": "ngày cuối được hưởng, chỉ khi ended; mặc định hôm nay"})

    @validates_schema
    def ends_on_only_when_ended(self, data, **kwargs):
        if data.get("ends_on") is not None and data.get("status") != "ended":
            raise ValidationError({"ends_on": ["Chỉ ghi ngày thôi hưởng khi trạng thái là ended."]})


class BeneficiaryQuerySchema(Schema):
    programme = fields.String(validate=_length(1, 32), metadata={"description": "mã chế độ"})
    status = fields.String(validate=_one_of(BENEFICIARY_STATUSES))


class BenefitStatisticsQuerySchema(Schema):
    period = fields.String(**{**_PERIOD_FIELD, "metadata": {"description": "YYYY-MM; mặc định tháng này"}})
    programme = fields.String(validate=_length(1, 32), metadata={"description": "mã chế độ"})


# ---- out --------------------------------------------------------------------------------------


class ProgrammeSchema(Schema):
    id = fields.UUID()
    code = fields.String()
    name = fields.String()
    legal_basis = fields.String()
    monthly_amount_vnd = fields.Integer()
    currency = fields.Constant("vnd")
    payment_day = fields.Integer()
    description = fields.String(allow_none=True)


class ProgrammeBriefSchema(Schema):
    code = fields.String()
    name = fields.String()
    legal_basis = fields.String()


class MyEnrolmentSchema(Schema):
    programme = fields.Nested(ProgrammeBriefSchema)
    monthly_amount_vnd = fields.Integer()
    currency = fields.Constant("vnd")
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    status = fields.String()
    status_name = computed(lambda b: BENEFICIARY_STATUS_NAMES[b.status], fields.String())
    channel = fields.String(metadata={"description": "kênh nhận khi chưa liên kết tài khoản điện tử"})
    channel_name = computed(lambda b: CHANNEL_NAMES[b.channel], fields.String())
    channel_detail = fields.String(allow_none=True)
    status_reason = fields.String(allow_none=True, metadata={"description": "lý do tạm dừng/thôi hưởng"})


class BeneficiarySchema(MyEnrolmentSchema):
    """The officers' view: whose enrolment it is, and who recorded it."""

    id = fields.UUID()
    cccd = fields.String()
    citizen_id = fields.UUID()
    enrolled_by = fields.String()
    created_at = VietnamDateTime()


class BenefitPaymentSchema(Schema):
    id = fields.UUID()
    programme = fields.Nested(ProgrammeBriefSchema)
    period = fields.String(metadata={"description": "YYYY-MM"})
    amount_vnd = fields.Integer()
    currency = fields.Constant("vnd")
    planned_on = fields.Date(metadata={"description": "ngày chi trả dự kiến"})
    status = fields.String()
    status_name = computed(lambda p: PAYMENT_STATUS_NAMES[p.status], fields.String())
    channel = fields.String()
    channel_name = computed(lambda p: CHANNEL_NAMES[p.channel], fields.String())
    cashless = computed(lambda p: p.channel in CASHLESS_CHANNELS, fields.Boolean())
    sent_at = VietnamDateTime(allow_none=True, metadata={"description": "đã chuyển cho kênh chi trả lúc"})
    paid_at = VietnamDateTime(allow_none=True)
    failure_reason = fields.String(allow_none=True)
    payout_id = fields.UUID(allow_none=True, metadata={"description": "khoản nhận trong ví, khi chi qua ví"})


class StaffBenefitPaymentSchema(BenefitPaymentSchema):
    beneficiary_id = fields.UUID()
    citizen_id = fields.UUID()
    settled_at = VietnamDateTime(allow_none=True)
    settled_by = fields.String(allow_none=True)


class MyBenefitsSchema(Schema):
    programmes = fields.List(fields.Nested(MyEnrolmentSchema), attribute="enrolments")
    latest_payments = fields.List(fields.Nested(BenefitPaymentSchema))
    e_payment_account_linked = fields.Boolean()
    cashless_hint = fields.String(allow_none=True)


class ScheduleReportSchema(Schema):
    period = fields.String()
    created = fields.Integer()
    already_scheduled = fields.Integer()
    amount_vnd = fields.Integer(metadata={"description": "tổng tiền của các khoản vừa lập"})
    by_programme = fields.Dict(keys=fields.String(), values=fields.Integer())


class PayReportSchema(Schema):
    period = fields.String()
    sent = fields.Integer()
    amount_vnd = fields.Integer()
    by_channel = fields.Dict(keys=fields.String(), values=fields.Integer())
    held = fields.Integer(metadata={"description": "người hưởng đang tạm dừng: giữ lại, chưa chi"})
    cancelled = fields.Integer(
        metadata={"description": "người hưởng đã thôi hưởng trước kỳ này: huỷ, không chi"}
    )


class BenefitTallySchema(Schema):
    count = fields.Integer()
    amount_vnd = fields.Integer()


class ProgrammeStatisticsSchema(Schema):
    programme_code = fields.String()
    programme_name = fields.String()
    period = fields.String()
    beneficiaries = fields.Integer(metadata={"description": "số người trong danh sách chi trả kỳ này"})
    active_beneficiaries = fields.Integer(metadata={"description": "số người đang hưởng"})
    scheduled = fields.Nested(BenefitTallySchema, metadata={"description": "mọi khoản của kỳ"})
    waiting = fields.Nested(BenefitTallySchema, metadata={"description": "chờ chi trả"})
    paid = fields.Nested(BenefitTallySchema)
    failed = fields.Nested(BenefitTallySchema)
    returned = fields.Nested(BenefitTallySchema)
    cancelled = fields.Nested(BenefitTallySchema, metadata={"description": "đã huỷ: thôi hưởng trước kỳ"})
    cashless_paid = fields.Nested(BenefitTallySchema)
    paid_by_channel = fields.Dict(keys=fields.String(), values=fields.Nested(BenefitTallySchema))
    cashless_ratio_by_count = fields.Float(
        allow_none=True, metadata={"description": "đã chi không dùng tiền mặt / đã chi, theo số khoản"}
    )
    cashless_ratio_by_amount = fields.Float(
        allow_none=True, metadata={"description": "đã chi không dùng tiền mặt / đã chi, theo số tiền"}
    )


class BenefitStatisticsSchema(Schema):
    period = fields.String()
    programmes = fields.List(fields.Nested(ProgrammeStatisticsSchema))
    total = fields.Nested(ProgrammeStatisticsSchema)
