"""Token offsets always point into the original message, whatever underthesea rewrites."""

from __future__ import annotations

import unicodedata

import pytest
from underthesea import word_tokenize

from components.vietnamese_text import align, fold, lemma, normalise_with_map, strip_diacritics

MESSAGES = [
    "tôi muốn tra cứu hồ sơ",
    "toi muon tra cuu ho so",
    "Ðảm baỏ an toàn giao thông",  # U+00D0 and a misplaced tone mark: underthesea rewrites both
    unicodedata.normalize("NFD", "Đăng ký khai sinh cho con"),  # decomposed input
    "xe 47A-123.45 có bị phạt nguội ko",
    "hồ sơ 66.24133-261122-0007 đến đâu rồi ạ???",
    "  nhiều   khoảng trắng  và\ttab ",
    "cccd 066190012345 của mình",
    "😀 chào ad nha",
]


@pytest.mark.parametrize("message", MESSAGES)
def test_every_token_is_a_slice_of_the_original(message):
    pieces = align(message, word_tokenize(message))
    assert pieces, message
    for piece in pieces:
        assert message[piece.start : piece.end] == piece.text
        assert fold(piece.text).replace(" ", "") == fold(piece.word).replace(" ", "")
    starts = [piece.start for piece in pieces]
    assert starts == sorted(starts)


def test_rewritten_characters_are_found_where_they_were_typed():
    message = "Ðảm baỏ an toàn"
    words = word_tokenize(message)
    assert any("Đ" in word for word in words)  # underthesea did rewrite the letter
    pieces = align(message, words)
    assert pieces[0].start == 0
    assert message[pieces[0].start : pieces[0].end].startswith("Ðảm")


def test_normalise_maps_back_to_the_original():
    original = unicodedata.normalize("NFD", "Việt Nam")
    normalised, spans = normalise_with_map(original)
    assert normalised == "Việt Nam"
    assert len(spans) == len(normalised)
    assert original[spans[1][0] : spans[1][1]] == unicodedata.normalize("NFD", "i")
    assert unicodedata.normalize("NFC", original[spans[2][0] : spans[2][1]]) == "ệ"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("ko", "khong"),
        ("k", "khong"),
        ("đc", "duoc"),
        ("dc", "duoc"),
        ("j", "gi"),
        ("cccd", "can_cuoc_cong_dan"),
        ("GPLX", "giay_phep_lai_xe"),
        ("bhyt", "bao_hiem_y_te"),
        ("tra cứu", "tra_cuu"),
        ("Hồ Sơ", "ho_so"),
    ],
)
def test_lemmas_expand_teencode_and_fold(word, expected):
    assert lemma(word) == expected


def test_strip_diacritics_keeps_length_and_offsets():
    text = unicodedata.normalize("NFC", "Đăng ký thường trú ở phường Tân An")
    stripped = strip_diacritics(text)
    assert stripped == "Dang ky thuong tru o phuong Tan An"
    assert len(stripped) == len(text)
    start = text.index("Tân An")
    assert stripped[start : start + len("Tân An")] == "Tan An"
