"""The parse fingerprint: a hash of everything the loader stores from a parse, and its seal.

An unchanged report costs the loader little more than this hash, so it is written for speed
(``parse_fingerprint``) and may be computed where the parse is made — in the parser pool's
worker processes, in parallel and off the crawl process — and carried with the result
(``seal``). The loader trusts a carried fingerprint only while the result still holds the
very objects it was computed from (``fingerprint_of``): every object the hash reads is kept
in the seal and compared by identity, and each is immutable (str, Decimal, int, bool, date,
None), so identical objects mean identical bytes hashed. Anything replaced, added, removed
or reordered, in place or not, and the loader computes the hash again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import operator
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import date
from decimal import Decimal
from itertools import chain
from typing import Any

from . import catalog
from .model import Check, ParseResult


def parse_fingerprint(result: ParseResult) -> str:
    """A hash of everything the loader stores from a parse: equal hashes, equal rows.

    The SHA-256 of ``json.dumps(payload, ensure_ascii=False, sort_keys=True)`` where the
    payload is values (sorted ``[key, normalized number]`` pairs), blank keys, checks
    (sorted ``[rule, ok, left, right]``), status, edition, title, agency, published,
    source type and warnings; followed, when the parse has narrative checks, by their
    sorted ``[rule, ok, left, right, sentence]`` rows; then, for a page read with its table pictures,
    ``[picture hashes, sorted [key, picture]]``; then, when cells were read by OCR,
    ``["ocr", sorted [key, how read]]``. Stored fingerprints use that text, so it must not change;
    it is written here without the JSON encoder wherever nothing needs escaping
    (catalog keys, rule names, numbers, most titles): the same bytes, 3x faster — an
    unchanged report costs little more than this hash.
    """
    published = result.published.isoformat() if result.published else None
    # hashed in pieces: the long ones (checks, values) are ASCII, encoded without copying
    # them next to the title's wide characters first; the bytes are those of the whole text
    digest = hashlib.sha256(
        f'{{"agency": {_text(result.agency)}, "blank": {_texts(sorted(result.blank))}, "checks": '.encode()
    )
    digest.update(_checks_json(result.checks).encode())
    digest.update(
        f', "edition": {_text(result.edition)}, '
        f'"published": {_text(published)}, "source_type": {_text(result.source_type)}, '
        f'"status": {_text(result.status)}, "title": {_text(result.title)}, "values": '.encode()
    )
    digest.update(_values_json(result.values).encode())
    digest.update(f', "warnings": {_texts(result.warnings)}}}'.encode())
    if result.narrative:
        # after the object, only when there are any: the fingerprints of parses without
        # narrative checks (every one stored before they were) keep their bytes
        digest.update(
            _json(sorted((c.rule, c.ok, str(c.left), str(c.right), c.sentence or "") for c in result.narrative)).encode()
        )
    if result.pictures:
        # likewise only for a page read with its pictures: their bytes and which cell each gave
        digest.update(_json([result.pictures, sorted(result.picture.items())]).encode())
    if result.ocr:
        # likewise only for cells read by OCR: how each was read is stored per cell, so a
        # re-read that changes only that is a change (a scan's fingerprints changed once)
        digest.update(_json(["ocr", sorted(result.ocr.items())]).encode())
    return digest.hexdigest()


_json = functools.partial(json.dumps, ensure_ascii=False)
#: text json.dumps(ensure_ascii=False) writes as is between quotes (numbers' text always is)
_PLAIN = re.compile(r'[^"\\\x00-\x1f]*\Z')


def _text(value: str | None) -> str:
    """``json.dumps(value, ensure_ascii=False)`` of a string or None."""
    if value is None:
        return "null"
    return f'"{value}"' if _PLAIN.match(value) else _json(value)


def _texts(values: Iterable[str]) -> str:
    """``json.dumps(list(values), ensure_ascii=False)`` of strings."""
    items = list(values)
    if not items:
        return "[]"
    if all(isinstance(v, str) for v in items) and _PLAIN.match("".join(items)):
        return '["' + '", "'.join(items) + '"]'
    return _json(items)


def _values_json(values: dict[str, Any]) -> str:
    """``json.dumps`` of the sorted ``[key, normalized number]`` pairs."""
    if values:
        layout = _value_layout(tuple(values))
        if layout is not None:  # catalog keys: no escaping; their order and text made once
            take, template = layout
            numbers = values.values() if take is None else take(list(values.values()))
            # a Decimal's text is exact (exponent and sign: "-0" is not "0"), so it keys the
            # cache of normalized texts safely; str() costs half a fresh Decimal's hash. One
            # pass, no list of the texts: the slots filled straight from the cache.
            # ``Decimal.__str__`` is the Decimal's own text (a subclass's too: the text of
            # ``Decimal(x)``) and refuses anything else: an int or a float goes the plain way
            parts = template[:]
            try:
                parts[1::2] = map(_normalized, map(_DECIMAL_TEXT, numbers))
            except TypeError:
                pass
            else:
                return "".join(parts)
    items = sorted(values.items(), key=operator.itemgetter(0))
    return _json([(k, str(Decimal(v).normalize())) for k, v in items])


@functools.lru_cache(maxsize=256)
def _value_layout(keys: tuple[str, ...]) -> tuple[Callable[[list[Any]], Sequence[Any]] | None, list[str | None]] | None:
    """For a report's keys in their order: how to sort its values by key (None: they are) and
    the text around them (``[["key", "``, a slot, ``"], ["key", "``, …, ``"]]``).
    None when a key is not the catalog's (which need no escaping)."""
    if not catalog.METRICS.keys() >= set(keys):
        return None
    order = sorted(range(len(keys)), key=keys.__getitem__)
    template: list[str | None] = []
    for n, i in enumerate(order):
        template += ['[["' if n == 0 else '"], ["', None]
        template[-2] += keys[i] + '", "'  # type: ignore[operator]
    template.append('"]]')
    if order == list(range(len(keys))):
        return None, template
    return operator.itemgetter(*order), template  # two or more: out of order (a tuple back)


class _Normalized(dict[str, str]):
    """Normalized text of the numbers seen, by their Decimal's text (a report's are mostly the
    same few small counts): a miss computes it (``__missing__``), a hit is a C lookup."""

    def __missing__(self, text: str) -> str:
        normal = str(Decimal(text).normalize())
        if len(self) < 100_000:
            self[text] = normal
        return normal


_NORMALIZED = _Normalized()
_normalized = _NORMALIZED.__getitem__
_DECIMAL_TEXT = Decimal.__str__


_RULE = operator.attrgetter("rule")
_LEFT = operator.attrgetter("left")
_RIGHT = operator.attrgetter("right")


def _checks_json(checks: list[Check]) -> str:
    """``json.dumps`` of the sorted ``[rule, ok, left, right]`` rows."""
    layout = _check_layout(tuple(map(_RULE, checks)))
    if layout is not None:  # rules distinct and plain: sorted by rule alone, no escaping
        take, template = layout
        if not checks:
            return "[]"
        rows = checks if take is None else take(checks)
        parts = template[:]
        parts[1::5] = ['true, "' if c.ok else 'false, "' for c in rows]
        parts[2::5] = map(str, map(_LEFT, rows))  # str(x) == f"{x}" (format with no spec)
        parts[4::5] = map(str, map(_RIGHT, rows))
        return "".join(parts)
    return _json(sorted((c.rule, c.ok, str(c.left), str(c.right)) for c in checks))


@functools.lru_cache(maxsize=1024)
def _check_layout(rules: tuple[str, ...]) -> tuple[Callable[[list[Any]], Sequence[Any]] | None, list[str | None]] | None:
    """For a parse's rules in their order: how to sort its checks by rule (None: they are) and
    the text around each row's ok, left and right (slots); None when rules repeat or need escaping."""
    if len(set(rules)) != len(rules) or not _PLAIN.match("".join(rules)):
        return None
    order = sorted(range(len(rules)), key=rules.__getitem__)
    template: list[str | None] = []
    for n, i in enumerate(order):
        template += [('[["' if n == 0 else '"], ["') + rules[i] + '", ', None, None, '", "', None]
    if template:
        template.append('"]]')
    if order == list(range(len(rules))):
        return None, template
    return operator.itemgetter(*order), template  # two or more: out of order (a tuple back)


# ---------------------------------------------------------------- the seal

#: the leaves a seal may hold: immutable, so the same object is the same text hashed
#: (``Check`` is a frozen dataclass whose fields are checked to be of these types too)
_IMMUTABLE = frozenset({str, Decimal, int, bool, date, type(None)})
_CHECK_FIELDS = operator.attrgetter("rule", "ok", "left", "right", "sentence")
_CHECK = {Check}
#: the instance attribute a sealed result carries (not a dataclass field: ``replace`` drops it)
_SEAL = "_gx_fingerprint_seal"


def _read(result: ParseResult) -> tuple[Collection[Any], ...] | None:
    """Every object ``parse_fingerprint`` reads, part by part; None if a container is not the
    plain dict or list it reads (a subclass could iterate differently)."""
    values, picture, ocr = result.values, result.picture, result.ocr
    lists = (result.blank, result.warnings, result.checks, result.narrative, result.pictures)
    if any(type(x) is not dict for x in (values, picture, ocr)) or any(type(x) is not list for x in lists):
        return None
    scalars = (result.agency, result.edition, result.published, result.source_type, result.status, result.title)
    return (scalars, values.keys(), values.values(), *lists, picture.keys(), picture.values(), ocr.keys(), ocr.values())


def _immutable(part: Collection[Any]) -> bool:
    types = set(map(type, part))
    if types == _CHECK:  # checks: frozen, and so must their fields be
        types = set(map(type, chain.from_iterable(map(_CHECK_FIELDS, part))))
    return types <= _IMMUTABLE


def seal(result: ParseResult) -> ParseResult:
    """Compute the fingerprint now and carry it with ``result`` (the parser pool's workers do).

    Not sealed (the loader computes it) when a leaf is of a type not known immutable.
    """
    read = _read(result)
    if read is not None and all(map(_immutable, read)):
        result.__dict__[_SEAL] = (parse_fingerprint(result), tuple(map(tuple, read)))
    return result


def fingerprint_of(result: ParseResult) -> str:
    """The result's fingerprint: the sealed one while the result holds exactly the objects it
    was computed from (same count in each part, each the identical object), else computed now."""
    sealed = result.__dict__.get(_SEAL)
    if sealed is not None:
        fingerprint, then = sealed
        now = _read(result)
        if now is not None and all(
            len(a) == len(b) and all(map(operator.is_, a, b)) for a, b in zip(now, then, strict=True)
        ):
            return fingerprint
    return parse_fingerprint(result)
