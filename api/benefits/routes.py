"""Social-benefit endpoints (M36): the citizen's own payments, and the officers' desk.

Thin: parse, authorise (`@allow`), call api/benefits/service.py, serialise.

The citizen's routes need identity level 2. Which programme someone is paid by says they are
disabled, poor, elderly without a pension or a war invalid: health and financial data, which
Nghị định 13/2023/NĐ-CP treats as sensitive, and DOMAIN.md puts such records behind level 2.
A level-1 account (registered in VNeID without the in-person check) is told how to get level 2.
The chatbot reads them with the citizen's delegated token, which carries the citizen's level
and only reads (GET).
"""

from __future__ import annotations

import uuid

from flask.views import MethodView

from api.benefits import service
from api.benefits.schemas import (
    BeneficiaryQuerySchema,
    BeneficiarySchema,
    BeneficiaryStatusSchema,
    BenefitPaymentSchema,
    BenefitStatisticsQuerySchema,
    BenefitStatisticsSchema,
    EnrolSchema,
    MyBenefitsSchema,
    MyPaymentsQuerySchema,
    PayReportSchema,
    ProgrammeInSchema,
    ProgrammeSchema,
    ScheduleReportSchema,
    SettleSchema,
    StaffBenefitPaymentSchema,
)
from api.http import Blueprint, SelectPage
from api.policy import Citizen, Staff, allow, require_principal

citizen_blp = Blueprint(
    "benefits",
    __name__,
    url_prefix="/me/benefits",
    description="Trợ cấp xã hội của tôi: chế độ đang hưởng và tình trạng chi trả (M36)",
)
staff_blp = Blueprint(
    "benefit_staff",
    __name__,
    url_prefix="/staff/benefits",
    description="Cán bộ: chế độ trợ cấp, người hưởng, lập danh sách và chi trả hằng tháng, thống kê",
)

VERIFIED_CITIZEN = Citizen(min_level=2)
OFFICERS = Staff("officer", "admin")


def _actor() -> str:
    principal = require_principal()
    return f"{principal.kind}:{principal.id}"


def _citizen_id() -> uuid.UUID:
    return uuid.UUID(require_principal().id)


# ---- citizens -------------------------------------------------------------------------------


@citizen_blp.route("")
class MyBenefits(MethodView):
    @allow(VERIFIED_CITIZEN)
    @citizen_blp.response(200, MyBenefitsSchema)
    def get(self):
        """My programmes and my latest payments: status, channel, amount, date."""
        return service.my_benefits(_citizen_id())


@citizen_blp.route("/payments")
class MyPayments(MethodView):
    @allow(VERIFIED_CITIZEN)
    @citizen_blp.arguments(MyPaymentsQuerySchema, location="query")
    @citizen_blp.response(200, BenefitPaymentSchema(many=True))
    @citizen_blp.paginate(SelectPage)
    def get(self, query):
        """My payments, newest month first; `period=YYYY-MM` for one month."""
        period = service.parse_period(query["period"]) if "period" in query else None
        return service.my_payments(_citizen_id(), period)


@citizen_blp.route("/payments/<uuid:payment_id>")
class MyPayment(MethodView):
    @allow(VERIFIED_CITIZEN)
    @citizen_blp.response(200, BenefitPaymentSchema)
    def get(self, payment_id):
        """One of my payments; anyone else's answers 404."""
        return service.my_payment(_citizen_id(), payment_id)


# ---- officers -------------------------------------------------------------------------------


@staff_blp.route("/programmes")
class Programmes(MethodView):
    @allow(OFFICERS)
    @staff_blp.response(200, ProgrammeSchema(many=True))
    def get(self):
        """The programmes, by code."""
        return service.programmes()

    @allow(OFFICERS)
    @staff_blp.arguments(ProgrammeInSchema)
    @staff_blp.response(201, ProgrammeSchema)
    def post(self, data):
        """Create a programme (code, name, legal basis, monthly amount in VND). Audited."""
        return service.create_programme(data, actor=_actor())


@staff_blp.route("/beneficiaries")
class Beneficiaries(MethodView):
    @allow(OFFICERS)
    @staff_blp.arguments(BeneficiaryQuerySchema, location="query")
    @staff_blp.response(200, BeneficiarySchema(many=True))
    @staff_blp.paginate(SelectPage)
    def get(self, query):
        """Beneficiaries, newest first, by programme code and status. Audited (shows CCCD numbers)."""
        return service.search_beneficiaries(
            _actor(), programme=query.get("programme"), status=query.get("status")
        )

    @allow(OFFICERS)
    @staff_blp.arguments(EnrolSchema)
    @staff_blp.response(201, BeneficiarySchema)
    def post(self, data):
        """Enrol a citizen of the registry, found by CCCD, in a programme. Audited.

        A citizen whose enrolment in it ended is re-enrolled by the new decision (the same
        beneficiary id, from a month after the old end); 409 while enrolled and not ended."""
        return service.enrol(data, actor=_actor())


@staff_blp.route("/beneficiaries/<uuid:beneficiary_id>/status")
class BeneficiaryStatus(MethodView):
    @allow(OFFICERS)
    @staff_blp.arguments(BeneficiaryStatusSchema)
    @staff_blp.response(200, BeneficiarySchema)
    def post(self, data, beneficiary_id):
        """Suspend, resume or end an enrolment on a decision, with its reason. Audited; the citizen
        is told. Scheduled payments not yet sent are held."""
        return service.change_beneficiary_status(
            beneficiary_id,
            status=data["status"],
            reason=data["reason"],
            ends_on=data.get("ends_on"),
            actor=_actor(),
        )


@staff_blp.route("/periods/<string:period>/schedule")
class PeriodSchedule(MethodView):
    @allow(OFFICERS)
    @staff_blp.response(200, ScheduleReportSchema)
    def post(self, period):
        """Generate the month's schedule: one payment per active beneficiary, once. Audited."""
        return service.generate_schedule(period, actor=_actor())


@staff_blp.route("/periods/<string:period>/pay")
class PeriodPayment(MethodView):
    @allow(OFFICERS)
    @staff_blp.response(200, PayReportSchema)
    def post(self, period):
        """Send the month's payments: to the e-payment account when linked, else the beneficiary's
        channel. Running it again sends nothing twice. Audited."""
        return service.pay_period(period, actor=_actor())


@staff_blp.route("/payments/<uuid:payment_id>/settle")
class SettlePayment(MethodView):
    @allow(OFFICERS)
    @staff_blp.arguments(SettleSchema)
    @staff_blp.response(200, StaffBenefitPaymentSchema)
    def post(self, data, payment_id):
        """Record the channel's answer: paid, failed (with a reason) or returned (with one). Audited;
        the citizen is told."""
        return service.settle_payment(
            payment_id,
            status=data["status"],
            reason=data.get("reason"),
            paid_at=data.get("paid_at"),
            actor=_actor(),
        )


@staff_blp.route("/statistics")
class Statistics(MethodView):
    @allow(OFFICERS)
    @staff_blp.arguments(BenefitStatisticsQuerySchema, location="query")
    @staff_blp.response(200, BenefitStatisticsSchema)
    def get(self, query):
        """Per programme for a month: beneficiaries, amounts scheduled, paid, failed, returned, and
        the cashless ratio (cashless paid / all paid, by count and by amount)."""
        period = service.parse_period(query["period"]) if "period" in query else service.current_period()
        return service.statistics(period, programme=query.get("programme"))
