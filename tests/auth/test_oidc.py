"""Citizens sign in with VNeID: the real redirects, code and token exchange, over HTTP.

Every flow runs against `live_server`, where the development VNeID is mounted at /dev-idp.
A `Browser` plays the citizen's browser: it keeps the API's session cookie and follows one
redirect at a time, so each hop can be looked at (and tampered with). Tests of the provider's
token endpoint play the API's part themselves, with their own PKCE pair.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import socket
import stat
import threading
import zlib
from datetime import date
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
from authlib.oidc.discovery import OpenIDProviderMetadata
from cryptography.fernet import Fernet
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import func, select, update

from api.audit import AuditEntry
from api.auth.dev_idp import should_mount
from api.auth.dev_idp.models import DevIdpAuthorizationCode
from api.auth.dev_idp.service import SIGNING_KEY_FILE, load_or_create_signing_key
from api.citizens import cccd as cccd_rules
from api.citizens.models import Citizen
from api.config import ConfigurationError, from_environment
from api.extensions import db

SETTINGS = from_environment()  # what create_app reads too: the client and passcode agree
CLIENT = (SETTINGS["OIDC_CLIENT_ID"], SETTINGS["OIDC_CLIENT_SECRET"])
PASSCODE = SETTINGS["DEV_IDP_PASSCODE"]
TIMEOUT = 15


def _query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {**_query(url), **changes}
    return urlunsplit(parts._replace(query=urlencode(query)))


class Browser:
    """A citizen's browser: cookies kept, redirects followed one hop at a time."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()

    def _url(self, url: str) -> str:
        return url if url.startswith("http") else self.base_url + url

    def get(self, url: str, **kwargs) -> requests.Response:
        return self.http.get(self._url(url), allow_redirects=False, timeout=TIMEOUT, **kwargs)

    def post(self, url: str, **kwargs) -> requests.Response:
        return self.http.post(self._url(url), allow_redirects=False, timeout=TIMEOUT, **kwargs)

    def open_vneid(self) -> str:
        """Tap "Đăng nhập bằng VNeID": returns the provider's sign-in page address."""
        started = self.get("/auth/vneid/login")
        assert started.status_code == 302, started.text
        authorize = started.headers["Location"]
        page = self.get(authorize)
        assert page.status_code == 200
        assert "VNeID (môi trường phát triển)" in page.text
        return authorize

    def sign_in_at_vneid(self, cccd: str, passcode: str = PASSCODE, action: str = "sign_in"):
        authorize = self.open_vneid()
        return self.post(authorize, data={"cccd": cccd, "passcode": passcode, "action": action})

    def callback_after_sign_in(self, cccd: str) -> str:
        answer = self.sign_in_at_vneid(cccd)
        assert answer.status_code == 302, answer.text
        callback = answer.headers["Location"]
        assert callback.startswith(self.base_url + "/auth/vneid/callback?")
        return callback


def sign_in_with_vneid(base_url: str, cccd: str) -> dict:
    browser = Browser(base_url)
    answer = browser.get(browser.callback_after_sign_in(cccd))
    assert answer.status_code == 200, answer.text
    return answer.json()


def whoami(base_url: str, access_token: str) -> dict:
    answer = requests.get(
        base_url + "/auth/whoami", headers={"Authorization": f"Bearer {access_token}"}, timeout=TIMEOUT
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def _problem(response: requests.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code
    return body


# ---- playing the API's part against the provider's token endpoint ---------------------------


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def request_code(base_url: str, cccd: str, **params) -> tuple[requests.Response, dict]:
    """Sign in at the provider's page as the API's client would send the citizen there."""
    verifier, challenge = pkce_pair()
    query = {
        "response_type": "code",
        "client_id": CLIENT[0],
        "redirect_uri": base_url + "/auth/vneid/callback",
        "scope": "openid profile",
        "state": secrets.token_urlsafe(16),
        "nonce": secrets.token_urlsafe(16),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **params,
    }
    query = {key: value for key, value in query.items() if value is not None}
    answer = requests.post(
        f"{base_url}/dev-idp/authorize?{urlencode(query)}",
        data={"cccd": cccd, "passcode": PASSCODE, "action": "sign_in"},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    return answer, {**query, "code_verifier": verifier}


def issued_code(base_url: str, cccd: str) -> tuple[str, dict]:
    answer, sent = request_code(base_url, cccd)
    assert answer.status_code == 302, answer.text
    back = _query(answer.headers["Location"])
    assert back["state"] == sent["state"]
    return back["code"], sent


def exchange(base_url: str, code: str, sent: dict, **overrides) -> requests.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": sent["redirect_uri"],
        "code_verifier": sent["code_verifier"],
        **overrides,
    }
    form = {key: value for key, value in form.items() if value is not None}
    return requests.post(f"{base_url}/dev-idp/token", data=form, auth=CLIENT, timeout=TIMEOUT)


def userinfo(base_url: str, access_token: str) -> requests.Response:
    return requests.get(
        f"{base_url}/dev-idp/userinfo", headers={"Authorization": f"Bearer {access_token}"}, timeout=TIMEOUT
    )


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ---- the citizen's journey ------------------------------------------------------------------


def test_citizen_signs_in_with_vneid(live_server, make_citizen):
    person = make_citizen(identity_level=2)
    browser = Browser(live_server)

    started = browser.get("/auth/vneid/login")
    assert started.status_code == 302
    sent = _query(started.headers["Location"])
    assert started.headers["Location"].startswith(live_server + "/dev-idp/authorize?")
    assert sent["response_type"] == "code"
    assert sent["client_id"] == CLIENT[0]
    assert sent["redirect_uri"] == live_server + "/auth/vneid/callback"
    assert sent["scope"].split() == ["openid", "profile"]
    assert sent["code_challenge_method"] == "S256"
    assert len(sent["code_challenge"]) == 43
    assert sent["state"] and sent["nonce"]

    callback = browser.callback_after_sign_in(person["cccd"])
    answer = browser.get(callback)
    assert answer.status_code == 200, answer.text
    tokens = answer.json()
    assert set(tokens) >= {"access_token", "refresh_token", "token_type", "expires_in"}
    assert tokens["token_type"] == "Bearer"
    me = whoami(live_server, tokens["access_token"])
    assert me["kind"] == "citizen"
    assert me["id"] == str(person["id"])
    assert me["identity_level"] == 2

    # The callback is good once: its state was spent with the first exchange.
    _problem(browser.get(callback), 400, "sso_state_mismatch")


def test_identity_level_follows_what_vneid_says(live_server, make_citizen, app):
    person = make_citizen(identity_level=1)
    assert (
        whoami(live_server, sign_in_with_vneid(live_server, person["cccd"])["access_token"])["identity_level"]
        == 1
    )

    # The citizen has their identity verified in person at the police station: level 2.
    with app.app_context():
        db.session.execute(update(Citizen).where(Citizen.id == person["id"]).values(identity_level=2))
        db.session.commit()

    me = whoami(live_server, sign_in_with_vneid(live_server, person["cccd"])["access_token"])
    assert me["identity_level"] == 2
    assert me["id"] == str(person["id"])


def test_first_sign_in_creates_the_citizen(live_server, make_citizen, app):
    """VNeID vouches for someone the API has never seen: the account is created from the claims.

    The development VNeID only knows people in the `citizens` table, so the person is removed
    from it after VNeID authenticated them and before the API hears back.
    """
    person = make_citizen(
        full_name="Trần Văn Nam", sex="male", date_of_birth=date(1985, 3, 2), phone="0987654321"
    )
    browser = Browser(live_server)
    callback = browser.callback_after_sign_in(person["cccd"])
    with app.app_context():
        db.session.delete(db.session.get(Citizen, person["id"]))
        db.session.commit()

    answer = browser.get(callback)
    assert answer.status_code == 200, answer.text
    me = whoami(live_server, answer.json()["access_token"])
    assert me["kind"] == "citizen"
    assert me["id"] != str(person["id"])
    with app.app_context():
        created = db.session.scalar(select(Citizen).where(Citizen.cccd == person["cccd"]))
        assert str(created.id) == me["id"]
        assert created.full_name == "Trần Văn Nam"
        assert created.sex == "male"
        assert created.date_of_birth == date(1985, 3, 2)
        assert created.phone == "0987654321"
        assert created.identity_level == 2
        assert created.ward_code is None  # VNeID does not say; the citizen sets it later
        assert created.last_sign_in_at is not None


def test_wrong_passcode_or_unknown_cccd_gets_no_code(live_server, make_citizen, app):
    person = make_citizen()
    unknown = cccd_rules.build("066", "male", date(1979, 1, 1), 424242)
    for cccd, passcode in ((person["cccd"], "000000"), (unknown, PASSCODE), ("", PASSCODE)):
        answer = Browser(live_server).sign_in_at_vneid(cccd, passcode)
        assert answer.status_code == 401, (cccd, answer.text)
        assert "Location" not in answer.headers
        assert "Số định danh cá nhân hoặc mã xác thực không đúng." in answer.text
        assert 'name="passcode"' in answer.text  # the page is shown again to try once more
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DevIdpAuthorizationCode)) == 0


def test_cancelling_at_vneid_is_sso_denied(live_server, make_citizen):
    person = make_citizen()
    browser = Browser(live_server)
    answer = browser.sign_in_at_vneid(person["cccd"], passcode="", action="cancel")
    assert answer.status_code == 302
    callback = answer.headers["Location"]
    assert _query(callback)["error"] == "access_denied"
    body = _problem(browser.get(callback), 401, "sso_denied")
    assert "hủy" in body["detail"]


def test_tampered_or_foreign_state_is_refused(live_server, make_citizen):
    person = make_citizen()
    browser = Browser(live_server)
    callback = browser.callback_after_sign_in(person["cccd"])

    _problem(browser.get(_with_query(callback, state="trang-thai-gia-mao")), 400, "sso_state_mismatch")
    _problem(browser.get("/auth/vneid/callback"), 400, "sso_state_mismatch")
    # Someone else's browser (no session cookie) handed this callback: login CSRF.
    _problem(Browser(live_server).get(callback), 400, "sso_state_mismatch")
    # The untouched callback in the browser that started the flow still works.
    assert browser.get(callback).status_code == 200


def test_tapping_sign_in_again_and_again_keeps_working(live_server, make_citizen):
    """Only the latest attempt counts, so the session cookie stays small enough to be kept."""
    person = make_citizen()
    browser = Browser(live_server)
    first = _query(browser.get("/auth/vneid/login").headers["Location"])["state"]
    for _ in range(20):
        browser.get("/auth/vneid/login")
    assert len(browser.http.cookies["session"]) < 1500
    assert f"_state_vneid_{first}" not in _session_keys(browser)
    answer = browser.get(browser.callback_after_sign_in(person["cccd"]))
    assert answer.status_code == 200, answer.text


def test_code_from_another_sign_in_is_refused(live_server, make_citizen, app):
    """A code injected into someone else's flow fails PKCE at the token endpoint."""
    attacker = make_citizen()
    victim_browser = Browser(live_server)
    victim_browser.open_vneid()  # the victim's flow is under way: its state is in their session
    prefix = "_state_vneid_"
    victim_state = next(key[len(prefix) :] for key in _session_keys(victim_browser) if key.startswith(prefix))
    attacker_callback = Browser(live_server).callback_after_sign_in(attacker["cccd"])
    injected = _with_query(attacker_callback, state=victim_state)
    _problem(victim_browser.get(injected), 502, "sso_failed")
    with app.app_context():
        refusal = db.session.scalars(
            select(AuditEntry).where(AuditEntry.outcome == "denied").order_by(AuditEntry.at.desc())
        ).first()
        assert refusal.action == "auth.citizen_sign_in"
        assert refusal.detail["reason"] == "oauth_error:invalid_grant"  # PKCE: "Code challenge failed"


def _session_keys(browser: Browser) -> list[str]:
    """The keys of Flask's signed (not encrypted) session cookie."""
    value = browser.http.cookies["session"]
    compressed = value.startswith(".")
    payload = value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return list(json.loads(zlib.decompress(raw) if compressed else raw))


def test_claims_with_an_inconsistent_cccd_are_refused(live_server, app):
    number = cccd_rules.build("066", "female", date(1990, 5, 17), 77)
    with app.app_context():
        db.session.add(
            Citizen(
                cccd=number,
                full_name="Lê Thị Sai",
                date_of_birth=date(1991, 5, 17),  # the number says 1990
                sex="female",
                identity_level=2,
            )
        )
        db.session.commit()
    browser = Browser(live_server)
    body = _problem(browser.get(browser.callback_after_sign_in(number)), 422, "invalid_identity")
    assert "1990" in body["detail"]
    assert "access_token" not in body


# ---- the provider's token endpoint ----------------------------------------------------------


def test_replayed_code_is_refused_and_its_tokens_revoked(live_server, make_citizen):
    person = make_citizen()
    code, sent = issued_code(live_server, person["cccd"])
    first = exchange(live_server, code, sent)
    assert first.status_code == 200, first.text
    assert first.headers["Cache-Control"] == "no-store"
    access_token = first.json()["access_token"]
    info = userinfo(live_server, access_token)
    assert info.status_code == 200, info.text
    assert info.json()["cccd"] == person["cccd"]

    replay = exchange(live_server, code, sent)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    assert userinfo(live_server, access_token).status_code == 401


def test_pkce_is_required(live_server, make_citizen):
    person = make_citizen()
    no_pkce = {"code_challenge": None, "code_challenge_method": None}
    for missing in (no_pkce, {"code_challenge_method": "plain"}):
        answer, _ = request_code(live_server, person["cccd"], **missing)
        assert answer.status_code == 302, answer.text
        back = _query(answer.headers["Location"])
        assert back["error"] == "invalid_request"
        assert "code" not in back

    code, sent = issued_code(live_server, person["cccd"])
    without = exchange(live_server, code, sent, code_verifier=None)
    assert without.status_code == 400
    assert without.json()["error"] == "invalid_request"

    code, sent = issued_code(live_server, person["cccd"])
    wrong = exchange(live_server, code, sent, code_verifier=pkce_pair()[0])
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"


def test_id_token_is_signed_by_the_key_published_at_jwks(live_server, make_citizen):
    person = make_citizen(identity_level=1, sex="male", date_of_birth=date(2001, 9, 2))
    code, sent = issued_code(live_server, person["cccd"])
    id_token = exchange(live_server, code, sent).json()["id_token"]
    jwks = requests.get(live_server + "/dev-idp/jwks", timeout=TIMEOUT).json()
    assert all("d" not in key for key in jwks["keys"]), "the private part must never be published"

    verified = jwt.decode(id_token, KeySet.import_key_set(jwks), algorithms=["RS256"])
    assert verified.header["kid"] in {key["kid"] for key in jwks["keys"]}
    claims = verified.claims
    assert claims["iss"] == live_server + "/dev-idp"
    assert CLIENT[0] in claims["aud"]
    assert claims["nonce"] == sent["nonce"]
    assert claims["exp"] > claims["iat"]
    assert claims["sub"] == claims["cccd"] == person["cccd"]
    assert claims["birthdate"] == "2001-09-02"
    assert claims["gender"] == "male"
    assert claims["identity_level"] == 1
    assert claims["name"] == "Nguyễn Thị Hoa"

    header, payload, signature = id_token.split(".")
    forged_claims = base64.urlsafe_b64encode(
        base64.urlsafe_b64decode(payload + "==").replace(b'"identity_level":1', b'"identity_level":2')
    )
    forged = f"{header}.{forged_claims.rstrip(b'=').decode()}.{signature}"
    with pytest.raises(BadSignatureError):
        jwt.decode(forged, KeySet.import_key_set(jwks), algorithms=["RS256"])
    stranger = RSAKey.generate_key(2048, parameters={"kid": verified.header["kid"]})
    impostor = jwt.encode({"alg": "RS256", "kid": verified.header["kid"]}, claims, stranger)
    with pytest.raises(BadSignatureError):
        jwt.decode(impostor, KeySet.import_key_set(jwks), algorithms=["RS256"])


def test_discovery_document_describes_the_provider(live_server):
    metadata = requests.get(live_server + "/dev-idp/.well-known/openid-configuration", timeout=TIMEOUT).json()
    OpenIDProviderMetadata(metadata).validate()
    assert metadata["issuer"] == live_server + "/dev-idp"
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["id_token_signing_alg_values_supported"] == ["RS256"]
    assert {"cccd", "identity_level", "birthdate", "gender"} <= set(metadata["claims_supported"])


def test_signing_key_is_created_once_for_all_workers(tmp_path):
    keys, barrier = [], threading.Barrier(6)

    def worker():
        barrier.wait()
        keys.append(load_or_create_signing_key(tmp_path))

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({key.kid for key in keys}) == 1
    assert os.listdir(tmp_path) == [SIGNING_KEY_FILE]  # no temporary files left behind
    assert stat.S_IMODE(os.stat(tmp_path / SIGNING_KEY_FILE).st_mode) == 0o600
    assert load_or_create_signing_key(tmp_path).kid == keys[0].kid


# ---- configuration --------------------------------------------------------------------------


def test_dev_provider_is_not_mounted_with_a_real_issuer(make_app):
    issuer = f"http://127.0.0.1:{_unused_port()}/vneid"  # nobody listens: VNeID is down
    client = make_app(OIDC_ISSUER=issuer).test_client()
    for path in ("/.well-known/openid-configuration", "/authorize", "/token", "/jwks", "/userinfo"):
        assert client.get("/dev-idp" + path).status_code == 404, path
    _problem_json = client.get("/auth/vneid/login")
    assert _problem_json.status_code == 502
    assert _problem_json.json["code"] == "sso_failed"


def test_sign_in_with_vneid_is_rate_limited(make_app):
    client = make_app(
        OIDC_ISSUER=f"http://127.0.0.1:{_unused_port()}", RATELIMIT_SIGN_IN="2 per minute"
    ).test_client()
    statuses = [client.get("/auth/vneid/login").status_code for _ in range(3)]
    assert statuses == [502, 502, 429]
    assert client.get("/auth/vneid/callback").status_code == 400  # a separate counter, not yet spent


def test_guessing_passcodes_at_the_dev_provider_is_rate_limited(make_app):
    client = make_app(RATELIMIT_SIGN_IN="2 per minute").test_client()
    guesses = [{"cccd": "066190000001", "passcode": f"{n:06d}"} for n in range(3)]
    answers = [client.post("/dev-idp/authorize", data=guess) for guess in guesses]
    assert [answer.status_code for answer in answers] == [400, 400, 429]
    assert client.get("/dev-idp/authorize").status_code == 400  # showing the page is not limited


def test_production_refuses_to_start_without_a_real_issuer(make_app):
    safe_otherwise = {
        "CDS_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "JWT_SECRET_KEY": secrets.token_hex(32),
        "OIDC_CLIENT_SECRET": secrets.token_hex(16),
        "RASA_TOKEN": secrets.token_hex(16),
        "PAYMENT_SECRET_KEY": "sk_live_" + secrets.token_hex(16),
        "PAYMENT_WEBHOOK_SECRET": "whsec_" + secrets.token_hex(16),
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://cds@127.0.0.1:5432/cds",
        "OIDC_ISSUER": "",
    }
    with pytest.raises(ConfigurationError, match="OIDC_ISSUER") as refused:
        make_app(**safe_otherwise)
    assert "SECRET_KEY" not in str(refused.value)  # the issuer is the only problem here
    assert not should_mount(safe_otherwise)
    assert should_mount({**safe_otherwise, "CDS_ENV": "development"})


@pytest.mark.parametrize(
    "setting", ["RASA_TOKEN", "PAYMENT_SECRET_KEY", "PAYMENT_WEBHOOK_SECRET", "REPORTS_IDENTITY_KEY"]
)
def test_production_refuses_the_development_chatbot_and_payment_secrets(make_app, setting):
    from api import config

    production = {
        "CDS_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "JWT_SECRET_KEY": secrets.token_hex(32),
        "OIDC_CLIENT_SECRET": secrets.token_hex(16),
        "OIDC_ISSUER": "https://vneid.example.gov.vn",
        "RASA_TOKEN": secrets.token_hex(16),
        "PAYMENT_SECRET_KEY": "sk_live_" + secrets.token_hex(16),
        "PAYMENT_WEBHOOK_SECRET": "whsec_" + secrets.token_hex(16),
        "REPORTS_IDENTITY_KEY": Fernet.generate_key().decode(),
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://cds@127.0.0.1:5432/cds",
    }
    development_default = {
        "RASA_TOKEN": config.DEV_RASA_TOKEN,
        "PAYMENT_SECRET_KEY": config.DEV_PAYMENT_SECRET_KEY,
        "PAYMENT_WEBHOOK_SECRET": config.DEV_PAYMENT_WEBHOOK_SECRET,
        "REPORTS_IDENTITY_KEY": config.DEV_REPORTS_IDENTITY_KEY,
    }
    with pytest.raises(ConfigurationError, match=f"{setting} still has its development default"):
        config.check_production_safety({**production, setting: development_default[setting]})
    config.check_production_safety(production)  # real secrets: no complaint


def test_racing_first_sign_ins_of_one_person_end_on_one_account(app, make_citizen, monkeypatch):
    """The loser of two simultaneous first sign-ins must not get a 500: it finds the winner's row.

    The race is replayed deterministically: the first lookup misses (the other request had not
    committed yet when this one looked), so the insert hits the unique CCCD.
    """
    from api.auth import oidc
    from api.citizens import service as citizens
    from api.citizens.models import Citizen

    person = make_citizen(identity_level=1, date_of_birth=date(1990, 5, 17), sex="female")
    claims = {
        "cccd": person["cccd"],
        "name": "Nguyễn Thị Hoa",
        "birthdate": "1990-05-17",
        "gender": "female",
        "identity_level": 2,
    }
    real_lookup = citizens.citizen_by_cccd
    calls = []

    def lookup_that_misses_once(number):
        calls.append(number)
        return None if len(calls) == 1 else real_lookup(number)

    monkeypatch.setattr(citizens, "citizen_by_cccd", lookup_that_misses_once)
    with app.test_request_context():
        citizen = oidc._citizen_from_claims(claims)
        db.session.commit()
        assert citizen.id == person["id"]
        assert citizen.identity_level == 2
        assert db.session.scalar(select(func.count()).select_from(Citizen)) == 1
