"""A VNeID sign-in that ends in the app (RFC 8252 + PKCE), over real HTTP.

The test plays both the citizen's browser (tests/auth/test_oidc.py's `Browser`: cookies kept,
one redirect at a time, so every Location can be looked at) and the app: it makes its own PKCE
pair and state, starts the sign-in with them, reads the code off the last redirect and trades it
at POST /auth/app/token, as the PWA (web/app/js/auth.js) and the native apps do.
"""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import requests
from sqlalchemy import select, update

from api.audit import AuditEntry
from api.auth.models import AppSignInCode
from api.config import ConfigurationError, check_production_safety
from api.dbtypes import utcnow
from api.extensions import db
from tests.auth.test_oidc import TIMEOUT, Browser, _problem, _query, pkce_pair, whoami
from tests.conftest import free_port, serving

SIGNED_IN_PATH = "/app/signed-in"
NATIVE_URI = "vn.gov.congdanso:/auth"
UNIVERSAL_LINK = "https://congdanso.daklak.gov.vn/app/dang-nhap"
INVALID_GRANT = "Mã đăng nhập không hợp lệ, đã được dùng hoặc đã hết hạn. Vui lòng đăng nhập lại."
# What a token would look like in a URL: a JWT, or a parameter named after one.
TOKEN_LOOKING = re.compile(r"eyJ[\w-]{4,}\.[\w-]{4,}|access_token|refresh_token|id_token", re.IGNORECASE)


class App:
    """The app's side: its PKCE pair and state, kept for one sign-in attempt."""

    def __init__(self, redirect_uri: str) -> None:
        self.redirect_uri = redirect_uri
        self.verifier, self.challenge = pkce_pair()
        self.state = "trang-thai-cua-ung-dung-" + self.challenge[:8]

    def login_query(self, **changes) -> str:
        query = {
            "redirect_uri": self.redirect_uri,
            "code_challenge": self.challenge,
            "code_challenge_method": "S256",
            "state": self.state,
            **changes,
        }
        return "/auth/vneid/login?" + urlencode({k: v for k, v in query.items() if v is not None})


class SignIn:
    """One pass through the flow: every Location the browser was sent to, and the last one."""

    def __init__(self, browser: Browser, app: App) -> None:
        self.browser = browser
        self.app = app
        self.locations: list[str] = []
        self.callback: str | None = None

    def hop(self, response: requests.Response) -> str:
        assert response.status_code == 302, response.text
        location = response.headers["Location"]
        self.locations.append(location)
        return location

    def to_vneid(self) -> str:
        authorize = self.hop(self.browser.get(self.app.login_query()))
        assert self.browser.get(authorize).status_code == 200
        return authorize

    def at_vneid(self, cccd: str, action: str = "sign_in") -> str:
        """Sign in (or cancel) at the provider's page; returns the callback VNeID sends back."""
        answer = self.browser.post(
            self.to_vneid(), data={"cccd": cccd, "passcode": "123456", "action": action}
        )
        self.callback = self.hop(answer)
        assert self.callback.startswith(self.browser.base_url + "/auth/vneid/callback?")
        return self.callback

    def back_in_app(self, callback: str | None = None) -> tuple[requests.Response, dict[str, str]]:
        """The callback's answer, which sends the browser on to the app: (answer, its query)."""
        answer = self.browser.get(callback or self.callback)
        location = self.hop(answer)
        assert location.startswith(self.app.redirect_uri + "?"), location
        return answer, _query(location)


def app_sign_in(base_url: str, cccd: str, redirect_uri: str) -> tuple[App, SignIn, dict[str, str]]:
    app = App(redirect_uri)
    flow = SignIn(Browser(base_url), app)
    flow.at_vneid(cccd)
    _, back = flow.back_in_app()
    return app, flow, back


def trade(base_url: str, code: str, verifier: str, redirect_uri: str, **extra) -> requests.Response:
    body = {"code": code, "code_verifier": verifier, "redirect_uri": redirect_uri, **extra}
    return requests.post(base_url + "/auth/app/token", json=body, timeout=TIMEOUT)


def _invalid_grant(response: requests.Response) -> None:
    body = _problem(response, 400, "invalid_grant")
    assert body["detail"] == INVALID_GRANT
    assert "access_token" not in body


def _denials(app, reason: str) -> list[AuditEntry]:
    with app.app_context():
        return [
            entry
            for entry in db.session.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == "auth.citizen_sign_in", AuditEntry.outcome == "denied"
                )
            )
            if entry.detail.get("reason") == reason
        ]


# ---- the journey ----------------------------------------------------------------------------


def test_sign_in_ends_in_the_app_with_a_code_and_never_a_token_in_a_url(live_server, make_citizen, app):
    person = make_citizen(identity_level=2)
    redirect_uri = live_server + SIGNED_IN_PATH
    client_app, flow, back = app_sign_in(live_server, person["cccd"], redirect_uri)

    # The browser ends at the app's page with the code and the app's own state, nothing else.
    assert set(back) == {"code", "state"}
    assert back["state"] == client_app.state
    assert len(back["code"]) >= 43 and re.fullmatch(r"[\w-]+", back["code"])
    # login -> VNeID, VNeID -> callback, callback -> app: no token anywhere on the way.
    assert len(flow.locations) == 3
    assert [location for location in flow.locations if TOKEN_LOOKING.search(location)] == []
    with app.app_context():
        assert db.session.scalars(select(AppSignInCode)).one().code_hash != back["code"]  # only its digest

    answer = trade(live_server, back["code"], client_app.verifier, redirect_uri)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Cache-Control"].startswith("no-store")
    pair = answer.json()
    assert set(pair) >= {"access_token", "refresh_token", "token_type", "expires_in"}
    me = whoami(live_server, pair["access_token"])
    assert (me["kind"], me["id"], me["identity_level"]) == ("citizen", str(person["id"]), 2)
    refreshed = requests.post(
        live_server + "/auth/refresh",
        headers={"Authorization": f"Bearer {pair['refresh_token']}"},
        timeout=TIMEOUT,
    )
    assert refreshed.status_code == 200, refreshed.text
    with app.app_context():
        signed_in = db.session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "auth.citizen_sign_in", AuditEntry.outcome == "success"
            )
        ).one()
        assert signed_in.actor == f"citizen:{person['id']}"
        assert signed_in.detail["via"] == "app"


def test_a_code_used_twice_is_refused_and_the_first_tokens_stop_working(live_server, make_citizen, app):
    person = make_citizen()
    redirect_uri = live_server + SIGNED_IN_PATH
    client_app, _, back = app_sign_in(live_server, person["cccd"], redirect_uri)
    first = trade(live_server, back["code"], client_app.verifier, redirect_uri)
    assert first.status_code == 200, first.text
    pair = first.json()

    _invalid_grant(trade(live_server, back["code"], client_app.verifier, redirect_uri))

    revoked = requests.get(
        live_server + "/auth/whoami",
        headers={"Authorization": f"Bearer {pair['access_token']}"},
        timeout=TIMEOUT,
    )
    assert revoked.status_code == 401 and revoked.json()["code"] == "token_revoked"
    refresh = requests.post(
        live_server + "/auth/refresh",
        headers={"Authorization": f"Bearer {pair['refresh_token']}"},
        timeout=TIMEOUT,
    )
    assert refresh.status_code == 401
    assert len(_denials(app, "code_reused")) == 1


def test_two_exchanges_of_one_code_at_once_cannot_both_win(live_server, make_citizen):
    person = make_citizen()
    redirect_uri = live_server + SIGNED_IN_PATH
    client_app, _, back = app_sign_in(live_server, person["cccd"], redirect_uri)
    barrier, answers = threading.Barrier(2), []

    def exchange():
        barrier.wait()
        answers.append(trade(live_server, back["code"], client_app.verifier, redirect_uri))

    racers = [threading.Thread(target=exchange) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    assert sorted(answer.status_code for answer in answers) == [200, 400], [a.text for a in answers]


def test_a_wrong_verifier_is_refused_and_does_not_spoil_the_code(live_server, make_citizen, app):
    """Whoever caught the code on its way cannot use it; the app that holds the verifier still can."""
    person = make_citizen()
    redirect_uri = live_server + SIGNED_IN_PATH
    client_app, _, back = app_sign_in(live_server, person["cccd"], redirect_uri)
    for wrong in (pkce_pair()[0], client_app.challenge, "ngắn"):
        _invalid_grant(trade(live_server, back["code"], wrong, redirect_uri))
    assert len(_denials(app, "pkce_mismatch")) == 3

    answer = trade(live_server, back["code"], client_app.verifier, redirect_uri)
    assert answer.status_code == 200, answer.text


def test_the_redirect_uri_must_be_the_one_the_code_was_sent_to(live_server, make_citizen, app):
    person = make_citizen()
    redirect_uri = live_server + SIGNED_IN_PATH
    client_app, _, back = app_sign_in(live_server, person["cccd"], redirect_uri)
    for other in (NATIVE_URI, redirect_uri + "/", redirect_uri.upper()):
        _invalid_grant(trade(live_server, back["code"], client_app.verifier, other))
    assert len(_denials(app, "redirect_uri_mismatch")) == 3


def test_an_expired_or_unknown_code_is_refused(live_server, make_citizen, app):
    person = make_citizen()
    redirect_uri = live_server + SIGNED_IN_PATH
    client_app, _, back = app_sign_in(live_server, person["cccd"], redirect_uri)
    with app.app_context():
        code = db.session.scalars(select(AppSignInCode)).one()
        assert timedelta(seconds=55) <= code.expires_at - code.created_at <= timedelta(seconds=60)
        # A minute later (the citizen left the phone on the VNeID page, then came back).
        db.session.execute(update(AppSignInCode).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()

    _invalid_grant(trade(live_server, back["code"], client_app.verifier, redirect_uri))
    _invalid_grant(trade(live_server, "ma-khong-ton-tai-" + "x" * 30, client_app.verifier, redirect_uri))
    assert len(_denials(app, "code_expired")) == 1
    assert len(_denials(app, "unknown_code")) == 1


def test_old_codes_are_swept_when_new_ones_are_made(live_server, make_citizen, app):
    person = make_citizen()
    redirect_uri = live_server + SIGNED_IN_PATH
    app_sign_in(live_server, person["cccd"], redirect_uri)
    with app.app_context():
        db.session.execute(update(AppSignInCode).values(expires_at=utcnow() - timedelta(days=1, minutes=1)))
        db.session.commit()
    app_sign_in(live_server, person["cccd"], redirect_uri)
    with app.app_context():
        assert len(db.session.scalars(select(AppSignInCode)).all()) == 1


def test_token_request_refuses_unknown_fields(live_server):
    verifier, _ = pkce_pair()
    answer = trade(live_server, "x" * 43, verifier, live_server + SIGNED_IN_PATH, client_secret="s")
    body = _problem(answer, 422, "validation_failed")
    assert body["errors"] == [{"field": "client_secret", "messages": ["Trường này không được phép."]}]


# ---- what the app may ask for ---------------------------------------------------------------


@pytest.mark.parametrize(
    "suffix",
    [
        "",  # the PWA's page of another site
        "/",  # one character off
        "?next=https://ke-gian.example",
        ".ke-gian.example",  # a prefix match would accept these
        "@ke-gian.example",
    ],
)
def test_an_unregistered_redirect_uri_is_refused_without_a_redirect(live_server, suffix):
    browser = Browser(live_server)
    target = (
        "https://ke-gian.example/app/signed-in" if suffix == "" else live_server + SIGNED_IN_PATH + suffix
    )
    answer = browser.get(App(target).login_query())
    body = _problem(answer, 400, "redirect_uri_not_registered")
    assert "Location" not in answer.headers
    assert "đăng ký" in body["detail"]


def test_pkce_is_required_with_a_redirect_uri(live_server):
    browser = Browser(live_server)
    client_app = App(live_server + SIGNED_IN_PATH)
    for changes in ({"code_challenge": None}, {"code_challenge": "qua-ngan"}, {"code_challenge": "x" * 129}):
        answer = browser.get(client_app.login_query(**changes))
        body = _problem(answer, 400, "pkce_required")
        assert "PKCE" in body["detail"]
        assert "Location" not in answer.headers


@pytest.mark.parametrize("method", ["plain", None, "s256"])
def test_only_the_s256_method_is_accepted(live_server, method):
    answer = Browser(live_server).get(
        App(live_server + SIGNED_IN_PATH).login_query(code_challenge_method=method)
    )
    body = _problem(answer, 400, "pkce_method_unsupported")
    assert "S256" in body["detail"]
    assert "Location" not in answer.headers


def test_pkce_without_a_redirect_uri_is_refused(live_server):
    client_app = App(live_server + SIGNED_IN_PATH)
    answer = Browser(live_server).get(client_app.login_query(redirect_uri=None))
    _problem(answer, 400, "redirect_uri_required")


def test_an_overlong_app_state_is_refused(live_server):
    answer = Browser(live_server).get(App(live_server + SIGNED_IN_PATH).login_query(state="s" * 257))
    body = _problem(answer, 422, "validation_failed")
    assert body["errors"][0]["field"] == "query.state"


def test_a_native_app_scheme_and_a_universal_link_can_be_registered(make_app, make_citizen):
    person = make_citizen()
    with serving(make_app, APP_REDIRECT_URIS=f"{NATIVE_URI}  {UNIVERSAL_LINK}\n") as base_url:
        for redirect_uri in (NATIVE_URI, UNIVERSAL_LINK):
            client_app, flow, back = app_sign_in(base_url, person["cccd"], redirect_uri)
            assert flow.locations[-1] == f"{redirect_uri}?code={back['code']}&state={client_app.state}"
            answer = trade(base_url, back["code"], client_app.verifier, redirect_uri)
            assert answer.status_code == 200, answer.text
            assert whoami(base_url, answer.json()["access_token"])["id"] == str(person["id"])
        # Registering URIs replaces the default: the PWA's page of this server is not one now.
        refused = Browser(base_url).get(App(base_url + SIGNED_IN_PATH).login_query())
        _problem(refused, 400, "redirect_uri_not_registered")


# ---- failures go back to the app ------------------------------------------------------------


def test_cancelling_at_vneid_lands_back_in_the_app_with_sso_denied(live_server, make_citizen, app):
    person = make_citizen()
    client_app = App(live_server + SIGNED_IN_PATH)
    flow = SignIn(Browser(live_server), client_app)
    flow.at_vneid(person["cccd"], action="cancel")
    answer, back = flow.back_in_app()
    assert back["error"] == "sso_denied"
    assert "hủy đăng nhập" in back["error_description"]
    assert back["state"] == client_app.state
    assert "code" not in back
    assert answer.headers["Cache-Control"].startswith("no-store")
    with app.app_context():
        assert db.session.scalars(select(AppSignInCode)).all() == []
    assert len(_denials(app, "sso_denied")) == 1  # the audit trail, as for every sign-in


def test_an_answer_with_a_foreign_state_goes_back_to_the_app_and_spoils_nothing(live_server, make_citizen):
    person = make_citizen()
    client_app = App(live_server + SIGNED_IN_PATH)
    flow = SignIn(Browser(live_server), client_app)
    callback = flow.at_vneid(person["cccd"])
    forged = callback.replace(f"state={_query(callback)['state']}", "state=trang-thai-gia-mao")

    _, back = flow.back_in_app(forged)
    assert back["error"] == "sso_state_mismatch"
    assert back["state"] == client_app.state
    # The attempt's own answer still ends in the app with a code.
    _, back = flow.back_in_app(callback)
    assert set(back) == {"code", "state"}
    assert trade(live_server, back["code"], client_app.verifier, client_app.redirect_uri).status_code == 200


def test_an_invalid_identity_goes_back_to_the_app(live_server, app):
    from datetime import date

    from api.citizens import cccd as cccd_rules
    from api.citizens.models import Citizen

    number = cccd_rules.build("066", "female", date(1990, 5, 17), 78)
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
    client_app = App(live_server + SIGNED_IN_PATH)
    flow = SignIn(Browser(live_server), client_app)
    flow.at_vneid(number)
    _, back = flow.back_in_app()
    assert back["error"] == "invalid_identity"
    assert "1990" in back["error_description"]


def test_vneid_down_sends_the_app_its_error(make_app):
    flask_app = make_app(OIDC_ISSUER=f"http://127.0.0.1:{free_port()}/vneid")  # nobody listens
    redirect_uri = flask_app.config["PUBLIC_BASE_URL"] + SIGNED_IN_PATH
    client_app = App(redirect_uri)
    answer = flask_app.test_client().get(client_app.login_query())
    assert answer.status_code == 302
    back = _query(answer.headers["Location"])
    assert answer.headers["Location"].startswith(redirect_uri + "?")
    assert back["error"] == "sso_failed"
    assert "VNeID" in back["error_description"]
    assert back["state"] == client_app.state


# ---- the old flow ---------------------------------------------------------------------------


def test_without_a_redirect_uri_the_callback_still_answers_the_token_pair(live_server, make_citizen):
    """API clients keep the JSON answer, even in a browser where an app's sign-in was abandoned."""
    person = make_citizen()
    browser = Browser(live_server)
    abandoned = SignIn(browser, App(live_server + SIGNED_IN_PATH))
    abandoned.to_vneid()

    started = browser.get("/auth/vneid/login")
    assert started.status_code == 302
    callback = browser.callback_after_sign_in(person["cccd"])
    answer = browser.get(callback)
    assert answer.status_code == 200, answer.text
    assert whoami(live_server, answer.json()["access_token"])["id"] == str(person["id"])


# ---- limits and configuration ---------------------------------------------------------------


def test_the_token_endpoint_is_rate_limited(make_app):
    client = make_app(RATELIMIT_SIGN_IN="2 per minute").test_client()
    verifier, _ = pkce_pair()
    body = {
        "code": "x" * 43,
        "code_verifier": verifier,
        "redirect_uri": "http://127.0.0.1:8000/app/signed-in",
    }
    statuses = [client.post("/auth/app/token", json=body).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]


def test_production_refuses_plain_http_redirect_uris_beyond_loopback():
    production = {
        "CDS_ENV": "production",
        "SECRET_KEY": "a" * 64,
        "JWT_SECRET_KEY": "b" * 64,
        "OIDC_CLIENT_SECRET": "c" * 32,
        "OIDC_ISSUER": "https://vneid.example.gov.vn",
        "RASA_TOKEN": "d" * 32,
        "PAYMENT_SECRET_KEY": "sk_live_" + "e" * 32,
        "PAYMENT_WEBHOOK_SECRET": "whsec_" + "f" * 32,
        "REPORTS_IDENTITY_KEY": "g" * 44,
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://cds@127.0.0.1:5432/cds",
        "PUBLIC_BASE_URL": "https://congdanso.daklak.gov.vn",
    }
    check_production_safety(production)  # the default: the PWA's page, over https
    fine = f"https://congdanso.daklak.gov.vn/app/signed-in {NATIVE_URI} http://127.0.0.1:8765/cb"
    check_production_safety({**production, "APP_REDIRECT_URIS": tuple(fine.split())})
    with pytest.raises(ConfigurationError, match="APP_REDIRECT_URIS"):
        check_production_safety({**production, "APP_REDIRECT_URIS": ("http://congdanso.daklak.gov.vn/app",)})
    with pytest.raises(ConfigurationError, match="APP_REDIRECT_URIS"):
        check_production_safety({**production, "PUBLIC_BASE_URL": "http://congdanso.daklak.gov.vn"})


def test_the_document_describes_the_hand_off(app):
    document = app.test_client().get("/openapi.json").json
    login = document["paths"]["/auth/vneid/login"]["get"]
    names = {parameter["name"] for parameter in login["parameters"] if parameter["in"] == "query"}
    assert names >= {"redirect_uri", "code_challenge", "code_challenge_method", "state"}
    assert login["responses"]["302"]["headers"]["Location"]["required"] is True
    assert "redirect_uri_not_registered" in login["responses"]["400"]["description"]
    callback = document["paths"]["/auth/vneid/callback"]["get"]["responses"]
    assert "Location" in callback["302"]["headers"]
    token = document["paths"]["/auth/app/token"]["post"]
    assert "invalid_grant" in token["responses"]["400"]["description"]
