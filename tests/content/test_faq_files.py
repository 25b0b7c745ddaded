"""The FAQ table and the chatbot's training files: import, export, round trip, no needless rewrite.

"Rasa reads the same" is checked by parsing the YAML as Rasa's loaders see it: the `faq/<key>`
intents with their example lines, and the single text of each `utter_faq/<key>` response.
"""

from __future__ import annotations

import json
import os
import re
import shutil

import pytest
import yaml
from sqlalchemy import select

from api.config import PROJECT_ROOT
from api.extensions import db
from content import faq, faq_files
from content.models import FaqEntry, FaqVersion
from tests.content.conftest import audit_count, if_match, rows

COMMITTED_NLU = PROJECT_ROOT / "nlu_data" / "faq.yml"
COMMITTED_DOMAIN = PROJECT_ROOT / "chatbot" / "domain" / "faq.yml"
# Keys the chatbot's test stories and held-out NLU sets rely on: one list, the exporter's.
REQUIRED_KEYS = faq.REQUIRED_FAQ_KEYS


def as_rasa_reads(nlu_path, domain_path):
    """{key: (examples, answer)} and the domain's declared intents, straight from the YAML."""
    nlu = yaml.safe_load(nlu_path.read_text(encoding="utf-8"))
    domain = yaml.safe_load(domain_path.read_text(encoding="utf-8"))
    examples = {
        item["intent"].removeprefix("faq/"): [
            line.strip()[2:] for line in item["examples"].splitlines() if line.strip()
        ]
        for item in nlu["nlu"]
    }
    answers = {
        name.removeprefix("utter_faq/"): [variant["text"] for variant in variants]
        for name, variants in domain["responses"].items()
    }
    assert nlu["version"] == domain["version"] == "3.1"
    assert set(examples) == set(answers)
    return {key: (examples[key], answers[key]) for key in examples}, domain["intents"]


@pytest.fixture
def files(tmp_path):
    nlu, domain = tmp_path / "nlu" / "faq.yml", tmp_path / "domain" / "faq.yml"
    nlu.parent.mkdir()
    domain.parent.mkdir()
    shutil.copy(COMMITTED_NLU, nlu)
    shutil.copy(COMMITTED_DOMAIN, domain)
    return nlu, domain


def run(app, *args):
    result = app.test_cli_runner().invoke(args=["content", *args])
    return result


def paths(files):
    return ["--nlu", str(files[0]), "--domain", str(files[1])]


def test_import_then_export_gives_the_same_training_data(app, files, tmp_path):
    before, intents_before = as_rasa_reads(*files)
    assert set(before) >= REQUIRED_KEYS

    imported = run(app, "faq-import", *paths(files))
    assert imported.exit_code == 0, imported.output
    assert "thêm 8" in imported.output
    assert rows(app, FaqEntry) == len(before) and rows(app, FaqVersion) == len(before)
    assert audit_count(app, "content.faq_imported") == len(before)

    out = [tmp_path / "out" / "nlu.yml", tmp_path / "out" / "domain.yml"]
    exported = run(app, "faq-export", *paths(out))
    assert exported.exit_code == 0, exported.output
    after, intents_after = as_rasa_reads(*out)
    assert after == before  # same keys, same examples in the same order, same answers
    assert intents_after == intents_before == ["faq"]
    text = out[0].read_text(encoding="utf-8")
    assert text.startswith("# Generated from the FAQ table")
    assert "flask content faq-export" in text
    keys = [line.removeprefix("- intent: faq/") for line in text.splitlines() if line.startswith("- intent:")]
    assert keys == sorted(keys)


def test_import_is_idempotent_and_leaves_newer_edits_alone(app, client, files, writer):
    assert run(app, "faq-import", *paths(files)).exit_code == 0
    again = run(app, "faq-import", *paths(files))
    assert again.exit_code == 0 and "thêm 0" in again.output and "giữ nguyên 8" in again.output
    assert rows(app, FaqVersion) == 8

    edited = client.patch(
        "/staff/content/faq/hotline_hours",
        headers=if_match(writer["headers"], "/staff/content/faq/hotline_hours", 1),
        json={"answer": "Tổng đài 1900 0368, giờ hành chính."},
    )
    assert edited.status_code == 200
    kept = run(app, "faq-import", *paths(files))
    assert "hotline_hours" in kept.output
    assert "Hỏi đáp: thêm 0, cập nhật 0, giữ nguyên 7, khác tệp nhưng không ghi đè 1." in kept.output
    assert "Khác với tệp (bảng là nguồn; dùng --update để ghi đè): hotline_hours" in kept.output
    assert client.get("/staff/content/faq/hotline_hours", headers=writer["headers"]).json["answer"] == (
        "Tổng đài 1900 0368, giờ hành chính."
    )
    overwritten = run(app, "faq-import", "--update", *paths(files))
    assert "cập nhật 1" in overwritten.output
    entry = client.get("/staff/content/faq/hotline_hours", headers=writer["headers"]).json
    assert entry["version"] == 3 and entry["answer"].startswith("Tổng đài hỗ trợ App Công dân số")


def test_an_unchanged_file_is_not_rewritten_and_a_changed_one_is(app, client, files, writer):
    assert run(app, "faq-import", *paths(files)).exit_code == 0
    assert run(app, "faq-export", *paths(files)).exit_code == 0
    old = 1_000_000_000  # 2001: any rewrite would move the modification time
    for path in files:
        os.utime(path, ns=(old * 10**9, old * 10**9))

    second = run(app, "faq-export", *paths(files))
    assert second.exit_code == 0 and "Không có thay đổi" in second.output
    assert [p.stat().st_mtime_ns for p in files] == [old * 10**9] * 2
    assert audit_count(app, "content.faq_exported") == 0  # the committed files are already current

    # A new question changes the NLU data only: the domain file stays as it was.
    entry = client.get("/staff/content/faq/chip_cccd", headers=writer["headers"]).json
    client.patch(
        "/staff/content/faq/chip_cccd",
        headers=if_match(writer["headers"], "/staff/content/faq/chip_cccd", 1),
        json={"questions": [*entry["questions"], "thẻ căn cước gắn chip mới có gì khác"]},
    )
    third = run(app, "faq-export", *paths(files))
    assert third.exit_code == 0, third.output
    assert files[0].stat().st_mtime_ns != old * 10**9
    assert files[1].stat().st_mtime_ns == old * 10**9
    assert audit_count(app, "content.faq_exported") == 1
    data, _ = as_rasa_reads(*files)
    assert data["chip_cccd"][0][-1] == "thẻ căn cước gắn chip mới có gì khác"


def test_inactive_entries_and_answers_with_line_breaks_are_exported_as_rasa_reads_them(
    app, client, files, writer
):
    assert run(app, "faq-import", *paths(files)).exit_code == 0
    retired = client.post(
        "/staff/content/faq",
        headers=writer["headers"],
        json={
            "key": "covid_vaccination",
            "questions": ["tiêm vắc xin covid ở đâu", "lịch tiêm mũi nhắc lại"],
            "answer": "Tại trạm y tế phường, xã.",
            "category": "y-te",
            "active": False,
        },
    )
    assert retired.status_code == 201, retired.json
    answer = "Dòng một: có dấu hai chấm.\n\n- dòng bắt đầu bằng gạch\n# và dấu thăng\n  'nháy' \"kép\" ở cuối"
    created = client.post(
        "/staff/content/faq",
        headers=writer["headers"],
        json={
            "key": "tax_online",
            "questions": ["nộp thuế online thế nào", "nop thue tren app duoc khong"],
            "answer": answer,
            "category": "dich-vu-cong",
        },
    )
    assert created.status_code == 201, created.json
    assert run(app, "faq-export", *paths(files)).exit_code == 0
    data, _ = as_rasa_reads(*files)
    assert "covid_vaccination" not in data and set(data) >= REQUIRED_KEYS
    assert data["tax_online"] == (
        ["nộp thuế online thế nào", "nop thue tren app duoc khong"],
        [answer.replace("\n  ", "\n")],  # lines are trimmed on the way in
    )


def test_an_empty_table_is_not_exported_over_the_bot_files(app, files):
    before = [p.read_bytes() for p in files]
    refused = run(app, "faq-export", *paths(files))
    assert refused.exit_code != 0
    assert "faq-import" in refused.output
    assert [p.read_bytes() for p in files] == before


def test_files_that_do_not_match_are_refused_whole(app, files):
    files[1].write_text(
        files[1].read_text(encoding="utf-8").replace("utter_faq/hotline_hours", "utter_faq/hotline"),
        encoding="utf-8",
    )
    refused = run(app, "faq-import", *paths(files))
    assert refused.exit_code != 0 and "hotline" in refused.output
    assert rows(app, FaqEntry) == 0


def test_the_committed_files_are_what_the_export_writes():
    """nlu_data/faq.yml and chatbot/domain/faq.yml are in the exporter's format, so the first
    export after an import changes nothing and the bot is not retrained for nothing."""
    nlu, domain = COMMITTED_NLU.read_text(encoding="utf-8"), COMMITTED_DOMAIN.read_text(encoding="utf-8")
    items = faq_files.parse_faq_files(nlu, domain)
    assert faq_files.render_faq_files(items.values()) == (nlu, domain)


def test_the_required_keys_are_every_faq_key_the_chatbots_tests_ask_for():
    """The list staff cannot deactivate covers the test stories and the held-out NLU sets."""
    sources = [PROJECT_ROOT / "chatbot" / "tests" / "stories" / "test_stories.yml"]
    sources += sorted((PROJECT_ROOT / "nlu_data" / "test").glob("*.yml"))
    asked = set()
    for source in sources:
        asked |= set(re.findall(r"faq/([a-z0-9_]+)", source.read_text(encoding="utf-8")))
    assert asked and asked <= REQUIRED_KEYS


def test_every_character_the_api_accepts_is_exported_as_rasa_reads_it():
    """The API refuses what `faq-export` could not write (faq.unsafe_character); everything
    else, in a question or an answer, comes back from the YAML exactly."""
    allowed = [
        chr(code)
        for code in [*range(0x20, 0x3400), *range(0xA000, 0x10000), 0x1F600, 0x1F1FB, 0x20000]
        if not faq.unsafe_character(chr(code)) and chr(code) not in "[]"
    ]
    chunks = ["".join(allowed[i : i + 200]) for i in range(0, len(allowed), 200)]
    items = [
        faq_files.FaqItem(f"k{n}", (f"hỏi {chunk.strip()} nhé", f"câu {n} khác"), f"đáp {chunk} hết")
        for n, chunk in enumerate(chunks)
    ]
    nlu, domain = faq_files.render_faq_files(items)  # refuses anything that does not read back
    assert faq_files.parse_faq_files(nlu, domain) == {item.key: item for item in items}


def test_an_entry_the_files_cannot_hold_stops_the_export_with_a_message_not_a_traceback(app, files):
    assert run(app, "faq-import", *paths(files)).exit_code == 0
    with app.app_context():  # written before the API refused such characters
        entry = db.session.scalar(select(FaqEntry).where(FaqEntry.key == "chip_cccd"))
        entry.questions = [*entry.questions, "chuông\x07 báo"]
        db.session.commit()
    before = [p.read_bytes() for p in files]
    refused = run(app, "faq-export", *paths(files))
    assert refused.exit_code == 1
    assert refused.output.startswith("Error: Không xuất được hỏi đáp") and "Traceback" not in refused.output
    assert not isinstance(refused.exception, faq_files.FaqFileError)  # a clean exit, not a crash
    assert [p.read_bytes() for p in files] == before


def test_files_with_a_control_character_are_not_imported(app, files):
    text = files[1].read_text(encoding="utf-8")
    start = text.index("  utter_faq/hotline_hours:\n")
    end = text.index("\n\n", start)
    # The answer as a double-quoted YAML scalar holding a BEL (\x07), which YAML allows.
    answer = '  utter_faq/hotline_hours:\n  - text: "Tổng đài\\x07 hỗ trợ."'
    files[1].write_text(text[:start] + answer + text[end:], encoding="utf-8")
    refused = run(app, "faq-import", *paths(files))
    assert refused.exit_code == 1 and "U+0007" in refused.output, refused.output
    assert rows(app, FaqEntry) == 0


# ---- faq-sync: what `make run` does -------------------------------------------------------------


def sync(app, files, state):
    result = run(app, "faq-sync", *paths(files), "--state", str(state))
    assert result.exit_code == 0, result.output
    return result


def edit_file(files, old: str, new: str, which: int = 1) -> None:
    text = files[which].read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    files[which].write_text(text.replace(old, new), encoding="utf-8")


def answer_of(client, writer, key):
    return client.get(f"/staff/content/faq/{key}", headers=writer["headers"]).json


def test_sync_first_run_imports_exports_and_remembers(app, files, tmp_path):
    state = tmp_path / "instance" / "faq-sync.json"
    before = [p.read_bytes() for p in files]
    first = sync(app, files, state)
    assert "thêm 8" in first.output and "Không có thay đổi" in first.output
    assert [p.read_bytes() for p in files] == before
    recorded = json.loads(state.read_text(encoding="utf-8"))
    assert set(recorded["entries"]) == REQUIRED_KEYS and len(recorded["files"]) == 2
    again = sync(app, files, state)
    assert "thêm 0" in again.output and "giữ nguyên 8" in again.output
    assert rows(app, FaqVersion) == 8


def test_sync_takes_an_edit_pulled_from_git_for_a_key_the_table_has(app, client, files, tmp_path, writer):
    state = tmp_path / "faq-sync.json"
    sync(app, files, state)
    # Someone else's commit, pulled: a new answer for hotline_hours, a new question for chip_cccd.
    edit_file(files, "Tổng đài hỗ trợ App Công dân số", "Tổng đài hỗ trợ mới của App Công dân số")
    edit_file(
        files,
        "    - cccd gắn chip còn hạn",
        "    - căn cước gắn chip dùng được bao lâu\n    - cccd gắn chip còn hạn",
        0,
    )

    pulled = sync(app, files, state)
    assert "cập nhật 2" in pulled.output, pulled.output
    hotline = answer_of(client, writer, "hotline_hours")
    assert hotline["answer"].startswith("Tổng đài hỗ trợ mới") and hotline["version"] == 2
    assert "căn cước gắn chip dùng được bao lâu" in answer_of(client, writer, "chip_cccd")["questions"]
    # The export kept the pulled edits: the files say what they said after the pull.
    data, _ = as_rasa_reads(*files)
    assert data["hotline_hours"][1][0].startswith("Tổng đài hỗ trợ mới")
    assert data["chip_cccd"][0][0] == "căn cước gắn chip dùng được bao lâu"
    # And the next sync changes nothing.
    assert "cập nhật 0" in sync(app, files, state).output


def test_sync_exports_a_console_edit_and_keeps_it_across_an_unrelated_pull(
    app, client, files, tmp_path, writer
):
    state = tmp_path / "faq-sync.json"
    sync(app, files, state)
    edited = client.patch(
        "/staff/content/faq/digital_address",
        headers=if_match(writer["headers"], "/staff/content/faq/digital_address", 1),
        json={"answer": "Địa chỉ số: sửa trên bảng điều khiển."},
    )
    assert edited.status_code == 200
    # Before the next sync, a pull changes another key only.
    edit_file(files, "Tổng đài hỗ trợ App Công dân số", "Tổng đài hỗ trợ mới của App Công dân số")

    synced = sync(app, files, state)
    assert "cập nhật 1" in synced.output
    data, _ = as_rasa_reads(*files)
    assert data["digital_address"][1] == ["Địa chỉ số: sửa trên bảng điều khiển."]  # the console's
    assert data["hotline_hours"][1][0].startswith("Tổng đài hỗ trợ mới")  # the pull's
    assert answer_of(client, writer, "digital_address")["version"] == 2  # not overwritten

    # With no pull at all, the table wins: a console edit is written to the files.
    client.patch(
        "/staff/content/faq/digital_address",
        headers=if_match(writer["headers"], "/staff/content/faq/digital_address", 2),
        json={"answer": "Địa chỉ số: lần sửa thứ hai."},
    )
    sync(app, files, state)
    assert as_rasa_reads(*files)[0]["digital_address"][1] == ["Địa chỉ số: lần sửa thứ hai."]


def test_sync_retires_a_key_a_pull_removed_but_not_one_the_bots_tests_need(
    app, client, files, tmp_path, writer
):
    state = tmp_path / "faq-sync.json"
    created = client.post(
        "/staff/content/faq",
        headers=writer["headers"],
        json={
            "key": "tax_online",
            "questions": ["nộp thuế online thế nào", "nop thue tren app duoc khong"],
            "answer": "Vào Dịch vụ công, chọn Thuế.",
            "category": "dich-vu-cong",
        },
    )
    assert created.status_code == 201
    sync(app, files, state)
    assert "tax_online" in as_rasa_reads(*files)[0]
    # A pull removes tax_online and hotline_hours from both files.
    items = faq_files.parse_faq_files(*(p.read_text(encoding="utf-8") for p in files))
    kept = [item for key, item in items.items() if key not in {"tax_online", "hotline_hours"}]
    for path, text in zip(files, faq_files.render_faq_files(kept), strict=True):
        path.write_text(text, encoding="utf-8")

    synced = sync(app, files, state)
    assert "Ngừng dùng (không còn trong tệp): tax_online" in synced.output
    assert "hotline_hours" in synced.output.split("Giữ lại")[1]
    assert answer_of(client, writer, "tax_online")["active"] is False
    data, _ = as_rasa_reads(*files)
    assert "tax_online" not in data and "hotline_hours" in data
