"""The action server's one door to the Công dân số API, over httpx.

Three kinds of call:
- public look-ups (catalogue, dossier tracking), as the machine account (see below), so the
  API's per-address limit for the public does not count all chatting citizens as one client;
- the signed-in citizen's own data, with the short-lived token the API put in the message's
  metadata: the API, not the bot, decides what that citizen may see;
- the action server's own requests (handoffs), with a machine token from the client-credentials
  sign-in, cached until shortly before it expires and fetched again once when the API refuses it
  (the session may have been revoked, or the API's database reset).

Whatever goes wrong on the way (network, timeout, 5xx, rate limit, an answer that is not JSON)
becomes `ApiUnavailable`; the actions turn it into a Vietnamese answer with the hotline.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass
from typing import Any

import httpx

log = logging.getLogger(__name__)

DEFAULT_API_URL = "http://127.0.0.1:8000"
# The development demo account (`flask seed-demo`); production sets its own in the environment.
DEFAULT_CLIENT_ID = "chatbot-actions"
DEFAULT_CLIENT_SECRET = "dev-chatbot-secret-change-me"  # noqa: S105
# A citizen is waiting for the answer: better the hotline after 3 s than a silent bot.
DEFAULT_TIMEOUT_SECONDS = 3.0
# Fetch a new machine token this long before the old one expires, so no request carries one
# that expires on the way.
TOKEN_EXPIRY_MARGIN_SECONDS = 30
# The API's problem codes for a citizen's delegated token it was handed (`on_behalf_of`) and
# refused: expired, revoked, forged (api/auth/tokens.py: delegated_subject).
DELEGATION_REFUSED = "delegated_token_"


@dataclass(frozen=True)
class Settings:
    base_url: str
    client_id: str
    client_secret: str
    timeout: float = DEFAULT_TIMEOUT_SECONDS

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            base_url=(os.environ.get("CDS_API_URL") or DEFAULT_API_URL).rstrip("/"),
            client_id=os.environ.get("CHATBOT_CLIENT_ID") or DEFAULT_CLIENT_ID,
            client_secret=os.environ.get("CHATBOT_CLIENT_SECRET") or DEFAULT_CLIENT_SECRET,
            timeout=float(os.environ.get("CDS_API_TIMEOUT_SECONDS") or DEFAULT_TIMEOUT_SECONDS),
        )


class ApiUnavailable(Exception):
    """The API could not be reached or did not answer properly: only the hotline can help now."""


class ApiRefused(Exception):
    """The API understood the request and said no (a 4xx other than a rate limit)."""

    def __init__(self, status: int, code: str | None, detail: str | None = None) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail


class NotFound(ApiRefused):
    """404: no such procedure, dossier, conversation, or not one this caller may see."""


class SignInRequired(ApiRefused):
    """The citizen's token was refused (expired, revoked, forged): they have to sign in again."""


@dataclass(frozen=True)
class ApiResponse:
    status: int
    data: Any
    headers: httpx.Headers


class ApiClient:
    """One httpx client per event loop (the action server runs one), shared by every action."""

    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._token_lock: asyncio.Lock | None = None
        self._service_token: str | None = None
        self._service_token_expires_at = 0.0

    # ---- the three kinds of call --------------------------------------------------------------

    async def get_public(self, path: str, params: dict[str, Any] | None = None) -> ApiResponse:
        """Public data, asked as the machine account: the API's per-address limit for the
        public would otherwise count every citizen chatting as one client."""
        return self._checked(await self._send_as_service("GET", path, params=params))

    async def get_as_citizen(
        self, path: str, citizen_token: str, params: dict[str, Any] | None = None
    ) -> ApiResponse:
        response = await self._send("GET", path, params=params, token=citizen_token)
        if response.status_code == 401:
            raise SignInRequired(401, _problem_code(response), _problem_detail(response))
        return self._checked(response)

    async def post_as_service(self, path: str, json: dict[str, Any]) -> ApiResponse:
        """The action server's own requests, and those it makes for a citizen: the body then
        carries the citizen's delegated token (`on_behalf_of`), which the API checks itself;
        its refusal raises SignInRequired."""
        return self._checked(await self._send_as_service("POST", path, json=json))

    async def _send_as_service(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        token = await self._machine_token()
        response = await self._send(method, path, token=token, **kwargs)
        if response.status_code == 401 and not _delegation_refused(response):
            # Revoked, or signed by a key the API no longer has: one fresh token, one more try.
            self._forget_machine_token(token)
            response = await self._send(method, path, token=await self._machine_token(), **kwargs)
        if _delegation_refused(response):
            # The citizen's token handed over as `on_behalf_of` was refused, not ours.
            raise SignInRequired(401, _problem_code(response), _problem_detail(response))
        if response.status_code in (401, 403):
            log.error(
                "the API refuses the action server's machine account on %s: %s (check its scopes)",
                path,
                _problem_code(response),
            )
            raise ApiUnavailable(f"machine account refused on {path}")
        return response

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # ---- machine token --------------------------------------------------------------------------

    async def _machine_token(self) -> str:
        if self._service_token and time.monotonic() < self._service_token_expires_at:
            return self._service_token
        async with self._lock():
            # Another request may have fetched it while this one waited for the lock.
            if self._service_token and time.monotonic() < self._service_token_expires_at:
                return self._service_token
            response = await self._send(
                "POST",
                "/auth/service/token",
                json={"client_id": self.settings.client_id, "client_secret": self.settings.client_secret},
            )
            if response.status_code != 200:
                log.error(
                    "the action server cannot sign in to the API as %s: %s %s",
                    self.settings.client_id,
                    response.status_code,
                    _problem_code(response),
                )
                raise ApiUnavailable("machine sign-in failed")
            body = _json(response)
            token = body.get("access_token") if isinstance(body, dict) else None
            if not token:
                raise ApiUnavailable("machine sign-in answered without a token")
            lifetime = float(body.get("expires_in") or 0)
            self._service_token = token
            self._service_token_expires_at = time.monotonic() + max(lifetime - TOKEN_EXPIRY_MARGIN_SECONDS, 0)
            return token

    def _forget_machine_token(self, token: str) -> None:
        if self._service_token == token:
            self._service_token = None
            self._service_token_expires_at = 0.0

    # ---- transport --------------------------------------------------------------------------

    def _http(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            # A client is bound to the loop it was first used on; tests run several loops.
            self._client = httpx.AsyncClient(
                base_url=self.settings.base_url,
                timeout=self.settings.timeout,
                transport=self._transport,
                headers={"Accept": "application/json"},
            )
            self._loop = loop
            self._token_lock = None
        return self._client

    def _lock(self) -> asyncio.Lock:
        self._http()  # binds the lock to the current loop too
        if self._token_lock is None:
            self._token_lock = asyncio.Lock()
        return self._token_lock

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        token: str | None = None,
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else None
        try:
            response = await self._http().request(method, path, params=params, json=json, headers=headers)
        except httpx.HTTPError as exc:
            log.warning("API unreachable: %s %s: %s", method, path, type(exc).__name__)
            raise ApiUnavailable(f"{method} {path}: {type(exc).__name__}") from exc
        if response.status_code >= 500 or response.status_code == 429:
            log.warning(
                "API could not answer: %s %s: %s (request id %s)",
                method,
                path,
                response.status_code,
                response.headers.get("X-Request-ID"),
            )
            raise ApiUnavailable(f"{method} {path}: {response.status_code}")
        return response

    @staticmethod
    def _checked(response: httpx.Response) -> ApiResponse:
        if response.status_code == 404:
            raise NotFound(404, _problem_code(response), _problem_detail(response))
        if response.status_code >= 400:
            raise ApiRefused(response.status_code, _problem_code(response), _problem_detail(response))
        return ApiResponse(response.status_code, _json(response), response.headers)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise ApiUnavailable(f"{response.request.url.path}: the answer is not JSON") from exc


def _problem(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _delegation_refused(response: httpx.Response) -> bool:
    return response.status_code == 401 and (_problem_code(response) or "").startswith(DELEGATION_REFUSED)


def _problem_code(response: httpx.Response) -> str | None:
    return _problem(response).get("code")


def _problem_detail(response: httpx.Response) -> str | None:
    return _problem(response).get("detail")


_shared: ApiClient | None = None


def api() -> ApiClient:
    """The process's client, configured from the environment on first use."""
    global _shared
    if _shared is None:
        _shared = ApiClient(Settings.from_env())
    return _shared
