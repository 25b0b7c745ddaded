"""Sign-in and account rules for staff and machine accounts; claims for every kind of subject.

Citizens sign in through VNeID (api/auth/oidc.py), which ends in `sign_in_citizen` here.
"""

from __future__ import annotations

import secrets
import uuid

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from api.audit import record_audit
from api.auth import tokens
from api.auth.models import ServiceAccount, StaffUser
from api.citizens import service as citizens
from api.dbtypes import utcnow
from api.errors import ApiError
from api.extensions import db
from api.policy import STAFF_ROLES
from api.text import fold
from api.unit_of_work import checkpoint
from api.units import service as units

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both failures take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))

MIN_PASSWORD_LENGTH = 12
TOTP_ISSUER = "Công dân số"

_BAD_CREDENTIALS = ApiError(401, "invalid_credentials", "Tên đăng nhập hoặc mật khẩu không đúng.")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password_strength(password: str, *, field: str = "new_password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH or password.isalpha() or password.isdigit():
        raise ApiError(
            422,
            "weak_password",
            f"Mật khẩu phải dài ít nhất {MIN_PASSWORD_LENGTH} ký tự và gồm cả chữ lẫn số hoặc ký hiệu.",
            errors={field: ["Mật khẩu quá yếu."]},
        )


# ---- subjects and their claims -------------------------------------------------------------


def staff_claims(user: StaffUser) -> dict:
    return {"role": user.role}


def claims_for_subject(subject: str) -> dict | None:
    """Fresh claims for a subject at refresh time; None when the account is gone or disabled."""
    kind, _, ident = subject.partition(":")
    try:
        key = uuid.UUID(ident)
    except ValueError:
        return None
    if kind == "citizen":
        citizen = citizens.get_citizen(key)
        return citizens.token_claims(citizen) if citizen else None
    if kind == "staff":
        user = db.session.get(StaffUser, key)
        return staff_claims(user) if user and user.active else None
    return None  # machine accounts get no refresh tokens


# ---- staff ---------------------------------------------------------------------------------


def create_staff_user(
    username: str, full_name: str, role: str, password: str, ward_code: str | None = None
) -> StaffUser:
    if role not in STAFF_ROLES:
        raise ApiError(
            422, "unknown_role", "Vai trò không hợp lệ.", errors={"role": [f"Chọn một trong {STAFF_ROLES}"]}
        )
    check_password_strength(password)
    if ward_code is not None:
        ward_code = units.validate_ward_code(ward_code).code
    user = StaffUser(
        username=username.strip().lower(),
        full_name=full_name,
        role=role,
        ward_code=ward_code,
        password_hash=hash_password(password),
    )
    db.session.add(user)
    return user


def display_details(kind: str, principal_id: str) -> dict:
    """How a front end names who is signed in: staff by name and unit, never `staff:<id>`.
    Every key is always there (None where it does not apply), as the document says."""
    details = {"display_name": None, "ward_code": None, "ward_name": None}
    if kind == "staff":
        user = get_staff(uuid.UUID(principal_id))
        if user is not None:
            ward = units.get_ward(user.ward_code) if user.ward_code else None
            details.update(
                display_name=user.full_name, ward_code=user.ward_code, ward_name=ward.name if ward else None
            )
    elif kind == "citizen":
        citizen = citizens.get_citizen(uuid.UUID(principal_id))
        details["display_name"] = citizen.full_name if citizen else None
    else:
        details["display_name"] = principal_id
    return details


def staff_name(ref: str | None) -> str | None:
    """A colleague's name for `staff:<id>` (who acted, who is assigned, who wrote): staff read
    each other by name, not by id. None for anyone else (a citizen, a feed, the system) and for
    an id that names nobody."""
    kind, _, ident = (ref or "").partition(":")
    if kind != "staff":
        return None
    try:
        user = get_staff(uuid.UUID(ident))
    except ValueError:
        return None
    return user.full_name if user else None


def get_staff(user_id: uuid.UUID) -> StaffUser | None:
    return db.session.get(StaffUser, user_id)


def active_staff(role: str, ward_code: str | None) -> list[StaffUser]:
    """The active staff of one unit, by name: those of this role at this ward, and the province
    level ones of the role (ward None), who work for every ward."""
    return list(
        db.session.scalars(
            select(StaffUser)
            .where(
                StaffUser.active.is_(True),
                StaffUser.role == role,
                or_(StaffUser.ward_code == ward_code, StaffUser.ward_code.is_(None)),
            )
            .order_by(StaffUser.full_name, StaffUser.id)
        )
    )


def staff_by_username(username: str) -> StaffUser | None:
    return db.session.scalar(select(StaffUser).where(StaffUser.username == username.strip().lower()))


def sign_in_staff(username: str, password: str, totp_code: str | None) -> dict:
    user = staff_by_username(username)
    if user is None or not user.active:
        _password_matches(_DUMMY_HASH, password)
        _audit_failure("auth.staff_sign_in", username, "unknown_or_disabled")
        raise _BAD_CREDENTIALS
    if not _password_matches(user.password_hash, password):
        _audit_failure("auth.staff_sign_in", username, "bad_password", actor=f"staff:{user.id}")
        raise _BAD_CREDENTIALS
    if user.totp_enabled:
        if not totp_code:
            raise ApiError(401, "totp_required", "Nhập mã xác thực 6 số từ ứng dụng xác thực của bạn.")
        if not pyotp.TOTP(user.totp_secret).verify(totp_code, valid_window=1):
            _audit_failure("auth.staff_sign_in", username, "bad_totp", actor=f"staff:{user.id}")
            raise ApiError(401, "invalid_totp", "Mã xác thực không đúng hoặc đã hết hạn.")
    pair = tokens.start_session(f"staff:{user.id}", staff_claims(user))
    record_audit("auth.staff_sign_in", actor=f"staff:{user.id}", target=f"staff:{user.id}")
    return pair


def _audit_failure(action: str, username: str, reason: str, actor: str | None = None) -> None:
    record_audit(action, actor=actor, target=f"username:{username[:64]}", outcome="denied", reason=reason)
    checkpoint("a failed sign-in stays on the audit log although the request is refused")


def change_staff_password(user_id: uuid.UUID, current_password: str, new_password: str) -> None:
    user = _active_staff(user_id)
    if not _password_matches(user.password_hash, current_password):
        _audit_failure("auth.password_change", user.username, "bad_password", actor=f"staff:{user.id}")
        raise ApiError(
            403,
            "invalid_credentials",
            "Mật khẩu hiện tại không đúng.",
        )
    check_password_strength(new_password)
    if current_password == new_password:
        raise ApiError(
            422,
            "password_unchanged",
            "Mật khẩu mới phải khác mật khẩu hiện tại.",
            errors={"new_password": ["Trùng mật khẩu hiện tại."]},
        )
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    revoked = tokens.revoke_all_sessions(f"staff:{user.id}", "password_changed")
    record_audit("auth.password_change", target=f"staff:{user.id}", sessions_revoked=revoked)


def _active_staff(user_id: uuid.UUID) -> StaffUser:
    user = db.session.get(StaffUser, user_id)
    if user is None or not user.active:
        raise ApiError(401, "account_disabled", "Tài khoản đã bị khóa hoặc không còn tồn tại.")
    return user


def begin_totp_enrolment(user_id: uuid.UUID) -> dict:
    """Give the user a new secret to put in an authenticator app; active once confirmed."""
    user = _active_staff(user_id)
    if user.totp_enabled:
        raise ApiError(409, "totp_already_enabled", "Xác thực hai lớp đã được bật cho tài khoản này.")
    user.totp_secret = pyotp.random_base32()
    return {
        "secret": user.totp_secret,
        "otpauth_uri": pyotp.TOTP(user.totp_secret).provisioning_uri(
            name=user.username, issuer_name=TOTP_ISSUER
        ),
    }


def confirm_totp_enrolment(user_id: uuid.UUID, code: str) -> None:
    user = _active_staff(user_id)
    if user.totp_enabled:
        raise ApiError(409, "totp_already_enabled", "Xác thực hai lớp đã được bật cho tài khoản này.")
    if not user.totp_secret:
        raise ApiError(409, "totp_not_started", "Hãy bắt đầu đăng ký xác thực hai lớp trước.")
    if not pyotp.TOTP(user.totp_secret).verify(code, valid_window=1):
        raise ApiError(422, "invalid_totp", "Mã xác thực không đúng.", errors={"code": ["Mã không đúng."]})
    user.totp_enabled = True
    record_audit("auth.totp_enabled", target=f"staff:{user.id}")


# ---- machine accounts ----------------------------------------------------------------------


def create_service_account(
    client_id: str, name: str, scopes: list[str], secret: str | None = None
) -> tuple[ServiceAccount, str]:
    """Create a machine account; returns it with its secret, which is shown only this once."""
    secret = secret or secrets.token_urlsafe(32)
    account = ServiceAccount(
        client_id=client_id, name=name, scopes=sorted(set(scopes)), secret_hash=hash_password(secret)
    )
    db.session.add(account)
    return account, secret


def issue_service_token(client_id: str, client_secret: str, requested_scopes: list[str] | None) -> dict:
    account = db.session.scalar(select(ServiceAccount).where(ServiceAccount.client_id == client_id))
    if account is None or not account.active or not _password_matches(account.secret_hash, client_secret):
        if account is None:
            _password_matches(_DUMMY_HASH, client_secret)
        _audit_failure("auth.service_token", client_id, "bad_client")
        raise ApiError(401, "invalid_client", "Thông tin xác thực của hệ thống không đúng.")
    granted = set(account.scopes)
    scopes = set(requested_scopes) if requested_scopes else granted
    if not scopes <= granted:
        raise ApiError(
            403,
            "scope_not_granted",
            "Tài khoản hệ thống không được cấp các quyền đã yêu cầu.",
            errors={"scope": sorted(scopes - granted)},
        )
    pair = tokens.start_session(f"service:{account.id}", {"scopes": sorted(scopes)}, with_refresh=False)
    record_audit(
        "auth.service_token",
        actor=f"service:{account.id}",
        target=f"service:{account.id}",
        scopes=sorted(scopes),
    )
    pair["scope"] = " ".join(sorted(scopes))
    return pair


def service_account_for_api_key(api_key: str | None, scope: str) -> ServiceAccount | None:
    """The active machine account an `<client_id>:<secret>` API key names, if it holds `scope`.

    For standards that authenticate each request with a key rather than a bearer token
    (Open311's `api_key`). Every failure looks the same to the caller (None), takes the time
    of one password check, and is on the audit log like a failed token request.
    """
    client_id, _, secret = (api_key or "").partition(":")
    account = None
    if client_id and secret:
        account = db.session.scalar(select(ServiceAccount).where(ServiceAccount.client_id == client_id))
    if account is None:
        _password_matches(_DUMMY_HASH, secret)
        _audit_failure("auth.api_key", client_id, "bad_client")
        return None
    # The password check first: an inactive account answers in the time a wrong key does.
    if not _password_matches(account.secret_hash, secret) or not account.active:
        _audit_failure("auth.api_key", client_id, "bad_client", actor=f"service:{account.id}")
        return None
    if scope not in account.scopes:
        _audit_failure("auth.api_key", client_id, "scope_not_granted", actor=f"service:{account.id}")
        return None
    return account


# ---- citizens ------------------------------------------------------------------------------


def sign_in_citizen(citizen, **audit_detail) -> dict:
    """Tokens for a citizen whose identity VNeID has just vouched for (the browser's sign-in and
    the app's code exchange, api/auth/app_handoff.py); the request's unit of work commits them."""
    citizen.last_sign_in_at = utcnow()
    pair = tokens.start_session(f"citizen:{citizen.id}", citizens.token_claims(citizen))
    record_audit(
        "auth.citizen_sign_in",
        actor=f"citizen:{citizen.id}",
        target=f"citizen:{citizen.id}",
        identity_level=citizen.identity_level,
        **audit_detail,
    )
    return pair


def sign_out(session_id: str, subject: str) -> None:
    tokens.revoke_session_by_id(session_id, "signed_out")
    record_audit("auth.sign_out", actor=subject, target=f"session:{session_id}")


# ---- staff account administration (api/auth/admin.py) -------------------------------------
# Every change is on the audit log with the admin as actor, in the same transaction. A change
# that must cut someone off (deactivation, a new role, a two-factor reset) revokes every session
# of theirs at once: their access tokens stop working on the next request, not at expiry.


def _staff_subject(user: StaffUser) -> str:
    return f"staff:{user.id}"


def require_staff(user_id: uuid.UUID) -> StaffUser:
    user = db.session.get(StaffUser, user_id)
    if user is None:
        raise ApiError(404, "staff_not_found", "Không có tài khoản cán bộ này.")
    return user


def staff_accounts(
    *,
    role: str | None = None,
    active: bool | None = None,
    search: str | None = None,
    ids: list[uuid.UUID] | None = None,
):
    """The staff accounts as a `select()` for paging, by name; filters combine."""
    statement = select(StaffUser).order_by(StaffUser.full_name, StaffUser.username)
    if role is not None:
        statement = statement.where(StaffUser.role == role)
    if active is not None:
        statement = statement.where(StaffUser.active.is_(active))
    if ids is not None:
        statement = statement.where(StaffUser.id.in_(ids))
    if search:
        # Names are folded in Python: a province has hundreds of staff accounts, not millions,
        # and SQLite has no accent folding. Should that change, add a folded column.
        wanted = fold(search)
        rows = db.session.execute(select(StaffUser.id, StaffUser.full_name, StaffUser.username))
        matching = [row.id for row in rows if wanted in fold(row.full_name) or wanted in fold(row.username)]
        statement = statement.where(StaffUser.id.in_(matching))
    return statement


def create_staff_account(
    admin_id: uuid.UUID,
    *,
    username: str,
    full_name: str,
    role: str,
    ward_code: str | None = None,
    password: str | None = None,
) -> tuple[StaffUser, str | None]:
    """A new staff account; returns it with the generated password (None when the admin chose one)."""
    taken = ApiError(
        409,
        "username_taken",
        f"Tên đăng nhập '{username.strip().lower()}' đã có người dùng.",
        errors={"username": ["Tên đăng nhập đã tồn tại."]},
    )
    if staff_by_username(username) is not None:
        raise taken
    generated = None
    if password is None:
        generated = _generated_password()
    else:
        check_password_strength(password, field="password")
    try:
        with db.session.begin_nested():  # a savepoint, flushed here: only this insert is undone when refused
            user = create_staff_user(username, full_name, role, password or generated, ward_code)
    except IntegrityError as exc:  # another admin created the same username a moment ago
        raise taken from exc
    record_audit(
        "staff.created",
        actor=f"staff:{admin_id}",
        target=_staff_subject(user),
        username=user.username,
        role=role,
        ward_code=user.ward_code,
        password_generated=generated is not None,
    )
    return user, generated


def _generated_password() -> str:
    """16 random URL-safe characters that pass `check_password_strength` (about 1 draw in 28 is
    letters only, so draw again)."""
    while True:
        password = secrets.token_urlsafe(12)
        if not (password.isalpha() or password.isdigit()):
            return password


def _refuse_own_account(admin_id: uuid.UUID, user: StaffUser, detail: str) -> None:
    # An admin who could lock or demote themself could leave the province without an admin;
    # another admin must do it, so there is always one left who can undo a mistake.
    if user.id == admin_id:
        raise ApiError(403, "own_account", detail)


def update_staff_account(admin_id: uuid.UUID, user: StaffUser, changes: dict) -> StaffUser:
    """Change name, role or unit; a new role revokes the person's sessions (their tokens carry it)."""
    if "role" in changes and changes["role"] != user.role:
        _refuse_own_account(
            admin_id, user, "Bạn không thể tự đổi vai trò của mình; hãy nhờ một quản trị viên khác."
        )
    if changes.get("ward_code") is not None:
        changes["ward_code"] = units.validate_ward_code(changes["ward_code"]).code
    before = {name: getattr(user, name) for name in changes}
    changed = {name: [before[name], value] for name, value in changes.items() if before[name] != value}
    if not changed:
        return user
    for name, (_, value) in changed.items():
        setattr(user, name, value)
    revoked = 0
    if "role" in changed:
        revoked = tokens.revoke_all_sessions(_staff_subject(user), "role_changed")
    record_audit(
        "staff.updated",
        actor=f"staff:{admin_id}",
        target=_staff_subject(user),
        changes=changed,
        sessions_revoked=revoked,
    )
    return user


def deactivate_staff_account(admin_id: uuid.UUID, user: StaffUser) -> StaffUser:
    """Lock the account: no sign-in, and every open session ends now. Repeating it changes nothing."""
    _refuse_own_account(
        admin_id, user, "Bạn không thể tự khóa tài khoản của mình; hãy nhờ một quản trị viên khác."
    )
    if not user.active:
        return user
    user.active = False
    revoked = tokens.revoke_all_sessions(_staff_subject(user), "account_disabled")
    record_audit(
        "staff.deactivated", actor=f"staff:{admin_id}", target=_staff_subject(user), sessions_revoked=revoked
    )
    return user


def activate_staff_account(admin_id: uuid.UUID, user: StaffUser) -> StaffUser:
    """Unlock the account; the person signs in again with their password."""
    if user.active:
        return user
    user.active = True
    record_audit("staff.activated", actor=f"staff:{admin_id}", target=_staff_subject(user))
    return user


def reset_staff_totp(admin_id: uuid.UUID, user: StaffUser) -> StaffUser:
    """Turn two-factor sign-in off (a lost phone) so the person enrols again; their sessions end."""
    _refuse_own_account(
        admin_id, user, "Bạn không thể tự đặt lại xác thực hai lớp của mình; hãy nhờ một quản trị viên khác."
    )
    if not user.totp_enabled:
        raise ApiError(
            409, "totp_not_enabled", "Tài khoản này chưa bật xác thực hai lớp; không có gì để đặt lại."
        )
    user.totp_enabled = False
    user.totp_secret = None
    revoked = tokens.revoke_all_sessions(_staff_subject(user), "totp_reset")
    record_audit(
        "staff.totp_reset", actor=f"staff:{admin_id}", target=_staff_subject(user), sessions_revoked=revoked
    )
    return user


def service_accounts():
    """Machine accounts as a `select()` for paging, by client id."""
    return select(ServiceAccount).order_by(ServiceAccount.client_id)


# ---- VNeID sign-in ----------------------------------------------------------------------------


VNEID_CALLBACK_PATH = "/auth/vneid/callback"


def vneid_callback_url(config) -> str:
    """The redirect URI registered with VNeID: built from PUBLIC_BASE_URL in `config`, never
    from the request's Host header, which a client chooses. Used by the sign-in (api/auth/oidc.py)
    and by the development VNeID's registered client (api/auth/dev_idp/clients.py)."""
    return config["PUBLIC_BASE_URL"] + VNEID_CALLBACK_PATH
