"""nblabel.text: UTF-16 <-> code point offsets, the built-in tokenizer, user token checks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nblabel.text import TextError, Utf16Index, check_tokens, decode_text, tokenize

# Any valid Unicode scalar (no surrogates), weighted towards the hard cases.
_hard = st.sampled_from(
    ["😀", "👩\u200d👩\u200d👧", "🇫🇷", "e\u0301", "\r\n", "\t", "\u200d", "שלום", "𝔘", "\x00", " "]
)
unicode_text = st.lists(
    st.one_of(st.characters(exclude_categories=["Cs"]), _hard), max_size=60
).map("".join)


@given(unicode_text)
def test_every_code_point_offset_round_trips_and_matches_the_browser(text):
    ix = Utf16Index(text)
    utf16 = text.encode("utf-16-le")
    assert ix.length16 * 2 == len(utf16)
    for cp in range(len(text) + 1):
        u = ix.to_utf16(cp)
        # The browser's string up to u is exactly the Python prefix up to cp.
        assert utf16[: 2 * u].decode("utf-16-le") == text[:cp]
        assert ix.from_utf16(u) == cp
    vector = ix.many_to_utf16(np.arange(len(text) + 1))
    assert vector.tolist() == [ix.to_utf16(i) for i in range(len(text) + 1)]
    assert ix.many_from_utf16(vector).tolist() == list(range(len(text) + 1))


@given(unicode_text)
def test_utf16_offsets_inside_a_surrogate_pair_are_refused(text):
    ix = Utf16Index(text)
    inside = {ix.to_utf16(i) + 1 for i, ch in enumerate(text) if ord(ch) > 0xFFFF}
    for u in range(ix.length16 + 1):
        if u in inside:
            with pytest.raises(TextError, match="splits a character"):
                ix.from_utf16(u)
        else:
            ix.from_utf16(u)


@given(unicode_text)
def test_tokens_cover_every_non_space_character_once_in_order(text):
    tokens = tokenize(text)
    covered = np.zeros(len(text), dtype=bool)
    previous_end = 0
    for start, end in tokens.tolist():
        assert previous_end <= start < end <= len(text)
        covered[start:end] = True
        previous_end = end
    for i, ch in enumerate(text):
        assert covered[i] != ch.isspace(), (i, ch)
    # Tokens are valid input for check_tokens.
    assert check_tokens(tokens.tolist(), len(text), name="t").tolist() == tokens.tolist()


def test_tokenizer_keeps_graphemes_together():
    text = "Zoë\u0301 said: 👩\u200d💻 🇫🇷🇩🇪 👍🏽 ab\u200dcd don't\r\n1\ufe0f\u20e3"
    words = [text[s:e] for s, e in tokenize(text)]
    assert words == [
        "Zoë\u0301",
        "said",
        ":",
        "👩\u200d💻",
        "🇫🇷",
        "🇩🇪",
        "👍🏽",
        "ab\u200dcd",
        "don",
        "'",
        "t",
        "1\ufe0f\u20e3",
    ]


def test_unpaired_surrogates_are_named():
    with pytest.raises(TextError, match=r"unpaired surrogate \(U\+D800\) at index 2"):
        Utf16Index("ab\ud800c", name="item 'x'")


def test_out_of_range_offsets_are_refused():
    ix = Utf16Index("a😀")
    with pytest.raises(TextError, match="outside"):
        ix.to_utf16(3)
    with pytest.raises(TextError, match="outside"):
        ix.from_utf16(4)
    with pytest.raises(TextError, match="outside"):
        ix.from_utf16(-1)


def test_decode_text():
    assert decode_text("héllo", name="item 0") == "héllo"
    assert decode_text("héllo".encode(), name="item 0") == "héllo"
    assert decode_text(b"\xef\xbb\xbfbom", name="item 0") == "bom"
    with pytest.raises(TextError, match=r"item 3: not UTF-8 text \(byte 0xe9 at position 1"):
        decode_text("héllo".encode("latin-1"), name="item 3")
    with pytest.raises(TextError, match="got int"):
        decode_text(5, name="item 0")


@pytest.mark.parametrize(
    ("tokens", "message"),
    [
        ([(0, 2), (1, 3)], r"\(0, 2\) and \(1, 3\) overlap"),
        ([(3, 2)], r"token \(3, 2\) is not inside"),
        ([(0, 9)], r"token \(0, 9\) is not inside the text \(0 to 5\)"),
        ([(0, 1.5)], "whole numbers"),
        ("abc", "list of"),
        ([(0, 1, 2)], "pairs"),
    ],
)
def test_bad_user_tokens_are_named(tokens, message):
    with pytest.raises(TextError, match=message):
        check_tokens(tokens, 5, name="item 'doc'")


def test_user_tokens_are_sorted():
    assert check_tokens([(2, 4), (0, 1)], 5, name="x").tolist() == [[0, 1], [2, 4]]
    assert check_tokens([], 5, name="x").shape == (0, 2)
