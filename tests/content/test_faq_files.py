"""The FAQ table and the chatbot's training files: import, export, round trip, no needless rewrite.

"Rasa reads the same" is checked by parsing the YAML as Rasa's loaders see it: the `faq/<key>`
intents with their example lines, and the single text of each `utter_faq/<key>` response.
"""

from __future__ import annotations

import os
import shutil

import pytest
import yaml

from api.config import PROJECT_ROOT
from content.models import FaqEntry, FaqVersion
from tests.content.conftest import audit_count, rows

COMMITTED_NLU = PROJECT_ROOT / "nlu_data" / "faq.yml"
COMMITTED_DOMAIN = PROJECT_ROOT / "chatbot" / "domain" / "faq.yml"
# Keys the held-out NLU test set (nlu_data/test/) and CHATBOT.md rely on.
REQUIRED_KEYS = {
    "vneid_activation",
    "identity_level_2",
    "chip_cccd",
    "digital_signature",
    "e_payment_account",
    "digital_address",
    "hotline_hours",
    "personal_data_protection",
}


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
        headers=writer["headers"],
        json={"answer": "Tổng đài 1900 0368, giờ hành chính.", "version": 1},
    )
    assert edited.status_code == 200
    kept = run(app, "faq-import", *paths(files))
    assert "hotline_hours" in kept.output
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
        headers=writer["headers"],
        json={"questions": [*entry["questions"], "thẻ căn cước gắn chip mới có gì khác"], "version": 1},
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
    client.patch(
        "/staff/content/faq/digital_signature",
        headers=writer["headers"],
        json={"active": False, "version": 1},
    )
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
    assert "digital_signature" not in data
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
    from content import service

    nlu, domain = COMMITTED_NLU.read_text(encoding="utf-8"), COMMITTED_DOMAIN.read_text(encoding="utf-8")
    items = service.parse_faq_files(nlu, domain)
    assert service.render_faq_files(items.values()) == (nlu, domain)
