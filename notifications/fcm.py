"""Push delivery through Firebase Cloud Messaging (HTTP v1), with firebase-admin's own code.

The contract the dispatcher and campaigns use:

- `push_enabled()`: push is configured (a service-account file in `GOOGLE_APPLICATION_CREDENTIALS`,
  or the `FCM_ENDPOINT` override used by tests and benchmarks). Without it the inbox still
  delivers and `/ready` reports push "off".
- `PushItem` / `PushResult` / `send_batch(items)`: up to 500 messages per call, sent with
  `firebase_admin.messaging.send_each` (one HTTP v1 request per message, on its thread pool),
  one result per item in the same order. Never raises for a delivery failure: each result says
  whether it was delivered, FCM's error code, whether trying again later can help
  (`retryable`), and whether the token is dead and must be deleted (`token_dead`).
- `check()`: builds the firebase-admin app (loads the service-account file) or raises
  `PushConfigError`. Senders call it *before* claiming anything, so a broken credentials file
  leaves nothing half-sent; `/ready` calls it through `push_status()` and says "down".
- `validate_text(title, body)`: what a sender may put in a notification (limits below).
- Topics. Every device token is subscribed (notifications/service.py, best effort) to the
  topics of its citizen: everybody (`role-citizen`), the province (`province-66`), the ward
  (`ward-24133`) and the identity level (`role-verified` / `role-unverified`), with
  firebase-admin's `subscribe_to_topic` / `unsubscribe_from_topic` (`subscribe`,
  `unsubscribe` here). `send_to_topic(topic, title, body)` is for urgent broadcasts (a storm
  warning to a province in one call). Campaigns do NOT send to topics: they stream the
  audience's devices from the database in batches of 500 (see notifications/campaigns),
  because a topic send gives one message id and no per-device outcome, and the comms staff
  must show targeted / sent / failed per campaign.

Error policy. FCM answers each message on its own; the outcome decides what we do next:

    UNREGISTERED (404), INVALID_ARGUMENT on the token (400)  -> not retryable, delete the token
    QUOTA_EXCEEDED (429), UNAVAILABLE (503), INTERNAL (500),
      other 5xx, timeouts, connection refused, our own credentials refused (401/403)
                                                              -> retryable (later, with backoff)
    anything else (SENDER_ID_MISMATCH, THIRD_PARTY_AUTH_ERROR, a malformed message)
                                                              -> not retryable, token kept

Credentials refused are retryable on purpose: they are our misconfiguration, not the citizen's,
and an outbox event waiting for the fix is better than one dropped. SENDER_ID_MISMATCH keeps the
token: a wrong project id would otherwise delete every citizen's token in one run.

Transport. firebase-admin's HTTP session retries 500/503 up to four times with backoff *inside*
the call (up to ~7 s per message, holding a worker), and pools 100 connections to Google's host
only. Here retries belong to the outbox (the dispatcher backs off per event) and campaigns, so the
session's adapter for the FCM host is replaced by one that does not retry on status and keeps up
to 500 connections alive (one per `send_each` worker). Everything else, the message encoding,
the requests, the error parsing, is the library's.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import firebase_admin
import requests
from firebase_admin import credentials, exceptions, messaging
from flask import current_app
from google.oauth2.credentials import Credentials as OAuth2Credentials
from urllib3.util.retry import Retry

from api.errors import ApiError
from api.text import nfc

log = logging.getLogger(__name__)

MAX_BATCH = 500  # send_each's own limit, and FCM's documented batch size
GOOGLE_FCM_ENDPOINT = "https://fcm.googleapis.com"

# FCM refuses a message above 4096 bytes of payload (notification + data). Vietnamese letters
# with diacritics take 2 to 3 bytes in UTF-8, so the limits are in characters and leave room for
# the data fields (deep link, ids): 3 x (65 + 240) = 915 bytes at worst. 65 characters is what
# Android and iOS show of a title before cutting it; 240 what an expanded notification shows.
TITLE_MAX_CHARS = 65
BODY_MAX_CHARS = 240
PAYLOAD_MAX_BYTES = 4096

# Codes in PushResult.error_code (FCM's own, plus two of ours).
UNREGISTERED = "UNREGISTERED"
INVALID_TOKEN = "INVALID_TOKEN"  # noqa: S105 (an error code) - INVALID_ARGUMENT about the registration token itself
PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"  # refused here, before sending
DEAD_TOKEN_CODES = frozenset({UNREGISTERED, INVALID_TOKEN})
RETRYABLE_CODES = frozenset(
    {
        "QUOTA_EXCEEDED",
        "UNAVAILABLE",
        "INTERNAL",
        "UNKNOWN",
        "DEADLINE_EXCEEDED",
        "RESOURCE_EXHAUSTED",
        "UNAUTHENTICATED",
        "PERMISSION_DENIED",
    }
)

_TOPIC_SAFE = re.compile(r"[^a-zA-Z0-9\-_.~%]")
MAX_TOPIC_TOKENS = 1000  # subscribe_to_topic's own limit per call
# Topic-management answers about the token itself: nothing to subscribe or unsubscribe any more.
TOPIC_TOKEN_GONE = frozenset(
    {"NOT_FOUND", "INVALID_ARGUMENT", "UNREGISTERED", "REGISTRATION_TOKEN_NOT_REGISTERED"}
)


class PushConfigError(RuntimeError):
    """Push is configured but cannot work: the service-account file is unreadable or invalid.

    Not a delivery failure: nothing was sent, so senders keep everything for a later try.
    """


@dataclass
class PushItem:
    token: str
    title: str
    body: str
    data: dict[str, str] = field(default_factory=dict)
    image_url: str | None = None


@dataclass
class PushResult:
    token: str
    ok: bool
    error_code: str | None
    retryable: bool
    # Seconds FCM asked us to wait (Retry-After on 429/503), when it said so.
    retry_after: float | None = None

    @property
    def token_dead(self) -> bool:
        """FCM says this token will never receive anything again: delete it."""
        return self.error_code in DEAD_TOKEN_CODES


# ---- configuration ---------------------------------------------------------------------------


def _settings() -> tuple[str, str, str, float]:
    config = current_app.config
    return (
        (config.get("FCM_ENDPOINT") or "").rstrip("/"),
        config.get("FCM_PROJECT_ID") or "",
        config.get("GOOGLE_APPLICATION_CREDENTIALS") or "",
        float(config.get("FCM_TIMEOUT_SECONDS") or 10),
    )


def push_enabled() -> bool:
    """Whether push can be sent: credentials (a readable file) or the local endpoint override."""
    endpoint, _, credentials_path, _ = _settings()
    if endpoint:
        return True
    return bool(credentials_path) and Path(credentials_path).is_file()


def push_status() -> tuple[str, str]:
    """(state, Vietnamese detail) for `/ready`: "ok", "off", or "down" when the credentials file
    cannot be loaded (push is optional: the API stays ready, the inbox still delivers)."""
    endpoint, project, credentials_path, _ = _settings()
    if push_enabled():
        try:
            check()
        except PushConfigError as error:
            return "down", f"không dùng được tệp khoá dịch vụ FCM ({error}); thông báo chờ trong hàng đợi"
    if endpoint:
        return "ok", f"FCM tại {endpoint} (dự án {project or 'mặc định'})"
    if credentials_path and Path(credentials_path).is_file():
        return "ok", f"FCM HTTP v1 (dự án {project or 'theo tệp khoá dịch vụ'})"
    if credentials_path:
        return "off", "GOOGLE_APPLICATION_CREDENTIALS trỏ tới tệp không tồn tại; chỉ gửi vào hộp thư"
    return "off", "chưa cấu hình FCM; thông báo chỉ vào hộp thư trong ứng dụng"


class _FixedTokenCredential(credentials.Base):
    """A credential whose access token never needs refreshing: for the local FCM endpoint only.

    Used when `FCM_ENDPOINT` is set without a service-account file (tests, bench): the requests
    still carry `Authorization: Bearer ...`, which the local endpoint checks.
    """

    def __init__(self, token: str = "local-fcm-access-token") -> None:  # noqa: S107
        self._credential = OAuth2Credentials(token=token)

    def get_credential(self):
        return self._credential


_apps: dict[str, firebase_admin.App] = {}
_apps_lock = threading.Lock()


def _firebase_app() -> firebase_admin.App:
    """The firebase-admin app for the current settings, made once per distinct setting.

    Keyed by the settings (not one global default app) because tests and benches run several
    Flask apps in one process, each pointed at its own local endpoint.
    """
    endpoint, project, credentials_path, timeout = _settings()
    key = hashlib.sha256(json.dumps([endpoint, project, credentials_path, timeout]).encode()).hexdigest()
    with _apps_lock:
        app = _apps.get(key)
        if app is not None:
            return app
        if not (credentials_path or endpoint):
            raise RuntimeError("push is not configured (check push_enabled() first)")
        name = f"congdanso-fcm-{key[:16]}"
        try:
            if credentials_path:
                credential: credentials.Base = credentials.Certificate(credentials_path)
            else:
                credential = _FixedTokenCredential()
            options: dict[str, Any] = {"httpTimeout": timeout}
            if project:
                options["projectId"] = project
            app = firebase_admin.initialize_app(credential, options, name=name)
        except (OSError, ValueError) as error:
            # Certificate() raises ValueError (not JSON, not a service account, a bad key) or
            # IOError; both mean our configuration, not FCM, is at fault.
            log.error("FCM credentials unusable (%s): %s", credentials_path, error)
            raise PushConfigError(type(error).__name__) from error
        try:
            _configure_transport(app, endpoint or GOOGLE_FCM_ENDPOINT)
        except ValueError as error:  # no project id anywhere: the messaging service refuses
            firebase_admin.delete_app(app)
            raise PushConfigError("thiếu FCM_PROJECT_ID") from error
        _apps[key] = app
        return app


def check() -> None:
    """Build (once) and so validate the firebase-admin app: PushConfigError when unusable."""
    _firebase_app()


def _configure_transport(app: firebase_admin.App, endpoint: str) -> None:
    # The messaging service keeps its URL and HTTP session in private attributes; there is no
    # public option for either (firebase-admin 7.x). Pinned to <8 in pyproject.toml for this.
    service = messaging._get_messaging_service(app)
    if endpoint != GOOGLE_FCM_ENDPOINT:
        service._fcm_url = f"{endpoint}/v1/projects/{service._project_id}/messages:send"
        # subscribe_to_topic (7.7+: FCM v1 registrations API, one request per token, on the
        # same host as sending); pyproject.toml pins firebase-admin>=7.7 for this attribute.
        service._fcm_topic_url = f"{endpoint}/v1/projects/{service._project_id}/registrations"
    parts = urlsplit(endpoint)
    adapter = requests.adapters.HTTPAdapter(
        pool_connections=1,
        pool_maxsize=MAX_BATCH,
        # One quick reconnect for a dropped keep-alive connection; no retry on status (see above).
        max_retries=Retry(total=1, connect=1, read=0, status=0, other=0, redirect=0, raise_on_status=False),
    )
    session = service._client.session
    session.mount(f"{parts.scheme}://{parts.netloc}", adapter)
    # requests reads the proxy and CA-bundle variables from the environment on every request,
    # a third of the sender's CPU per message here (measured: 1,260 -> 1,760 msg/s). Read them
    # once, now, and keep them on the session: a proxy configured for the process still applies.
    settings = session.merge_environment_settings(service._fcm_url, {}, None, None, None)
    session.proxies.update(settings.get("proxies") or {})
    if isinstance(settings.get("verify"), str):
        session.verify = settings["verify"]
    session.trust_env = False


# ---- text ------------------------------------------------------------------------------------


def validate_text(title: str, body: str) -> tuple[str, str]:
    """The notification's title and body, NFC-normalised and trimmed, or ApiError 422.

    Limits: title 1-65 characters, body 1-240 characters (see TITLE_MAX_CHARS for why).
    """
    title = nfc(title or "") if isinstance(title, str) else ""
    body = nfc(body or "") if isinstance(body, str) else ""
    if not title:
        raise ApiError(
            422, "notification_title_required", "Tiêu đề thông báo không được để trống.", field="title"
        )
    if not body:
        raise ApiError(
            422, "notification_body_required", "Nội dung thông báo không được để trống.", field="body"
        )
    if len(title) > TITLE_MAX_CHARS:
        raise ApiError(
            422,
            "notification_title_too_long",
            f"Tiêu đề thông báo dài tối đa {TITLE_MAX_CHARS} ký tự (hiện có {len(title)}).",
            field="title",
            max_chars=TITLE_MAX_CHARS,
        )
    if len(body) > BODY_MAX_CHARS:
        raise ApiError(
            422,
            "notification_body_too_long",
            f"Nội dung thông báo dài tối đa {BODY_MAX_CHARS} ký tự (hiện có {len(body)}).",
            field="body",
            max_chars=BODY_MAX_CHARS,
        )
    return title, body


def payload_bytes(item: PushItem) -> int:
    """The size FCM counts against its 4 KB limit: notification text, image and data."""
    size = len(item.title.encode()) + len(item.body.encode())
    size += len((item.image_url or "").encode())
    size += sum(len(str(k).encode()) + len(str(v).encode()) for k, v in item.data.items())
    return size


# ---- topics ----------------------------------------------------------------------------------


def _topic(prefix: str, value: Any) -> str:
    return f"{prefix}-{_TOPIC_SAFE.sub('_', str(value))}"


def province_topic(province_code: str) -> str:
    return _topic("province", province_code)


def ward_topic(ward_code: str) -> str:
    return _topic("ward", ward_code)


def role_topic(role: str) -> str:
    """An audience: "role-citizen" (every device), "role-verified", "role-unverified"."""
    return _topic("role", role)


@dataclass
class TopicResult:
    token: str
    error_code: str | None  # None: FCM confirmed

    @property
    def ok(self) -> bool:
        return self.error_code is None

    @property
    def token_gone(self) -> bool:
        """The token is unknown to FCM: nothing to (un)subscribe any more."""
        return self.error_code in TOPIC_TOKEN_GONE


def _manage_topic(tokens: list[str], topic: str, subscribe: bool) -> list[TopicResult]:
    if len(tokens) > MAX_TOPIC_TOKENS:
        raise ValueError(f"at most {MAX_TOPIC_TOKENS} tokens per topic call, got {len(tokens)}")
    if not tokens:
        return []
    app = _firebase_app()
    call = messaging.subscribe_to_topic if subscribe else messaging.unsubscribe_from_topic
    try:
        response = call(tokens, topic, app=app)
    except exceptions.FirebaseError as error:  # the call as a whole: try every token later
        log.warning("fcm topic %s failed as a whole: %s", topic, error)
        return [TopicResult(token, "UNAVAILABLE") for token in tokens]
    errors = {error.index: str(error.reason) for error in response.errors}
    return [TopicResult(token, errors.get(index)) for index, token in enumerate(tokens)]


def subscribe(tokens: list[str], topic: str) -> list[TopicResult]:
    """Subscribe up to 1000 tokens to a topic; one result per token, in order. Raises
    PushConfigError when the credentials are unusable, never for FCM's answers."""
    return _manage_topic(tokens, topic, True)


def unsubscribe(tokens: list[str], topic: str) -> list[TopicResult]:
    """Unsubscribe up to 1000 tokens from a topic (a token not subscribed is fine)."""
    return _manage_topic(tokens, topic, False)


def send_to_topic(
    topic: str,
    title: str,
    body: str,
    data: dict[str, str] | None = None,
    image_url: str | None = None,
) -> PushResult:
    """One message to every device subscribed to `topic` (urgent broadcasts). FCM answers with
    one message id and no per-device outcome; `PushResult.token` is "/topics/<topic>"."""
    title, body = validate_text(title, body)
    target = f"/topics/{topic}"
    item = PushItem(target, title, body, dict(data or {}), image_url)
    if payload_bytes(item) > PAYLOAD_MAX_BYTES:
        return PushResult(target, False, PAYLOAD_TOO_LARGE, False)
    message = messaging.Message(
        notification=messaging.Notification(title=title, body=body, image=image_url),
        data={str(k): str(v) for k, v in item.data.items()} or None,
        android=messaging.AndroidConfig(priority="high"),
        topic=topic,
    )
    app = _firebase_app()
    try:
        messaging.send(message, app=app)
    except exceptions.FirebaseError as error:
        return _classify(target, error)
    return PushResult(target, True, None, False)


# ---- sending ---------------------------------------------------------------------------------


def _message(item: PushItem) -> messaging.Message:
    data = {str(k): str(v) for k, v in item.data.items()}
    message = messaging.Message(
        notification=messaging.Notification(title=item.title, body=item.body, image=item.image_url),
        data=data or None,
        android=messaging.AndroidConfig(priority="high"),
    )
    # Devices register FCM registration tokens, which HTTP v1 takes in `message.token`. The
    # constructor's `token=` warns (deprecated in 7.x in favour of installation ids, `fid`); the
    # attribute is what the encoder reads, without the warning per message.
    message.token = item.token
    return message


def _retry_after(error: exceptions.FirebaseError) -> float | None:
    response = getattr(error, "http_response", None)
    value = response.headers.get("Retry-After") if response is not None else None
    try:
        return float(value) if value else None
    except ValueError:  # an HTTP date: rare from FCM; the caller's backoff applies
        return None


def _invalid_token(error: exceptions.FirebaseError) -> bool:
    """Whether an INVALID_ARGUMENT is about the registration token (not our message)."""
    response = getattr(error, "http_response", None)
    if response is not None:
        try:
            details = response.json().get("error", {}).get("details", [])
        except ValueError:
            details = []
        for detail in details:
            for violation in detail.get("fieldViolations", []) or []:
                if "token" in str(violation.get("field", "")):
                    return True
    return "registration token" in str(error).lower()


def _classify(token: str, error: exceptions.FirebaseError) -> PushResult:
    if isinstance(error, messaging.UnregisteredError):
        code = UNREGISTERED
    elif isinstance(error, messaging.QuotaExceededError):
        code = "QUOTA_EXCEEDED"
    elif isinstance(error, messaging.SenderIdMismatchError):
        code = "SENDER_ID_MISMATCH"
    elif isinstance(error, messaging.ThirdPartyAuthError):
        code = "THIRD_PARTY_AUTH_ERROR"
    elif isinstance(error, exceptions.InvalidArgumentError):
        code = INVALID_TOKEN if _invalid_token(error) else "INVALID_ARGUMENT"
    else:
        code = error.code or "UNKNOWN"
        response = getattr(error, "http_response", None)
        if response is not None and response.status_code >= 500 and code not in RETRYABLE_CODES:
            code = "INTERNAL"  # any 5xx is the server's trouble: try again later
    return PushResult(
        token=token,
        ok=False,
        error_code=code,
        retryable=code in RETRYABLE_CODES,
        retry_after=_retry_after(error),
    )


def send_batch(items: list[PushItem]) -> list[PushResult]:
    """Send up to 500 pushes at once; one PushResult per item, in order. Needs an app context.

    Never raises for delivery failures (they are results); raises ValueError for more than 500
    items, PushConfigError when the credentials are unusable (call `check()` before claiming
    anything) and RuntimeError when push is not configured.
    """
    if len(items) > MAX_BATCH:
        raise ValueError(f"send_batch takes at most {MAX_BATCH} items, got {len(items)}")
    if not items:
        return []
    app = _firebase_app()
    results: list[PushResult | None] = [None] * len(items)
    to_send: list[int] = []
    messages: list[messaging.Message] = []
    for index, item in enumerate(items):
        if not item.token:
            results[index] = PushResult(item.token, False, INVALID_TOKEN, False)
        elif payload_bytes(item) > PAYLOAD_MAX_BYTES:
            results[index] = PushResult(item.token, False, PAYLOAD_TOO_LARGE, False)
        else:
            to_send.append(index)
            messages.append(_message(item))
    if messages:
        try:
            batch = messaging.send_each(messages, app=app)
            responses = batch.responses
        except exceptions.FirebaseError as error:
            # send_each wraps anything unexpected around its thread pool as UnknownError: the
            # whole batch is undelivered, and may be tried again.
            log.warning("fcm batch failed as a whole: %s", error)
            responses = None
        for position, index in enumerate(to_send):
            token = items[index].token
            if responses is None:
                results[index] = PushResult(token, False, "UNKNOWN", True)
            elif responses[position].success:
                results[index] = PushResult(token, True, None, False)
            else:
                results[index] = _classify(token, responses[position].exception)
    return [result for result in results if result is not None]
