"""The one authorisation policy: every route declares who may call it.

A view (or a MethodView method) is decorated with `allow(...)` and one or more rules:

    @allow(PUBLIC)                        anyone, signed in or not
    @allow(PUBLIC_FOREIGN_TOKEN)          anyone; the bearer token is another issuer's, not read
    @allow(REFRESH_TOKEN)                 a caller presenting a refresh token (token refresh only)
    @allow(Citizen())                     a signed-in citizen (identity level 1 or 2)
    @allow(Citizen(min_level=2))          a citizen verified in person (personal records)
    @allow(Staff("officer", "admin"))     staff with one of these roles; Staff() is any staff
    @allow(Service("chat:lookup"))        a machine account holding this scope

Several rules mean "any of them". The policy is enforced once, in a `before_request` hook,
for every endpoint of the app; an endpoint without a policy is refused (deny by default), and
`tests/test_policy.py` walks the URL map and fails when any route lacks one. Ownership of
data ("a citizen sees only their own dossiers") is the services' job: they filter by the
principal and answer 404 for anything else.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app, g, request
from flask_jwt_extended import get_jwt, verify_jwt_in_request
from flask_smorest import Blueprint

from api.errors import ApiError

log = logging.getLogger(__name__)

STAFF_ROLES = ("officer", "police", "comms", "agent", "leader", "admin")


@dataclass(frozen=True)
class Principal:
    """Who is calling: derived from the verified access token's claims."""

    kind: str  # "citizen" | "staff" | "service"
    id: str
    session_id: str | None = None
    role: str | None = None
    identity_level: int | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    # Set on a delegated token (api/auth/tokens.py: delegated_access_token): who holds it.
    via: str | None = None

    @classmethod
    def from_claims(cls, claims: dict) -> Principal:
        kind, _, ident = str(claims["sub"]).partition(":")
        return cls(
            kind=kind,
            id=ident,
            session_id=claims.get("sid"),
            role=claims.get("role"),
            identity_level=claims.get("lvl"),
            scopes=frozenset(claims.get("scopes") or ()),
            via=claims.get("via"),
        )


class Rule:
    public = False
    refresh = False

    def allows(self, principal: Principal) -> bool:  # pragma: no cover - interface
        raise NotImplementedError

    def refusal(self, principal: Principal) -> ApiError:
        return ApiError(403, "forbidden", "Tài khoản của bạn không có quyền thực hiện thao tác này.")


class _Public(Rule):
    public = True

    def allows(self, principal: Principal) -> bool:
        return True

    def __repr__(self) -> str:
        return "PUBLIC"


PUBLIC = _Public()


class _PublicForeignToken(_Public):
    """Public, and the Authorization header carries another issuer's token (the development
    VNeID's userinfo endpoint): the API must not try to read it as one of its own."""

    reads_api_token = False

    def __repr__(self) -> str:
        return "PUBLIC_FOREIGN_TOKEN"


PUBLIC_FOREIGN_TOKEN = _PublicForeignToken()


class _RefreshToken(Rule):
    """Only the token-refresh endpoint: the caller presents a refresh token, not an access token."""

    refresh = True

    def allows(self, principal: Principal) -> bool:
        return True

    def __repr__(self) -> str:
        return "REFRESH_TOKEN"


REFRESH_TOKEN = _RefreshToken()


@dataclass(frozen=True)
class Citizen(Rule):
    min_level: int = 1

    def allows(self, principal: Principal) -> bool:
        return principal.kind == "citizen" and (principal.identity_level or 0) >= self.min_level

    def refusal(self, principal: Principal) -> ApiError:
        if principal.kind == "citizen":
            return ApiError(
                403,
                "identity_level_required",
                "Thông tin này chỉ dành cho tài khoản định danh điện tử mức 2. Bạn có thể nâng cấp "
                "bằng cách mang thẻ căn cước gắn chip đến Công an cấp xã nơi cư trú gần nhất để được "
                "xác thực sinh trắc học, sau đó đăng nhập lại bằng VNeID.",
                required_level=self.min_level,
            )
        return super().refusal(principal)


class Staff(Rule):
    def __init__(self, *roles: str) -> None:
        unknown = set(roles) - set(STAFF_ROLES)
        if unknown:
            raise ValueError(f"unknown staff roles: {sorted(unknown)}")
        self.roles = frozenset(roles)

    def allows(self, principal: Principal) -> bool:
        return principal.kind == "staff" and (not self.roles or principal.role in self.roles)

    def __repr__(self) -> str:
        return f"Staff({', '.join(sorted(self.roles))})"


class Service(Rule):
    def __init__(self, *scopes: str) -> None:
        self.scopes = frozenset(scopes)

    def allows(self, principal: Principal) -> bool:
        return principal.kind == "service" and self.scopes <= principal.scopes

    def __repr__(self) -> str:
        return f"Service({', '.join(sorted(self.scopes))})"


@dataclass(frozen=True)
class Policy:
    rules: tuple[Rule, ...]

    @property
    def public(self) -> bool:
        return any(rule.public for rule in self.rules)

    @property
    def reads_api_token(self) -> bool:
        return all(getattr(rule, "reads_api_token", True) for rule in self.rules)

    @property
    def refresh(self) -> bool:
        return any(rule.refresh for rule in self.rules)


def allow(*rules: Rule) -> Callable:
    """Declare who may call the decorated view; also documents it in the OpenAPI spec."""
    if not rules:
        raise ValueError("allow() needs at least one rule")
    policy = Policy(tuple(rules))

    def decorator(func: Callable) -> Callable:
        if not policy.public:
            func = Blueprint.doc(security=[{"bearerAuth": []}])(func)
        func.__policy__ = policy  # type: ignore[attr-defined]
        return func

    return decorator


def handler_for(app: Flask, endpoint: str, method: str) -> Callable | None:
    """The function that serves `method` on `endpoint`: a view, or a MethodView's method."""
    view = app.view_functions.get(endpoint)
    if view is None:
        return None
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        return view
    name = "get" if method == "HEAD" else method.lower()
    return getattr(view_class, name, None)


# Endpoints the frameworks register themselves. They serve only public material.
FRAMEWORK_PUBLIC_ENDPOINTS = frozenset({"api-docs.openapi_json"})
_PUBLIC_POLICY = Policy((PUBLIC,))


def policy_of(app: Flask, endpoint: str, method: str) -> Policy | None:
    if endpoint in FRAMEWORK_PUBLIC_ENDPOINTS:
        return _PUBLIC_POLICY
    handler = handler_for(app, endpoint, method)
    return getattr(handler, "__policy__", None)


def current_principal() -> Principal | None:
    return g.get("principal")


def require_principal() -> Principal:
    principal = current_principal()
    if principal is None:  # pragma: no cover - policy enforcement runs first
        raise ApiError(401, "unauthorized", "Bạn cần đăng nhập để thực hiện thao tác này.")
    return principal


def _checked(principal: Principal) -> Principal:
    """A delegated token only reads: the chatbot may look at a citizen's data, never change it."""
    if principal.via and request.method not in ("GET", "HEAD"):
        raise ApiError(
            403,
            "delegated_token_read_only",
            "Mã truy cập ủy quyền chỉ dùng để xem thông tin, không dùng để thay đổi dữ liệu.",
        )
    return principal


def init_policy(app: Flask) -> None:
    @app.before_request
    def enforce_policy() -> None:
        if request.endpoint is None or request.method == "OPTIONS":
            return  # routing answers 404/405 itself; OPTIONS reveals no data
        policy = policy_of(current_app, request.endpoint, request.method)
        if policy is None:
            log.error("route without authorisation policy: %s %s", request.method, request.endpoint)
            raise ApiError(403, "no_policy", "Đường dẫn này chưa được cấp quyền truy cập.")
        if policy.public:
            # A public route may still tailor its answer to a signed-in caller.
            if policy.reads_api_token and verify_jwt_in_request(optional=True):
                g.principal = _checked(Principal.from_claims(get_jwt()))
            return
        if policy.refresh:
            verify_jwt_in_request(refresh=True)
            return
        verify_jwt_in_request()
        principal = _checked(Principal.from_claims(get_jwt()))
        g.principal = principal
        if not any(rule.allows(principal) for rule in policy.rules):
            refusals = [rule.refusal(principal) for rule in policy.rules]
            specific = [r for r in refusals if r.code != "forbidden"]
            raise (specific or refusals)[0]
