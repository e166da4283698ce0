"""Random mutations of the real seeds (and of their HTML pages) never raise, never hang and
never produce a key outside the catalog. The time bound is a hang guard, not a speed goal."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gxcrawler.catalog import METRICS
from gxcrawler.parsing import parse_bytes, parse_text

from .htmlbuild import render
from .truth import DATA, STEMS, load

SEED_TEXTS = [(DATA / "seeds" / f"{s}.txt").read_text("utf-8") for s in STEMS]
JUNK = st.sampled_from(
    [
        "规章",
        "总计",
        "其他",
        "(六)其他处理",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "第二十条第(九)项",
        "行政检查",
        "1234567890123456789012345678901234567890",
        "0" * 60,
        "--253",
        "|||||",
        "\t\t\t",
        "\xa0",
        "<table><tr><td>",
        "減4",
    ]
)
HANG_GUARD_S = 10.0


@st.composite
def mutated(draw):
    lines = draw(st.sampled_from(SEED_TEXTS)).splitlines()
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["delete", "dup", "swap", "cut", "junk", "text", "digits"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete":
            del lines[i : i + draw(st.integers(1, 20))]
        elif op == "dup":
            lines[i:i] = lines[i : i + draw(st.integers(1, 30))]
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "cut":
            lines = lines[:i] + [lines[i][: draw(st.integers(0, max(len(lines[i]), 1)))]]
        elif op == "junk":
            lines.insert(i, draw(JUNK))
        elif op == "text":
            lines.insert(i, draw(st.text(max_size=40)))
        else:
            line = lines[i]
            k = draw(st.integers(0, max(len(line), 1)))
            lines[i] = line[:k] + str(draw(st.integers(0, 10**9))) + line[k:]
    return "\n".join(lines)


def _sound(result) -> None:
    assert result.status != "error" or "empty" in (result.message or ""), result.message
    assert set(result.values) <= set(METRICS)
    assert set(result.blank) <= set(METRICS)
    assert not set(result.values) & set(result.blank)
    assert all(v.is_finite() for v in result.values.values())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_text_never_breaks(text):
    t0 = time.perf_counter()
    result = parse_text(text, source="fuzz")
    assert time.perf_counter() - t0 < HANG_GUARD_S
    _sound(result)


PAGES = [render(load(s), style) for s in STEMS for style in ("official", "word")]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PAGES), st.data())
def test_mutated_html_never_breaks(page, data):
    raw = bytearray(page.encode("utf-8"))
    for _ in range(data.draw(st.integers(1, 8))):
        op = data.draw(st.sampled_from(["flip", "delete", "insert", "cut"]))
        i = data.draw(st.integers(0, len(raw) - 1))
        if op == "flip":
            raw[i] = data.draw(st.integers(0, 255))
        elif op == "delete":
            del raw[i : i + data.draw(st.integers(1, 500))]
        elif op == "insert":
            raw[i:i] = data.draw(
                st.sampled_from(
                    [b"<table>", b"</td>", b"<tr>", b' rowspan="99999"', b' colspan="-3"', b"<td>0</td>"]
                )
            )
        else:
            del raw[i:]
        if not raw:
            raw = bytearray(b"<p>")
    t0 = time.perf_counter()
    result = parse_bytes(bytes(raw), source="fuzz.html", content_type="text/html")
    assert time.perf_counter() - t0 < HANG_GUARD_S
    _sound(result)


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=3000), st.sampled_from([None, "text/html", "application/pdf", "text/plain"]))
def test_random_bytes_never_raise(content, content_type):
    result = parse_bytes(content, source="bytes", content_type=content_type)
    assert set(result.values) <= set(METRICS)


def test_deeply_nested_markup_does_not_recurse():
    page = ("<div>" * 5000 + "规章 0 0 0" + "</div>" * 5000).encode()
    result = parse_bytes(page, source="deep.html", content_type="text/html")
    assert result.status != "error", result.message
