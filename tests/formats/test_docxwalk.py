"""The DOCX walk (formats/docxwalk.py) reads what python-docx reads, or leaves the table to it."""

from __future__ import annotations

import io
import logging

import docx
import pytest
from docx.oxml import parse_xml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gxcrawler.formats import docxwalk, word
from gxcrawler.formats.limits import Limits
from gxcrawler.synthetic import make_report, render_docx

pytestmark = pytest.mark.skipif(not docxwalk.ENABLED, reason=f"python-docx {docxwalk.INSTALLED} not verified")

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def both(content: bytes) -> tuple[dict, dict]:
    """``read_docx`` with the walk, then with python-docx alone."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(docxwalk, "ENABLED", True)
        fast = vars(word.read_docx(content, Limits()))
        mp.setattr(docxwalk, "ENABLED", False)
        slow = vars(word.read_docx(content, Limits()))
    return fast, slow


def package(body_xml: str) -> bytes:
    """A DOCX whose body is ``body_xml`` (elements in the ``w`` namespace), before its section."""
    d = docx.Document()
    body = d.element.body
    for child in list(body):
        if child.tag != f"{{{W}}}sectPr":
            body.remove(child)
    holder = parse_xml(f'<w:body xmlns:w="{W}">{body_xml}</w:body>')
    for i, child in enumerate(list(holder)):
        body.insert(i, child)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


# --- documents of every shape python-docx meets: spans, merges, offsets, nesting, odd values ---

_TEXT = st.text(alphabet="ab 1\n.表格,", max_size=6)
#: a span's or an offset's ``w:val``: mostly none or small, sometimes what python-docx reads oddly
#: (0, negative, padded) or refuses (not a number, no value: only in a table drawn ``odd``)
_VAL = st.sampled_from([None, None, None, "1", "2", "2", "3", "0", "-1", " 2"])
_BAD_VAL = st.sampled_from(["x", "missing"])


def _attr(name: str, value: str | None) -> str:
    """An element with a ``w:val`` (``missing``: the element without one; None: no element)."""
    if value is None:
        return ""
    if value == "missing":
        return f"<w:{name}/>"
    return f'<w:{name} w:val="{value}"/>'


@st.composite
def run(draw) -> str:
    parts = []
    for kind in draw(st.lists(st.sampled_from(
        ["t", "t", "t", "tspace", "tempty", "br", "brpage", "brwrap", "brodd", "tab", "cr", "hyphen", "ptab", "sym"]
    ), max_size=4)):
        if kind == "t":
            parts.append(f"<w:t>{draw(_TEXT)}</w:t>")
        elif kind == "tspace":
            parts.append(f'<w:t xml:space="preserve">{draw(_TEXT)} </w:t>')
        elif kind == "tempty":
            parts.append("<w:t/>")
        elif kind.startswith("br"):
            kind_attr = {"br": "", "brpage": ' w:type="page"', "brwrap": ' w:type="textWrapping"',
                         "brodd": ' w:type="odd"'}[kind]
            parts.append(f"<w:br{kind_attr}/>")
        elif kind == "hyphen":
            parts.append("<w:noBreakHyphen/>")
        elif kind == "sym":
            parts.append('<w:sym w:char="F0FC"/>')
        else:
            parts.append(f"<w:{kind}/>")
    rpr = "<w:rPr><w:b/></w:rPr>" if draw(st.booleans()) else ""
    return f"<w:r>{rpr}{''.join(parts)}</w:r>"


@st.composite
def paragraph(draw) -> str:
    parts = []
    for kind in draw(st.lists(st.sampled_from(["r", "r", "link", "proof"]), max_size=3)):
        if kind == "r":
            parts.append(draw(run()))
        elif kind == "link":
            parts.append(f"<w:hyperlink>{''.join(draw(st.lists(run(), max_size=2)))}</w:hyperlink>")
        else:
            parts.append('<w:proofErr w:type="spellStart"/>')
    return f"<w:p>{''.join(parts)}</w:p>"


def table(depth: int):
    @st.composite
    def build(draw) -> str:
        odd = draw(st.integers(0, 4)) == 0  # values python-docx refuses, merges with nothing above
        value = st.one_of(_VAL, _BAD_VAL) if odd else _VAL
        rows = []
        layout: list = []  # the row above's offset and spans: most rows repeat it, as in real tables
        for i in range(draw(st.integers(0, 5))):
            if not layout or draw(st.integers(0, 3)) == 0:
                layout = [draw(value), [draw(value) for _ in range(draw(st.integers(0, 4)))]]
            before, spans = layout
            trpr = f"<w:trPr>{_attr('gridBefore', before)}</w:trPr>" if before or draw(st.booleans()) else ""
            cells = []
            for span in spans:
                merges = [None, None, None, "restart", "missing", "odd"] + ["continue"] * 3 * (odd or i > 0)
                merge = draw(st.sampled_from(merges))
                tcpr = ""
                if span or merge or draw(st.booleans()):
                    tcpr = f"<w:tcPr>{_attr('gridSpan', span)}{_attr('vMerge', merge)}</w:tcPr>"
                content = draw(st.lists(paragraph(), min_size=0, max_size=2))
                if depth and draw(st.integers(0, 5)) == 0:
                    content.insert(draw(st.integers(0, len(content))), draw(table(depth - 1)))
                cells.append(f"<w:tc>{tcpr}{''.join(content)}</w:tc>")
            rows.append(f"<w:tr>{trpr}{''.join(cells)}</w:tr>")
        widths = draw(st.lists(st.sampled_from(["2000", "1500", "60", "0", "1in", None]), max_size=6))
        cols = "".join("<w:gridCol/>" if w is None else f'<w:gridCol w:w="{w}"/>' for w in widths)
        grid = "" if odd and draw(st.booleans()) else f"<w:tblGrid>{cols}</w:tblGrid>"
        return f"<w:tbl><w:tblPr/>{grid}{''.join(rows)}</w:tbl>"

    return build()


body = st.lists(st.one_of(paragraph(), table(2)), min_size=1, max_size=4).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body)
def test_every_shape_is_read_as_python_docx_reads_it(xml: str) -> None:
    fast, slow = both(package(xml))
    assert fast == slow


# --- the walk reads the tables it is meant for, itself ---

MERGED = (
    '<w:tbl><w:tblPr/><w:tblGrid><w:gridCol w:w="2000"/><w:gridCol w:w="2000"/><w:gridCol w:w="2000"/></w:tblGrid>'
    '<w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>A</w:t></w:r></w:p></w:tc>'
    '<w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>B</w:t><w:br/><w:t>C</w:t></w:r></w:p></w:tc></w:tr>'
    '<w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc><w:tc><w:p><w:hyperlink><w:r><w:t>D</w:t></w:r>'
    '</w:hyperlink></w:p></w:tc><w:tc><w:p><w:r><w:t>E</w:t><w:tab/><w:t>F</w:t></w:r></w:p></w:tc></w:tr>'
    '<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr>'
    '<w:p><w:r><w:t>G</w:t></w:r></w:p></w:tc></w:tr></w:tbl>'
)


def test_merged_cells_are_read_by_the_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    content = package(MERGED)
    fast, slow = both(content)
    assert fast == slow
    assert fast["tables"] == [[["A", "B C", "B C"], ["A", "D", "E\tF"], ["G", "G"]]]
    monkeypatch.setattr(docxwalk, "ENABLED", True)
    monkeypatch.setattr(word, "_collect", None)  # python-docx's walk not needed
    assert vars(word.read_docx(content, Limits())) == fast


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_synthetic_reports_are_read_by_the_walk(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    content = render_docx(make_report(seed, deviations=seed % 2 == 0))
    fast, slow = both(content)
    assert fast == slow and fast["tables"]
    monkeypatch.setattr(docxwalk, "ENABLED", True)
    monkeypatch.setattr(word, "_collect", None)
    assert vars(word.read_docx(content, Limits())) == fast


@pytest.mark.parametrize(
    ("xml", "why"),
    [
        ('<w:tbl><w:tblPr/><w:tblGrid/><w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc></w:tr></w:tbl>',
         "a merge with no row above"),
        ('<w:tbl><w:tblPr/><w:tblGrid/><w:tr><w:tc><w:tcPr><w:gridSpan w:val="two"/></w:tcPr><w:p/></w:tc>'
         "</w:tr></w:tbl>", "a span that is no number"),
    ],
)
def test_what_python_docx_refuses_stays_its_warning(monkeypatch: pytest.MonkeyPatch, xml: str, why: str) -> None:
    fast, slow = both(package(xml))
    assert fast == slow
    assert fast["warnings"] == ["table unreadable: ValueError"], why


def test_an_unverified_python_docx_is_said_once_and_read_all_the_same(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    content = package(MERGED)
    monkeypatch.setattr(docxwalk, "ENABLED", True)
    fast = vars(word.read_docx(content, Limits()))
    monkeypatch.setattr(docxwalk, "ENABLED", False)
    monkeypatch.setattr(docxwalk, "_told", False)
    with caplog.at_level(logging.INFO, logger="gxcrawler.formats.docxwalk"):
        assert vars(word.read_docx(content, Limits())) == fast
        assert vars(word.read_docx(content, Limits())) == fast
    said = [r.getMessage() for r in caplog.records if r.name == "gxcrawler.formats.docxwalk"]
    assert len(said) == 1 and "DOCX fast path off" in said[0]
