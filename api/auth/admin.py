"""Administration of staff accounts and a read-only view of machine accounts (admins only).

Thin over api/auth/service.py, which audits every change. Editing an account needs If-Match
with the ETag of the account as last read (as the citizen's own profile does, GET /me), so two
admins cannot overwrite each other's change unseen; the actions (lock, unlock, reset two-factor)
need none: doing one twice leaves the account as once.
"""

from __future__ import annotations

import uuid

from flask.views import MethodView

from api.auth import service
from api.auth.schemas import (
    ServiceAccountViewSchema,
    StaffAccountSchema,
    StaffCreatedSchema,
    StaffCreateSchema,
    StaffListQuerySchema,
    StaffPatchSchema,
)
from api.http import Blueprint, SelectPage
from api.policy import Staff, allow, require_principal

blp = Blueprint(
    "staff_admin",
    __name__,
    url_prefix="/admin",
    description="Quản trị tài khoản cán bộ và tài khoản hệ thống",
)

ADMINS = Staff("admin")


def _admin_id() -> uuid.UUID:
    return uuid.UUID(require_principal().id)


class _Created:
    """The new account as StaffCreatedSchema dumps it: the account's fields and the password
    generated for it, which is kept nowhere else."""

    def __init__(self, user, generated_password: str | None) -> None:
        self._user = user
        self.generated_password = generated_password

    def __getattr__(self, name):
        return getattr(self._user, name)


@blp.route("/staff")
class StaffAccounts(MethodView):
    @allow(ADMINS)
    @blp.arguments(StaffListQuerySchema, location="query")
    @blp.response(200, StaffAccountSchema(many=True))
    @blp.paginate(SelectPage, page_size=20)
    def get(self, query):
        """Staff accounts by name; filter by role and state, search name or username without accents."""
        return service.staff_accounts(
            role=query.get("role"), active=query.get("active"), search=query.get("q"), ids=query.get("id")
        )

    @allow(ADMINS)
    @blp.arguments(StaffCreateSchema)
    @blp.response(201, StaffCreatedSchema)
    @blp.alt_response(409, description="`username_taken`: tên đăng nhập đã có người dùng")
    @blp.alt_response(
        422, description="`validation_failed`, `weak_password`, `unknown_role`, `unknown_ward`: xem `errors`"
    )
    def post(self, body):
        """Create a staff account. Without `password` one is generated and returned this once."""
        user, generated = service.create_staff_account(_admin_id(), **body)
        return _Created(user, generated)


@blp.route("/staff/<uuid:staff_id>")
@blp.etag
class StaffAccount(MethodView):
    @allow(ADMINS)
    @blp.response(200, StaffAccountSchema)
    @blp.alt_response(404, description="`staff_not_found`")
    def get(self, staff_id):
        """One staff account."""
        return service.require_staff(staff_id)

    @allow(ADMINS)
    @blp.arguments(StaffPatchSchema)
    @blp.response(200, StaffAccountSchema)
    @blp.alt_response(403, description="`own_account`: không tự đổi vai trò của mình")
    @blp.alt_response(404, description="`staff_not_found`")
    @blp.alt_response(422, description="`validation_failed`, `unknown_ward`: xem `errors`")
    def patch(self, body, staff_id):
        """Change name, role or unit. Needs If-Match; a new role ends the person's sessions at once."""
        user = service.require_staff(staff_id)
        blp.check_etag(user, StaffAccountSchema)
        return service.update_staff_account(_admin_id(), user, body)


@blp.route("/staff/<uuid:staff_id>/deactivate")
@blp.etag
class DeactivateStaff(MethodView):
    @allow(ADMINS)
    @blp.response(200, StaffAccountSchema)
    @blp.alt_response(403, description="`own_account`: không tự khóa tài khoản của mình")
    @blp.alt_response(404, description="`staff_not_found`")
    def post(self, staff_id):
        """Lock the account: sign-in refused and every open session ended at once."""
        return service.deactivate_staff_account(_admin_id(), service.require_staff(staff_id))


@blp.route("/staff/<uuid:staff_id>/activate")
@blp.etag
class ActivateStaff(MethodView):
    @allow(ADMINS)
    @blp.response(200, StaffAccountSchema)
    @blp.alt_response(404, description="`staff_not_found`")
    def post(self, staff_id):
        """Unlock the account; the person signs in again with their password."""
        return service.activate_staff_account(_admin_id(), service.require_staff(staff_id))


@blp.route("/staff/<uuid:staff_id>/totp-reset")
@blp.etag
class ResetStaffTotp(MethodView):
    @allow(ADMINS)
    @blp.response(200, StaffAccountSchema)
    @blp.alt_response(403, description="`own_account`: không tự đặt lại xác thực hai lớp của mình")
    @blp.alt_response(404, description="`staff_not_found`")
    @blp.alt_response(409, description="`totp_not_enabled`: tài khoản chưa bật xác thực hai lớp")
    def post(self, staff_id):
        """Turn two-factor sign-in off so the person enrols again (a lost phone); their sessions end."""
        return service.reset_staff_totp(_admin_id(), service.require_staff(staff_id))


@blp.route("/service-accounts")
class ServiceAccounts(MethodView):
    @allow(ADMINS)
    @blp.response(200, ServiceAccountViewSchema(many=True))
    @blp.paginate(SelectPage, page_size=20)
    def get(self):
        """Machine accounts (chatbot actions, camera feed) with their scopes; never their secrets."""
        return service.service_accounts()
