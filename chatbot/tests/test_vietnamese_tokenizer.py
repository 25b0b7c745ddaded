"""The Rasa tokenizer component: offsets into the original, lemmas, diacritic-free twins."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from underthesea import word_tokenize

from components.vietnamese_tokenizer import VietnameseTokenizer, diacritic_free_twin


def tokenizer() -> VietnameseTokenizer:
    return VietnameseTokenizer(VietnameseTokenizer.get_default_config())


def test_tokens_carry_original_offsets_and_folded_lemmas():
    message = Message(data={TEXT: "Ðảm baỏ hồ sơ ko bị thất lạc"})
    tokens = tokenizer().tokenize(message, TEXT)
    text = message.get(TEXT)
    for token in tokens:
        assert text[token.start : token.end] == token.text
    lemmas = [token.lemma for token in tokens]
    assert "ho_so" in lemmas
    assert "khong" in lemmas


def test_twin_keeps_intent_and_entity_spans():
    example = Message(
        data={
            TEXT: "xem hồ sơ khai sinh ở phường Tân An",
            INTENT: "ask_procedure",
            ENTITIES: [
                {"start": 10, "end": 19, "value": "khai sinh", "entity": "procedure"},
                {"start": 29, "end": 35, "value": "Tân An", "entity": "ward"},
            ],
        }
    )
    twin = diacritic_free_twin(example)
    assert twin.get(TEXT) == "xem ho so khai sinh o phuong Tan An"
    assert twin.get(INTENT) == "ask_procedure"
    ward = twin.get(ENTITIES)[1]
    assert twin.get(TEXT)[ward["start"] : ward["end"]] == "Tan An"
    assert ward["value"] == "Tan An"


def test_synonym_values_stay_canonical_in_the_twin():
    example = Message(
        data={
            TEXT: "xem sổ đỏ",
            INTENT: "ask_records",
            ENTITIES: [{"start": 4, "end": 9, "value": "land", "entity": "record_type"}],
        }
    )
    assert diacritic_free_twin(example).get(ENTITIES)[0]["value"] == "land"


def test_nothing_to_strip_means_no_twin():
    assert (
        diacritic_free_twin(Message(data={TEXT: "toi muon tra cuu ho so", INTENT: "check_dossier_status"}))
        is None
    )
    assert diacritic_free_twin(Message(data={TEXT: "hồ sơ"})) is None  # not an NLU example


def test_training_data_is_augmented_then_tokenized():
    data = TrainingData(
        training_examples=[
            Message(data={TEXT: "tôi muốn tra cứu hồ sơ", INTENT: "check_dossier_status"}),
            Message(data={TEXT: "chao ban", INTENT: "greet"}),
        ]
    )
    processed = tokenizer().process_training_data(data)
    texts = sorted(example.get(TEXT) for example in processed.training_examples)
    assert texts == ["chao ban", "toi muon tra cuu ho so", "tôi muốn tra cứu hồ sơ"]
    assert all(example.get("text_tokens") for example in processed.training_examples)


# ---- protected spans: regex matches and lexicon entries are never glued to their neighbours


@pytest.fixture(scope="module")
def training_data() -> TrainingData:
    """The training files `make bot-train` passes: nlu_data/*.yml and nlu_data/lookups."""
    root = Path(__file__).resolve().parents[2] / "nlu_data"
    files = sorted(root.glob("*.yml")) + sorted((root / "lookups").glob("*.yml"))
    return TrainingData().merge(*(load_data(str(path)) for path in files))


@pytest.fixture(scope="module")
def trained(training_data) -> VietnameseTokenizer:
    """The tokenizer as `rasa train` builds it: patterns and lexicon from the real nlu_data/."""
    component = tokenizer()
    component.train(training_data)
    return component


def spans(component: VietnameseTokenizer, text: str) -> list[tuple[str, int, int]]:
    tokens = component.tokenize(Message(data={TEXT: text}), TEXT)
    for token in tokens:
        assert text[token.start : token.end] == token.text
    return [(token.text, token.start, token.end) for token in tokens]


def test_patterns_come_from_regexes_yml(trained):
    names = {name for name, _ in trained.guard.regexes}
    assert {"dossier_code", "license_plate", "cccd"} <= names
    assert "khai sinh" in trained.guard.lexicon  # lookup table
    assert "trom" in trained.guard.lexicon  # annotated incident_type text, folded


def test_dossier_code_is_one_token_with_its_offsets(trained):
    text = "tra cuu ho so 66.24133-261122-0007 giup toi"
    assert ("66.24133-261122-0007", 14, 34) in spans(trained, text)
    # underthesea alone glues it to "so" and splits it at the dashes
    assert "so 66.24133" in word_tokenize(text)


def test_dossier_code_with_spaces_and_plates_are_one_token_each(trained):
    assert ("66.24121 - 261118 - 0003", 6, 30) in spans(
        trained, "mã hs 66.24121 - 261118 - 0003 sao vẫn chưa xong"
    )
    for plate in ("47a12345", "47A 123 45", "47A-123.45", "47-B1 12345", "47B1 234.56", "47L-1234"):
        text = f"xe {plate} bi phat nguoi ko"
        assert (plate, 3, 3 + len(plate)) in spans(trained, text)
    assert ("066190012345", 5, 17) in spans(trained, "cccd 066190012345 cua minh")


def test_regex_tokens_read_as_their_pattern_name(trained):
    tokens = trained.tokenize(Message(data={TEXT: "hs 66.24133-261122-0007 xe 47A-123.45"}), TEXT)
    assert [token.lemma for token in tokens][-3:] == ["__dossier_code__", "xe", "__license_plate__"]


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("nha bi trom mat xe may", "trom"),
        ("co nguoi bi dam o quan karaoke", "dam"),
        ("mua hồ tiêu Cư M’gar ở đâu", "Cư M’gar"),
        ("mua hồ tiêu Cư M’gar ở đâu", "hồ tiêu"),
        ("mua ca cao Krong Ana o dau", "Krong Ana"),
        ("em moi chuyen ve Buon Ho o, gio nhap ho khau can gi", "nhap ho khau"),
    ],
)
def test_lexicon_entries_start_and_end_on_token_boundaries(trained, text, entity):
    start = text.index(entity)
    tokens = spans(trained, text)
    assert start in {s for _, s, _ in tokens}
    assert start + len(entity) in {e for _, _, e in tokens}


def test_odd_unicode_still_aligns_with_protection(trained):
    text = "Ðảm baỏ hồ sơ 66.24133-261122-0007 ko bị thất lạc"
    tokens = spans(trained, text)
    assert tokens[0][1] == 0 and text[: tokens[0][2]].startswith("Ðảm")
    assert ("66.24133-261122-0007", 14, 34) in tokens
    decomposed = unicodedata.normalize("NFD", "hồ sơ khai sinh ở Buôn Hồ")
    assert spans(trained, decomposed)  # offsets checked inside spans()


def test_trained_spans_survive_persist_and_load(training_data, tmp_path):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    storage, resource = LocalModelStorage(tmp_path), Resource("train_VietnameseTokenizer0")
    config, context = VietnameseTokenizer.get_default_config(), ExecutionContext(GraphSchema({}))
    VietnameseTokenizer.create(config, storage, resource, context).train(training_data)
    loaded = VietnameseTokenizer.load(config, storage, resource, context)
    text = "tra cuu ho so 66.24133-261122-0007 giup toi"
    assert ("66.24133-261122-0007", 14, 34) in spans(loaded, text)
    assert "trom" in loaded.guard.lexicon


def test_fixed_words_is_no_substitute():
    """Why protected_spans splits the message itself: underthesea's fixed_words keeps a phrase
    together but still glues it to the word before, and ignores single syllables."""
    code = "66.24133-261122-0007"
    assert f"so {code}" in word_tokenize(f"tra cuu ho so {code} giup toi", fixed_words=[code])
    assert "bi trom" in word_tokenize("nha bi trom mat xe may", fixed_words=["trom"])


def test_no_training_entity_is_misaligned(training_data, trained):
    """What Rasa warns about as 'Misaligned entity annotation' while training DIET."""
    examples = list(training_data.entity_examples)
    examples += [twin for example in examples if (twin := diacritic_free_twin(example))]
    misaligned = []
    for example in examples:
        tokens = trained.tokenize(example, TEXT)
        starts, ends = {token.start for token in tokens}, {token.end for token in tokens}
        for entity in example.get(ENTITIES):
            if entity["start"] not in starts or entity["end"] not in ends:
                misaligned.append((example.get(TEXT), example.get(TEXT)[entity["start"] : entity["end"]]))
    assert misaligned == []
