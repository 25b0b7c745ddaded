"""One person's words and files never reach another person.

Citizen A writes something private into every place the app takes a citizen's own words or
files: a field report (description, address, a photo, a comment), a named crime report, a
document in the wallet, an application form, the chat (signed in and anonymously), a digital
address, a seller's product under review; and the police put the camera's photo of A's car on a
fine of hers. Citizen B then does two things an outside review did:

- walks every GET route of the URL map holding A's ids (every id and code A's answers carried,
  each tried in every path parameter), signed in and anonymously;
- does the things that show a citizen other people's data on purpose: filing a report of the
  same kind a few metres from A's (the duplicate hints), in the app and through the chatbot.

Nothing B gets back may carry A's words, phone number or file bytes. A route added later that
leaks is caught by the walk without a new test.
"""

from __future__ import annotations

import io
import itertools
import re

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter, UUIDConverter

from api.storage import get_storage
from tests.conftest import DEMO_WARD
from tests.content.products.conftest import decide_seller, fresh_tax_code, product_body
from tests.dossiers.samples import VALID_FORMS
from tests.fines.conftest import notice_body
from tests.reports.conftest import LAT, LON, offset, report_body

PHONE = "0771816477"
MARK = "chuyện riêng của chị An"
SECRET = f"Gọi tôi: {PHONE}. Đây là {MARK}."
UUID_SHAPE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# A's answers carry other strings a path may take: dossier codes (and the fine photos' ids).
DOSSIER_CODE = re.compile(r"\b\d{2}\.\d{5}-\d{6}-\d{4}\b")

# What the walk does not need to try: the development identity provider's own sign-in pages
# (they hold no citizen data) and the static files of the consoles and the docs.
SKIPPED_PREFIXES = ("/dev-idp", "/docs/assets", "/agent/console/", "/comms/console/")


def _photo(seed: int) -> bytes:
    # A photo of A's own: its bytes are unique, so finding them in an answer means it leaked.
    buffer = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (40 + seed, 30), (seed % 255, 90, 160)).save(buffer, "JPEG")
    return buffer.getvalue()


def _pdf_with(text: str) -> bytes:
    from tests.documents.samples import MINIMAL_PDF

    head, tail = MINIMAL_PDF.split(b"trailer")
    return head + b"% " + text.encode() + b"\ntrailer" + tail


class Seen:
    """Everything of A's that B must never get back, and every id A's answers carried."""

    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.codes: set[str] = set()
        self.files: list[bytes] = []
        self.named: dict[str, str] = {}  # A's report, dossier, product and conversations by name

    def take(self, response) -> None:
        text = response.get_data(as_text=True)
        self.ids.update(UUID_SHAPE.findall(text))
        self.codes.update(DOSSIER_CODE.findall(text))


def _upload(client, url, headers, data, filename, content_type, **fields):
    return client.post(
        url,
        headers=headers,
        data={**fields, "file": (io.BytesIO(data), filename, content_type)},
        content_type="multipart/form-data",
    )


@pytest.fixture
def first_citizens_private_things(client, app, citizen, catalogue, staff_headers) -> Seen:
    """Citizen A's private words and files, in every place the app takes them."""
    a = citizen["headers"]
    seen = Seen()

    def keep(response, *ok):
        assert response.status_code in (ok or (200, 201)), response.get_data(as_text=True)
        seen.take(response)
        return response.json

    # A field report, with a photo and a comment of A's, and a named crime report.
    report = keep(
        client.post(
            "/me/reports",
            headers=a,
            json=report_body(description=f"Ổ gà sâu trước nhà. {SECRET}", address=f"Nhà chị An. {SECRET}"),
        )
    )["report"]
    photo = _photo(1)
    seen.files.append(photo)
    keep(_upload(client, f"/me/reports/{report['id']}/media", a, photo, "o-ga.jpg", "image/jpeg"))
    keep(client.post(f"/me/reports/{report['id']}/comments", headers=a, json={"body": SECRET}))
    keep(
        client.post(
            "/me/reports",
            headers=a,
            json=report_body(category="trom-cap", description=f"Bị trộm xe trước nhà. {SECRET}"),
        )
    )

    # A document in the wallet, attached to an application whose form carries A's words.
    pdf = _pdf_with(SECRET)
    seen.files.append(pdf)
    document = keep(_upload(client, "/me/documents", a, pdf, "giay-to.pdf", "application/pdf", title=MARK))
    form = {**VALID_FORMS["khai-sinh"], "child_place_of_birth": f"Nhà riêng, {MARK}"}
    seen.named["report"] = report["id"]
    seen.named["dossier"] = keep(
        client.post(
            "/me/dossiers",
            headers=a,
            json={
                "procedure_code": "khai-sinh",
                "form": form,
                "attachments": [{"document_id": document["id"], "requirement": "Giấy chứng sinh"}],
            },
        )
    )["code"]

    # The chat, signed in and anonymously (the bot is down in the tests: the words are kept).
    seen.named["conversation"] = keep(client.post("/chat", headers=a, json={"message": SECRET}), 200, 202)[
        "conversation_id"
    ]
    seen.named["anonymous_conversation"] = keep(
        client.post("/chat", json={"message": f"Tôi không đăng nhập. {SECRET}"}), 200, 202
    )["conversation_id"]

    # A digital address, and a product under review of A's household business.
    keep(client.put("/me/digital-address", headers=a, json={"street": MARK[:60], "ward_code": DEMO_WARD}))
    seller = keep(
        client.post(
            "/me/seller",
            headers=a,
            json={
                "business_name": "Hộ kinh doanh Cà phê Ea Tam",
                "registration_number": fresh_tax_code(),
                "ward_code": DEMO_WARD,
                "phone": PHONE,
            },
        ),
    )
    moderator, _ = staff_headers("comms")
    keep(decide_seller(client, moderator, seller))
    seen.named["product"] = keep(
        client.post("/me/seller/products", headers=a, json=product_body(description=f"Chưa duyệt: {SECRET}"))
    )["id"]

    # A traffic fine of A's, with the camera's photo of A's car.
    evidence = _photo(4)
    seen.files.append(evidence)
    key = f"fines/evidence/walk-{citizen['id']}.jpg"
    with app.app_context():
        get_storage().put(key, evidence, "image/jpeg")
    police, _ = staff_headers("police")
    keep(client.post("/police/fines", headers=police, json=notice_body(citizen["cccd"], evidence=[key])))
    for fine in keep(client.get("/me/fines", headers=a)):
        seen.codes.update(item["id"] for item in fine["evidence"])  # the photos' opaque ids

    # Whatever A's own lists show: more ids (media, comments, conversations, messages).
    for path in ("/me/reports", "/me/documents", "/me/dossiers", "/me/inbox", "/me/seller/products"):
        seen.take(client.get(path, headers=a))
    seen.ids.add(str(citizen["id"]))
    return seen


def _leaks(response, seen: Seen) -> list[str]:
    body = response.get_data()
    text = body.decode("utf-8", "replace")
    found = [word for word in (MARK, PHONE) if word in text]
    found += [f"a file of A's ({len(data)} bytes)" for data in seen.files if data in body]
    return found


def _candidates(converter, seen: Seen) -> list[str]:
    """A's values that fit a path parameter: ids in uuid parameters, ids and codes in the rest."""
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)
    if isinstance(converter, UUIDConverter):
        return sorted(seen.ids)
    if isinstance(converter, IntegerConverter):
        return ["1", "2"]
    return sorted(seen.ids) + sorted(seen.codes)


def _paths(app, seen: Seen):
    """Every GET path of the URL map, each path parameter filled with each of A's ids and codes."""
    urls = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.rule.startswith(SKIPPED_PREFIXES):
            continue
        names = sorted(rule._converters)  # the path's own parameters, not its defaults
        choices = [_candidates(rule._converters[name], seen) for name in names]
        for combination in itertools.product(*choices):
            yield urls.build(rule.endpoint, dict(zip(names, combination, strict=True)), method="GET")


def test_another_citizen_holding_all_of_a_citizens_ids_reads_none_of_their_words_or_files(
    client, app, first_citizens_private_things, other_citizen
):
    seen = first_citizens_private_things
    assert len(seen.ids) >= 10 and seen.codes, "A's answers should have carried ids and a dossier code"
    leaks, walked = [], 0
    for path in _paths(app, seen):
        for who, headers in (("B", other_citizen["headers"]), ("anonymous", {})):
            response = client.get(path, headers=headers)
            walked += 1
            if found := _leaks(response, seen):
                leaks.append(f"{who} GET {path} -> {response.status_code}: {', '.join(found)}")
    assert walked > 500, walked  # the walk really covered the URL map
    assert leaks == [], "A's private words or files reached someone else:\n" + "\n".join(leaks[:40])


# ---- the other way round: B's words do not get into A's things ----------------------------

B_WORDS = "lời của anh Bình, gọi 0909000111"


def test_another_citizen_cannot_put_their_words_or_files_into_a_citizens_things(
    client, app, citizen, first_citizens_private_things, other_citizen, monkeypatch
):
    seen, b = first_citizens_private_things, other_citizen["headers"]
    report, dossier, product = (seen.named[k] for k in ("report", "dossier", "product"))
    b_photo = _photo(3)
    attempts = {
        "comment on A's report": client.post(
            f"/me/reports/{report}/comments", headers=b, json={"body": B_WORDS}
        ),
        "photo on A's report": _upload(
            client, f"/me/reports/{report}/media", b, b_photo, "b.jpg", "image/jpeg"
        ),
        "rating of A's report": client.post(
            f"/me/reports/{report}/rating", headers=b, json={"score": 1, "comment": B_WORDS}
        ),
        "withdrawal of A's dossier": client.post(
            f"/me/dossiers/{dossier}/actions",
            headers={**b, "If-Match": '"x"'},
            json={"action": "withdraw", "note": B_WORDS},
        ),
        "rating of A's dossier": client.post(
            f"/me/dossiers/{dossier}/rating", headers=b, json={"score": 1, "comment": B_WORDS}
        ),
        "edit of A's product": client.patch(
            f"/me/seller/products/{product}", headers=b, json={"description": B_WORDS}
        ),
        "message in A's chat": client.post(
            "/chat", headers=b, json={"message": B_WORDS, "conversation_id": seen.named["conversation"]}
        ),
        "message in A's anonymous chat": client.post(
            "/chat", json={"message": B_WORDS, "conversation_id": seen.named["anonymous_conversation"]}
        ),
    }
    accepted = {name: r.status_code for name, r in attempts.items() if r.status_code < 400}
    assert accepted == {}, f"B wrote into A's things: {accepted}"
    assert {r.status_code for r in attempts.values()} <= {403, 404, 422}

    # What A sees of her own things, everywhere: nothing of B's. Her chat's live stream sends
    # what is there at once, then would stay open for minutes: a second is enough here.
    monkeypatch.setitem(app.config, "CHAT_STREAM_SECONDS", 1)
    found = []
    for path in _paths(app, seen):
        body = client.get(path, headers=citizen["headers"]).get_data()
        if B_WORDS.encode() in body or b_photo in body:
            found.append(path)
    assert found == []


# ---- what shows a citizen other people's reports on purpose: duplicate hints ---------------


def _file_as_a_near_b(client, a_headers) -> dict:
    return client.post(
        "/me/reports",
        headers=a_headers,
        json=report_body(description=f"Ổ gà sâu. {SECRET}", address=f"Nhà chị An. {SECRET}"),
    ).json["report"]


PUBLIC_HINT = {"id", "category", "distance_m", "status", "status_name", "affected_count", "submitted_at"}


def _assert_public_hint_only(answer: dict, first: dict) -> None:
    [hint] = answer["possible_duplicates"]
    assert hint["id"] == first["id"]
    assert set(hint) == PUBLIC_HINT, sorted(hint)
    assert hint["category"] == {"code": "o-ga", "name": first["category"]["name"]}
    assert 3 <= hint["distance_m"] <= 7 and hint["affected_count"] == 1
    assert hint["status"] == "received" and hint["status_name"]


def test_a_duplicate_hint_in_the_app_shows_what_is_public_never_the_other_reporters_words(
    client, app, citizen, other_citizen
):
    first = _file_as_a_near_b(client, citizen["headers"])
    photo = _photo(2)
    _upload(client, f"/me/reports/{first['id']}/media", citizen["headers"], photo, "a.jpg", "image/jpeg")
    lat, lon = offset(LAT, LON, 5)

    response = client.post(
        "/me/reports", headers=other_citizen["headers"], json=report_body(latitude=lat, longitude=lon)
    )

    assert response.status_code == 201, response.json
    _assert_public_hint_only(response.json, first)
    text = response.get_data(as_text=True)
    assert PHONE not in text and MARK not in text and "Nhà chị An" not in text
    assert photo not in response.get_data()


def test_a_duplicate_hint_through_the_chatbot_shows_what_is_public_never_the_other_reporters_words(
    client, app, citizen, other_citizen_in_chat
):
    first = _file_as_a_near_b(client, citizen["headers"])
    bot, token = other_citizen_in_chat
    lat, lon = offset(LAT, LON, 5)
    body = report_body(latitude=lat, longitude=lon, incident_at=None)

    response = client.post("/service/reports", headers=bot, json={**body, "on_behalf_of": token})

    assert response.status_code == 201, response.json
    _assert_public_hint_only(response.json, first)
    text = response.get_data(as_text=True)
    assert PHONE not in text and MARK not in text and "Nhà chị An" not in text


@pytest.fixture
def other_citizen_in_chat(client, app, citizen_headers):
    """The action server's machine account, and citizen B's delegated chat token."""
    from api.demo import CHATBOT_SCOPES
    from tests.reports.test_chat_reports import BOT_ID, BOT_SECRET, _service_headers, chat_token

    bot = _service_headers(client, app, BOT_ID, BOT_SECRET, list(CHATBOT_SCOPES))
    _, _, pair = citizen_headers(full_name="Trần Văn Bình", sex="male")
    return bot, chat_token(app, pair)


def test_the_walk_catches_a_leak(client, app, citizen, other_citizen, monkeypatch):
    """The walk can fail: a route that shows A's words to B is reported (guards the test itself)."""
    first = _file_as_a_near_b(client, citizen["headers"])
    seen = Seen()
    seen.ids.add(first["id"])
    from api.reports import service

    monkeypatch.setattr(service, "citizen_report", lambda citizen_id, report_id: service._get(report_id))
    leaked = [
        path for path in _paths(app, seen) if _leaks(client.get(path, headers=other_citizen["headers"]), seen)
    ]
    assert f"/me/reports/{first['id']}" in leaked
