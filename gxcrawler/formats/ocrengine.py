"""Text-line recognition on the CPU: the PP-OCRv4 recogniser that the ``rapidocr-onnxruntime``
wheel ships (its model file, run by onnxruntime on one thread; no network, no detector).

The table finder (:mod:`.ocrgrid`) already knows where each line of text sits, so only the
recogniser runs: a crop in, its characters out, each with the probability the model gave it
and the runner-up reading where one came close (``0``/``6``/``8``). The caller decides what is
sure enough; nothing here rounds a doubt away.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

#: what a number cell may hold: digits, separators, signs and blank marks
NUMBER_ALPHABET = frozenset("0123456789,.-+/—无")
_IDEOGRAPH = re.compile(r"[\u4e00-\u9fff]")
#: a runner-up character this likely is kept as an alternative reading
ALT_FLOOR = 0.002
_HEIGHT = 48
MIN_WIDTH = 96
#: one input at most this wide: the recogniser's attention costs grow faster than its width
MAX_WIDTH = 640
#: paper between two cells read side by side (pixels at the model's height)
_GAP = 28


@dataclass(frozen=True)
class Glyph:
    char: str
    prob: float
    #: other characters the model saw here, most likely first, with their probabilities
    alternatives: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Line:
    glyphs: tuple[Glyph, ...]
    #: the most probable character the model saw but did not emit (a digit maybe missed)
    missed: float = 0.0

    @property
    def text(self) -> str:
        return "".join(g.char for g in self.glyphs)

    @property
    def confidence(self) -> float:
        """The least sure character's probability, and the doubt that a character was missed."""
        return min(min((g.prob for g in self.glyphs), default=1.0), 1.0 - self.missed)


class EngineMissing(RuntimeError):
    """onnxruntime, OpenCV or the model wheel is not installed."""


def available() -> bool:
    try:
        _model_path()
        import cv2  # noqa: F401
        import onnxruntime  # noqa: F401
    except (ImportError, EngineMissing):
        return False
    return True


def _model_path() -> Path:
    try:
        import rapidocr_onnxruntime
    except ImportError as exc:
        raise EngineMissing("OCR engine not installed (pip install rapidocr-onnxruntime)") from exc
    path = Path(rapidocr_onnxruntime.__file__).parent / "models" / "ch_PP-OCRv4_rec_infer.onnx"
    if not path.exists():
        raise EngineMissing(f"OCR model missing: {path}")
    return path


class Recogniser:
    """One onnxruntime session, one thread (the parse pool runs one document per process)."""

    def __init__(self) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 4
        opts.enable_cpu_mem_arena = False
        self.session = ort.InferenceSession(str(_model_path()), sess_options=opts, providers=["CPUExecutionProvider"])
        meta = self.session.get_modelmeta().custom_metadata_map
        self.chars = ["", *meta["character"].splitlines(), " "]  # CTC blank first, space last
        self.input = self.session.get_inputs()[0].name
        self.lock = threading.Lock()

    def read(self, crops: list) -> list[Line]:
        """Greyscale crops of one text line each (uint8 arrays, dark text on light) to lines."""
        return [lines[0] for lines in self.read_rows([[c] for c in crops])]

    def read_rows(self, rows: list[list]) -> list[list[Line]]:
        """Each row's crops (short cells of one table row) read as one picture, side by side.

        A single digit alone gives the model no context (``0`` comes out ``o``) and costs a
        whole 320-pixel input; a row of number cells read together is read as the model was
        trained (a printed line) at a fraction of the cost. Characters go back to their crop
        by the position of their peak.
        """
        import numpy as np

        # rows wider than the model reads cheaply are cut into chunks of whole crops
        chunks: list[tuple[int, list]] = []
        for r, crops in enumerate(rows):
            chunk: list = []
            width = 0
            for crop in crops:
                w = _scaled_width(crop)
                if chunk and width + w + _GAP > MAX_WIDTH:
                    chunks.append((r, chunk))
                    chunk, width = [], 0
                chunk.append(crop)
                width += w + _GAP
            chunks.append((r, chunk))
        out: list[list[Line]] = [[] for _ in rows]
        for r, chunk in chunks:
            picture, spans = _side_by_side(chunk)
            width = max(MIN_WIDTH, picture.shape[1])
            batch = np.zeros((1, 3, _HEIGHT, width), dtype=np.float32)
            batch[0, :, :, : picture.shape[1]] = picture.astype(np.float32)[None] / 127.5 - 1.0
            with self.lock:
                probs = self.session.run(None, {self.input: batch})[0]
            step = width / probs.shape[1]
            free = self._assign(*self._decode(probs[0]), spans, step)
            digits = self._assign(*self._decode(self._numeric(probs[0])), spans, step)
            for f, d in zip(free, digits, strict=True):
                # a cell without ideographs is a number or a blank mark: read it with the
                # number alphabet (the model's "o" for a lone 0 is not a reading of a number)
                wordy = any(_IDEOGRAPH.match(g.char) and g.char != "无" for g in f.glyphs)
                out[r].append(f if wordy else d)
        return out

    def _numeric(self, probs):
        """The probabilities over the number alphabet only (blank, digits, separators, marks), renormalised."""
        import numpy as np

        if not hasattr(self, "_allowed"):
            self._allowed = np.array([i == 0 or ch in NUMBER_ALPHABET for i, ch in enumerate(self.chars)])
        p = np.where(self._allowed[None, : probs.shape[1]], probs, 0.0)
        return p / np.maximum(p.sum(axis=1, keepdims=True), 1e-9)

    @staticmethod
    def _assign(
        glyphs: list[tuple[Glyph, int]], missed: list[tuple[float, int]], spans: list[tuple[int, int]], step: float
    ) -> list[Line]:
        """Characters (and near-misses) back to the crop they were read in, by their position."""
        per: list[list[Glyph]] = [[] for _ in spans]
        doubt = [0.0] * len(spans)

        def crop_at(t: int) -> int:
            x = (t + 0.5) * step
            return min(range(len(spans)), key=lambda n: _distance(spans[n], x))

        for g, t in glyphs:
            per[crop_at(t)].append(g)
        for p, t in missed:
            k = crop_at(t)
            if _distance(spans[k], (t + 0.5) * step) <= step:  # not in the paper between two cells
                doubt[k] = max(doubt[k], p)
        return [Line(tuple(g), m) for g, m in zip(per, doubt, strict=True)]

    def _decode(self, probs) -> tuple[list[tuple[Glyph, int]], list[tuple[float, int]]]:
        """Greedy CTC decoding. A character's probability is its share of the non-blank mass at
        its peak (which character, not whether one: a lone digit's peak is shared with the
        blank); the non-blank mass where the blank won is kept as the doubt of a missed one."""
        import numpy as np

        best = probs.argmax(axis=1)
        glyphs: list[tuple[Glyph, int]] = []
        missed: list[tuple[float, int]] = []
        t, n = 0, len(best)
        while t < n:
            k = int(best[t])
            end = t
            while end + 1 < n and int(best[end + 1]) == k:
                end += 1
            if k != 0:
                span = probs[t : end + 1]
                peak = t + int(span[:, k].argmax())
                row = probs[peak]
                # the runners-up at the character's peak, and at its edges (a 0 read as 8 differs there)
                alt_scores: dict[int, float] = {}
                for r in (row, probs[t], probs[end]):
                    for a in np.argsort(r)[-4:]:
                        a = int(a)
                        if a not in (0, k) and r[a] >= ALT_FLOOR:
                            alt_scores[a] = max(alt_scores.get(a, 0.0), float(r[a]))
                alts = tuple(
                    (self.chars[a], p)
                    for a, p in sorted(alt_scores.items(), key=lambda x: -x[1])
                    if a < len(self.chars)
                )
                char = self.chars[k] if k < len(self.chars) else ""
                share = float(row[k]) / max(1.0 - float(row[0]), 1e-9)
                glyphs.append((Glyph(char, min(share, 1.0), alts), peak))
            else:
                for u in range(t, end + 1):
                    if probs[u, 0] < 0.95:
                        missed.append((1.0 - float(probs[u, 0]), u))
            t = end + 1
        return glyphs, missed


def _distance(span: tuple[int, int], x: float) -> float:
    a, b = span
    return 0.0 if a <= x <= b else min(abs(x - a), abs(x - b))


def _scaled_width(crop) -> int:
    h, w = crop.shape[:2]
    return max(1, int(round(_HEIGHT * w / max(h, 1))))


def _side_by_side(crops: list):
    """Crops scaled to the model's height and set in one row on their paper, a wide gap apart."""
    import cv2
    import numpy as np

    parts: list = []
    spans: list[tuple[int, int]] = []
    x = _GAP // 2
    paper = 255
    for crop in crops:
        h, w = crop.shape[:2]
        if h == 0 or w == 0:
            crop = np.full((_HEIGHT, 8), 255, np.uint8)
            h, w = crop.shape
        paper = int(np.percentile(crop, 90)) if crop.size else 255
        new_w = max(1, int(round(_HEIGHT * w / h)))
        interp = cv2.INTER_AREA if h > _HEIGHT else cv2.INTER_CUBIC
        parts.append(cv2.resize(crop, (new_w, _HEIGHT), interpolation=interp))
        spans.append((x, x + new_w))
        x += new_w + _GAP
    out = np.full((_HEIGHT, x - _GAP // 2), paper, np.uint8)
    for part, (a, b) in zip(parts, spans, strict=True):
        out[:, a:b] = part
    return out, spans


@cache
def recogniser() -> Recogniser:
    """The process's recogniser (loaded once: ~10 MB model, a fraction of a second)."""
    return Recogniser()
