"""The Rasa tokenizer component: offsets into the original, lemmas, diacritic-free twins."""

from __future__ import annotations

from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

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
