"""Configuration from environment variables, with safe defaults for `make run`.

Every variable read here is documented in the README's configuration table. Production
(`CDS_ENV=production`) refuses to start with development-only settings: the built-in
development identity provider, default secrets, or an embedded SQLite database.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"

# Development-only secrets. Production refuses to start while any of these is in use.
DEV_SECRET_KEY = "dev-only-secret-key-change-me"  # noqa: S105
DEV_JWT_SECRET = "dev-only-jwt-secret-change-me-0123456789"  # noqa: S105
DEV_OIDC_CLIENT_SECRET = "dev-only-oidc-client-secret"  # noqa: S105
DEV_RASA_TOKEN = "dev-only-rasa-token-change-me"  # noqa: S105
DEV_PAYMENT_SECRET_KEY = "sk_test_congdanso_dev_only"  # noqa: S105
DEV_PAYMENT_WEBHOOK_SECRET = "whsec_congdanso_dev_only"  # noqa: S105
# localstripe accepts any `pk_…` key; Stripe's real ones are per account.
DEV_PAYMENT_PUBLISHABLE_KEY = "pk_test_congdanso_dev_only"
# A Fernet key (32 bytes, URL-safe base64) that anyone reading this file knows: it protects no
# informant, so production refuses it. Make a real one with
# `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.
DEV_REPORTS_IDENTITY_KEY = "ZGV2LW9ubHktcmVwb3J0cy1pZGVudGl0eS1rZXktMzI="


class ConfigurationError(RuntimeError):
    """Raised at start-up when the configuration is unsafe or inconsistent."""


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be an integer, got {raw!r}") from exc


def normalise_database_url(url: str) -> str:
    """`postgresql://` URLs (the usual spelling) use psycopg 3, the driver we install."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def from_environment() -> dict:
    """Read the process environment into a Flask config mapping."""
    env = os.environ.get("CDS_ENV", "development")
    instance = Path(os.environ.get("CDS_INSTANCE_PATH", DEFAULT_INSTANCE))
    public_base_url = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    return {
        "CDS_ENV": env,
        "INSTANCE_PATH": str(instance),
        "PUBLIC_BASE_URL": public_base_url,
        # What `make web` builds (the /docs page and its Swagger UI files).
        "WEB_BUILD_DIR": os.environ.get("WEB_BUILD_DIR", str(PROJECT_ROOT / "build" / "web")),
        # The citizen app's map: an XYZ tile URL template ({z}/{x}/{y}) and its attribution. Empty
        # (the default: no tile server is reachable from here) means the app asks for an address.
        "MAP_TILES_URL": os.environ.get("MAP_TILES_URL", ""),
        "MAP_TILES_ATTRIBUTION": os.environ.get("MAP_TILES_ATTRIBUTION", ""),
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEV_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'congdanso.db'}"
        ),
        "JWT_SECRET_KEY": os.environ.get("JWT_SECRET_KEY", DEV_JWT_SECRET),
        "JWT_ACCESS_TOKEN_EXPIRES": timedelta(minutes=_int("JWT_ACCESS_MINUTES", 15)),
        "JWT_REFRESH_TOKEN_EXPIRES": timedelta(days=_int("JWT_REFRESH_DAYS", 30)),
        # OpenID Connect (VNeID). Without an issuer the development provider is mounted.
        "OIDC_ISSUER": os.environ.get("OIDC_ISSUER", ""),
        "OIDC_CLIENT_ID": os.environ.get("OIDC_CLIENT_ID", "congdanso-api"),
        "OIDC_CLIENT_SECRET": os.environ.get("OIDC_CLIENT_SECRET", DEV_OIDC_CLIENT_SECRET),
        "DEV_IDP_PASSCODE": os.environ.get("DEV_IDP_PASSCODE", "123456"),
        # Where a VNeID sign-in started by an app may end (api/auth/app_handoff.py): exact URIs,
        # whitespace-separated (the PWA's page, a native app's custom scheme or universal link).
        # Empty: PUBLIC_BASE_URL + "/app/signed-in", resolved by `app_redirect_uris` when used,
        # so an app whose PUBLIC_BASE_URL is set later (tests' live servers) gets its own.
        "APP_REDIRECT_URIS": tuple(os.environ.get("APP_REDIRECT_URIS", "").split()),
        # The province this deployment serves (2-digit code after the 2025 reform; 66 = Đắk Lắk).
        "HOME_PROVINCE_CODE": os.environ.get("HOME_PROVINCE_CODE", "66"),
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "RATELIMIT_SIGN_IN": os.environ.get("RATELIMIT_SIGN_IN", "10 per minute"),
        "RATELIMIT_PUBLIC_LOOKUP": os.environ.get("RATELIMIT_PUBLIC_LOOKUP", "60 per minute"),
        "MAX_CONTENT_LENGTH": _int("MAX_BODY_BYTES", 1024 * 1024),
        # Uploads (personal documents) may be larger than JSON bodies: routes marked with
        # api.http.max_body("UPLOAD_MAX_BYTES") raise the limit for their own requests only.
        "UPLOAD_MAX_BYTES": _int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024),
        # Citizen reports (api/reports): photos and short videos, per file and per report.
        "REPORT_MEDIA_MAX_BYTES": _int("REPORT_MEDIA_MAX_BYTES", 20 * 1024 * 1024),
        "REPORT_MEDIA_MAX_FILES": _int("REPORT_MEDIA_MAX_FILES", 5),
        # Local products (content/products): photos per file and per product.
        "PRODUCT_IMAGE_MAX_BYTES": _int("PRODUCT_IMAGE_MAX_BYTES", 5 * 1024 * 1024),
        "PRODUCT_IMAGE_MAX_FILES": _int("PRODUCT_IMAGE_MAX_FILES", 6),
        # A resolved report the citizen neither confirms nor disputes closes after this many days.
        "REPORT_AUTO_CLOSE_DAYS": _int("REPORT_AUTO_CLOSE_DAYS", 7),
        # Encrypts informants' identities and keys the HMAC that links crime reports to their
        # reporter (api/reports/service.py). Rotating it makes stored identities unreadable.
        "REPORTS_IDENTITY_KEY": os.environ.get("REPORTS_IDENTITY_KEY", DEV_REPORTS_IDENTITY_KEY),
        # Where uploaded files live (api/storage.py): "local" disk or an S3-compatible store.
        "STORAGE_BACKEND": os.environ.get("STORAGE_BACKEND", "local"),
        "STORAGE_LOCAL_ROOT": os.environ.get("STORAGE_LOCAL_ROOT", ""),  # empty: <instance>/files
        "S3_ENDPOINT_URL": os.environ.get("S3_ENDPOINT_URL", ""),
        "S3_BUCKET": os.environ.get("S3_BUCKET", ""),
        "S3_ACCESS_KEY_ID": os.environ.get("S3_ACCESS_KEY_ID", ""),
        "S3_SECRET_ACCESS_KEY": os.environ.get("S3_SECRET_ACCESS_KEY", ""),
        "S3_REGION": os.environ.get("S3_REGION", ""),
        # The chatbot (api/chat): Rasa's REST channel and HTTP API, and the call centre's hours.
        "RASA_URL": os.environ.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
        "RASA_TOKEN": os.environ.get("RASA_TOKEN", DEV_RASA_TOKEN),
        "RASA_TIMEOUT_SECONDS": float(os.environ.get("RASA_TIMEOUT_SECONDS") or 10),
        # How long the citizen token handed to the chatbot's actions lives (one message's work).
        "CHAT_TOKEN_SECONDS": _int("CHAT_TOKEN_SECONDS", 300),
        "RATELIMIT_CHAT": os.environ.get("RATELIMIT_CHAT", "30 per minute"),
        # Agents answer chats in these hours (Vietnam time), on working days unless set to 0.
        "CHAT_AGENT_HOURS": os.environ.get("CHAT_AGENT_HOURS", "07:30-11:30,13:30-17:00"),
        "CHAT_AGENT_WORKING_DAYS_ONLY": os.environ.get("CHAT_AGENT_WORKING_DAYS_ONLY", "1")
        not in ("0", "false", "no"),
        # An agent whose console has not reported for this long is no longer on duty.
        "CHAT_AGENT_PRESENCE_SECONDS": _int("CHAT_AGENT_PRESENCE_SECONDS", 120),
        # The payment provider (wallet/provider.py): any Stripe-compatible API; localstripe locally.
        "PAYMENT_API_URL": os.environ.get("PAYMENT_API_URL", "http://127.0.0.1:8420"),
        "PAYMENT_SECRET_KEY": os.environ.get("PAYMENT_SECRET_KEY", DEV_PAYMENT_SECRET_KEY),
        "PAYMENT_TIMEOUT_SECONDS": float(os.environ.get("PAYMENT_TIMEOUT_SECONDS") or 10),
        "PAYMENT_MAX_ATTEMPTS": _int("PAYMENT_MAX_ATTEMPTS", 3),
        "PAYMENT_WEBHOOK_SECRET": os.environ.get("PAYMENT_WEBHOOK_SECRET", DEV_PAYMENT_WEBHOOK_SECRET),
        "PAYMENT_WEBHOOK_TOLERANCE_SECONDS": _int("PAYMENT_WEBHOOK_TOLERANCE_SECONDS", 300),
        # Stripe.js for the app's card payments (wallet.service.browser_payment_settings). Empty:
        # Stripe's https://js.stripe.com/v3/ in production, else PAYMENT_API_URL + "/js.stripe.com/v3/"
        # (localstripe's stand-in), resolved when used, like the provider URL the app has then.
        "PAYMENT_JS_URL": os.environ.get("PAYMENT_JS_URL", ""),
        "PAYMENT_PUBLISHABLE_KEY": os.environ.get("PAYMENT_PUBLISHABLE_KEY", DEV_PAYMENT_PUBLISHABLE_KEY),
        # Push (notifications/fcm.py): FCM HTTP v1 with a service-account file. FCM_ENDPOINT
        # replaces Google's host with a local FCM-compatible endpoint (tests, bench only).
        "GOOGLE_APPLICATION_CREDENTIALS": os.environ.get("GOOGLE_APPLICATION_CREDENTIALS", ""),
        "FCM_PROJECT_ID": os.environ.get("FCM_PROJECT_ID", ""),
        "FCM_ENDPOINT": os.environ.get("FCM_ENDPOINT", ""),
        "FCM_TIMEOUT_SECONDS": float(os.environ.get("FCM_TIMEOUT_SECONDS") or 10),
        # Devices (FCM tokens) not seen for this many days are dropped by the scheduler.
        "PUSH_DEVICE_STALE_DAYS": _int("PUSH_DEVICE_STALE_DAYS", 30),
        "PUSH_MAX_ATTEMPTS": _int("PUSH_MAX_ATTEMPTS", 10),
        # Pushes per FCM call of the outbox dispatcher (at most 500); a dispatcher killed mid-call
        # may lose that call's pushes (never duplicates them), so smaller is safer but slower.
        "PUSH_BATCH_SIZE": _int("PUSH_BATCH_SIZE", 500),
        # Push campaigns (notifications/campaigns): devices per FCM batch (at most 500), batches
        # sent at once, tries per message within a batch and the backoff between them, inbox
        # rows per insert, and how long one scheduler run may send before yielding.
        "CAMPAIGN_BATCH_SIZE": _int("CAMPAIGN_BATCH_SIZE", 500),
        "CAMPAIGN_SEND_CONCURRENCY": _int("CAMPAIGN_SEND_CONCURRENCY", 4),
        # Worker processes that send campaign batches (0: threads of the scheduler process).
        "CAMPAIGN_SEND_PROCESSES": _int("CAMPAIGN_SEND_PROCESSES", 0),
        "CAMPAIGN_SEND_ATTEMPTS": _int("CAMPAIGN_SEND_ATTEMPTS", 3),
        "CAMPAIGN_RETRY_BACKOFF_SECONDS": float(os.environ.get("CAMPAIGN_RETRY_BACKOFF_SECONDS") or 1),
        "CAMPAIGN_INBOX_BATCH_SIZE": _int("CAMPAIGN_INBOX_BATCH_SIZE", 2000),
        "CAMPAIGN_RUN_SECONDS": _int("CAMPAIGN_RUN_SECONDS", 240),
        # Devices FCM keeps refusing as "try later" count as failed once no send of the
        # campaign has succeeded for this long (an outage of minutes fails nobody).
        "CAMPAIGN_RETRY_GIVE_UP_SECONDS": _int("CAMPAIGN_RETRY_GIVE_UP_SECONDS", 3600),
        # The notifications.purge job: settled push deliveries and dispatched outbox events
        # older than this many days are deleted.
        "PUSH_DELIVERY_RETENTION_DAYS": _int("PUSH_DELIVERY_RETENTION_DAYS", 30),
        "OUTBOX_RETENTION_DAYS": _int("OUTBOX_RETENTION_DAYS", 30),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        "LOG_JSON": os.environ.get("LOG_JSON", "1") not in ("0", "false", "no"),
    }


def check_production_safety(config: dict) -> None:
    """Refuse development-only settings in production."""
    if config.get("CDS_ENV") != "production":
        return
    problems = []
    if not config.get("OIDC_ISSUER"):
        problems.append(
            "OIDC_ISSUER is empty: the development identity provider is never served in production"
        )
    for key, dev_value in (
        ("SECRET_KEY", DEV_SECRET_KEY),
        ("JWT_SECRET_KEY", DEV_JWT_SECRET),
        ("OIDC_CLIENT_SECRET", DEV_OIDC_CLIENT_SECRET),
        ("RASA_TOKEN", DEV_RASA_TOKEN),
        ("PAYMENT_SECRET_KEY", DEV_PAYMENT_SECRET_KEY),
        ("PAYMENT_WEBHOOK_SECRET", DEV_PAYMENT_WEBHOOK_SECRET),
        ("REPORTS_IDENTITY_KEY", DEV_REPORTS_IDENTITY_KEY),
    ):
        if config.get(key) in (None, "", dev_value):
            problems.append(f"{key} still has its development default")
    for uri in app_redirect_uris(config):
        if _plain_http_beyond_loopback(uri):
            problems.append(
                f"APP_REDIRECT_URIS has {uri!r}: sign-in codes travel to it, so it must be https "
                "(or a native app's scheme); plain http only for a loopback address"
            )
    if config.get("PAYMENT_PUBLISHABLE_KEY") == DEV_PAYMENT_PUBLISHABLE_KEY:
        problems.append("PAYMENT_PUBLISHABLE_KEY still has its development default")
    if config.get("FCM_ENDPOINT"):
        problems.append("FCM_ENDPOINT is set: the local FCM endpoint is for tests and benchmarks")
    if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        problems.append("DATABASE_URL points at SQLite; production runs on PostgreSQL")
    if problems:
        raise ConfigurationError("Refusing to start in production: " + "; ".join(problems))


APP_SIGNED_IN_PATH = "/app/signed-in"  # the citizen PWA's page that finishes a sign-in


def app_redirect_uris(config) -> tuple[str, ...]:
    """The registered app redirect URIs: APP_REDIRECT_URIS, or the PWA's page by default."""
    configured = config.get("APP_REDIRECT_URIS") or ()
    if isinstance(configured, str):  # set directly in a config mapping rather than read from env
        configured = configured.split()
    if configured:
        return tuple(configured)
    base_url = config.get("PUBLIC_BASE_URL")
    return (base_url + APP_SIGNED_IN_PATH,) if base_url else ()


def _plain_http_beyond_loopback(uri: str) -> bool:
    """RFC 8252 §8.3: a redirect over plain http is only safe when it never leaves the device."""
    parts = urlsplit(uri)
    return parts.scheme.lower() == "http" and parts.hostname not in ("127.0.0.1", "::1", "localhost")


def sqlalchemy_engine_options(database_uri: str) -> dict:
    """Engine options per backend: SQLite needs foreign keys switched on and a busy timeout."""
    if database_uri.startswith("sqlite"):
        return {"connect_args": {"timeout": 15}}
    return {"pool_pre_ping": True}


OPENAPI = {
    # ASCII: client generators name the package after the title ("Công dân số" made an invalid one).
    "API_TITLE": "Cong Dan So API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    # No OPENAPI_SWAGGER_UI_PATH: /docs is api/docs.py's page (Swagger UI 5, built by `make web`).
    "API_SPEC_OPTIONS": {
        "info": {
            "description": "Backend của ứng dụng **Công dân số** (Đề án 06). Lỗi trả về theo RFC 9457 "
            "(application/problem+json) với mã `code` ổn định; đường dẫn Open311 trả lỗi theo "
            "định dạng của GeoReport v2.",
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            }
        },
    },
}
