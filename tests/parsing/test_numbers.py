"""The number reader: printed forms to Decimal, blanks, malformed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gxcrawler.parsing.numbers import Kind, read_number

FULL = str.maketrans("0123456789,.-+", "０１２３４５６７８９，．－＋")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("33,764", "33764"),
        ("209,512.943", "209512.943"),
        ("２０２", "202"),
        ("160.5964万元", "160.5964"),
        ("-27", "-27"),
        ("+43", "43"),
        ("减4", "-4"),
        ("增5", "5"),
        (" 1 2 ", "12"),
        ("0.092", "0.092"),
        ("\u22127", "-7"),
        ("12件", "12"),
    ],
)
def test_printed_forms(text, value):
    r = read_number(text)
    assert r.kind is Kind.VALUE and r.value == Decimal(value)


@pytest.mark.parametrize("text", ["", " ", "\xa0", "-", "/", "—", "——", "无", "／", "－"])
def test_blanks(text):
    assert read_number(text).kind is Kind.BLANK


@pytest.mark.parametrize("text", ["--253", "1,23", "3.4.5", "+-3", "减-4", "12..5"])
def test_malformed(text):
    assert read_number(text).kind is Kind.MALFORMED


@pytest.mark.parametrize("text", ["规章", "总计", "100%", "2022年1月", "abc"])
def test_text_is_not_a_number(text):
    assert read_number(text).kind is Kind.TEXT


def _grouped(n: int) -> str:
    return f"{n:,}"


@given(st.integers(min_value=-(10**12), max_value=10**12), st.booleans(), st.booleans())
def test_any_integer_round_trips(n, grouped, full_width):
    text = _grouped(n) if grouped else str(n)
    if full_width:
        text = text.translate(FULL)
    r = read_number(text)
    assert r.kind is Kind.VALUE and r.value == n


@given(
    st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "万元"]),
)
def test_amounts_round_trip(d, unit):
    text = f"{d:f}{unit}"
    r = read_number(text)
    assert r.kind is Kind.VALUE and r.value == d


@given(st.text(max_size=30))
def test_never_raises_and_values_are_finite(text):
    r = read_number(text)
    assert r.kind in Kind
    if r.kind is Kind.VALUE:
        assert r.value is not None and r.value.is_finite()
