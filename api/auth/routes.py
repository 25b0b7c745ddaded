"""Sign-in, token refresh, sign-out, staff passwords and two-factor codes, machine tokens.

Citizens sign in with VNeID: see api/auth/oidc.py (`/auth/vneid/login`).
"""

from __future__ import annotations

import uuid

from flask.views import MethodView
from flask_jwt_extended import get_jwt

from api.auth import service, tokens
from api.auth.schemas import (
    PasswordChangeSchema,
    ServiceTokenRequestSchema,
    StaffSignInSchema,
    TokenPairSchema,
    TotpConfirmSchema,
    TotpEnrolmentSchema,
    WhoAmISchema,
)
from api.extensions import limiter, sign_in_limit
from api.http import Blueprint
from api.policy import PUBLIC, REFRESH_TOKEN, Citizen, Service, Staff, allow, require_principal

blp = Blueprint("auth", __name__, url_prefix="/auth", description="Đăng nhập và phiên làm việc")


@blp.route("/staff/login")
class StaffSignIn(MethodView):
    decorators = [limiter.limit(sign_in_limit)]

    @allow(PUBLIC)
    @blp.arguments(StaffSignInSchema)
    @blp.response(200, TokenPairSchema)
    def post(self, body):
        """Staff sign in with username, password and, when enabled, a TOTP code."""
        return service.sign_in_staff(body["username"], body["password"], body.get("totp"))


@blp.route("/refresh")
class Refresh(MethodView):
    decorators = [limiter.limit(sign_in_limit)]

    @allow(REFRESH_TOKEN)
    @blp.response(200, TokenPairSchema)
    @blp.doc(description="Gửi refresh token trong tiêu đề Authorization.")
    def post(self):
        """Exchange a refresh token for a new pair; the old refresh token stops working."""
        return tokens.rotate(get_jwt(), service.claims_for_subject)


@blp.route("/logout")
class SignOut(MethodView):
    @allow(Citizen(), Staff(), Service())
    @blp.response(204)
    def post(self):
        """End this session: its access and refresh tokens stop working at once."""
        principal = require_principal()
        service.sign_out(principal.session_id, f"{principal.kind}:{principal.id}")


@blp.route("/whoami")
class WhoAmI(MethodView):
    @allow(Citizen(), Staff(), Service())
    @blp.response(200, WhoAmISchema)
    def get(self):
        """Who the presented token belongs to."""
        principal = require_principal()
        return {
            "kind": principal.kind,
            "id": principal.id,
            "role": principal.role,
            "identity_level": principal.identity_level,
            "scopes": sorted(principal.scopes),
            **service.display_details(principal.kind, principal.id),
        }


@blp.route("/staff/password")
class StaffPassword(MethodView):
    decorators = [limiter.limit(sign_in_limit)]

    @allow(Staff())
    @blp.arguments(PasswordChangeSchema)
    @blp.response(204)
    def post(self, body):
        """Change one's password; every session of the account is revoked."""
        principal = require_principal()
        service.change_staff_password(uuid.UUID(principal.id), body["current_password"], body["new_password"])


@blp.route("/staff/totp")
class StaffTotp(MethodView):
    @allow(Staff())
    @blp.response(201, TotpEnrolmentSchema)
    def post(self):
        """Start two-factor enrolment: returns a secret for an authenticator app."""
        return service.begin_totp_enrolment(uuid.UUID(require_principal().id))


@blp.route("/staff/totp/confirm")
class StaffTotpConfirm(MethodView):
    @allow(Staff())
    @blp.arguments(TotpConfirmSchema)
    @blp.response(204)
    def post(self, body):
        """Confirm enrolment with a current code; from then on sign-in needs one."""
        service.confirm_totp_enrolment(uuid.UUID(require_principal().id), body["code"])


@blp.route("/service/token")
class ServiceToken(MethodView):
    decorators = [limiter.limit(sign_in_limit)]

    @allow(PUBLIC)
    @blp.arguments(ServiceTokenRequestSchema)
    @blp.response(200, TokenPairSchema)
    def post(self, body):
        """Client-credentials sign-in for machine accounts; the token carries the granted scopes."""
        scopes = body["scope"].split() if body.get("scope") else None
        return service.issue_service_token(body["client_id"], body["client_secret"], scopes)
