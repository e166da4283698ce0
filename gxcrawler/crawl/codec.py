"""Requests as JSON for a shared queue: no pickles, only the project's own dataclasses.

scrapy-redis stores requests with ``pickle`` by default; anyone who can write to the
Redis server could then run code in every worker. This serializer (``SCHEDULER_SERIALIZER``)
writes ``Request.to_dict()`` as JSON, with tagged values for what JSON lacks (bytes,
tuples, dates, decimals, dicts with non-text keys) and for dataclasses of the
``gxcrawler`` and ``spiders`` packages (``Region``, ``Column`` …), rebuilt by name from
those packages only. Anything else in a request's meta is an error at enqueue time,
not a surprise in another worker. Credential headers (``Proxy-Authorization``,
``Authorization``, ``Cookie``) are never written: the proxy middleware and the cookie jar
of the worker that sends the request add them again.
"""

from __future__ import annotations

import base64
import dataclasses
import importlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

#: packages whose dataclasses may be rebuilt from the queue
ALLOWED_PACKAGES = ("gxcrawler", "spiders")


def _enc(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return [_enc(v) for v in value]
    if isinstance(value, tuple):
        return {"__t": [_enc(v) for v in value]}
    if isinstance(value, set | frozenset):
        return {"__s": [_enc(v) for v in value]}
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("__") for k in value):
            return {k: _enc(v) for k, v in value.items()}
        return {"__m": [[_enc(k), _enc(v)] for k, v in value.items()]}
    if isinstance(value, bytes | bytearray):
        return {"__b": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, datetime):
        return {"__dt": value.isoformat()}
    if isinstance(value, date):
        return {"__d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"__dec": str(value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        if cls.__module__.split(".")[0] not in ALLOWED_PACKAGES:
            raise TypeError(f"cannot queue a {cls.__module__}.{cls.__qualname__} (not a gxcrawler dataclass)")
        fields = {f.name: _enc(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return {"__dc": f"{cls.__module__}:{cls.__qualname__}", "f": fields}
    raise TypeError(f"cannot queue a value of type {type(value).__name__}: {value!r:.80}")


def _dataclass(name: str) -> type:
    module, _, qualname = name.partition(":")
    if module.split(".")[0] not in ALLOWED_PACKAGES:
        raise ValueError(f"refusing to rebuild {name} from the queue")
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    if not (isinstance(obj, type) and dataclasses.is_dataclass(obj)):
        raise ValueError(f"{name} is not a dataclass")
    return obj


def _dec(value: Any) -> Any:
    if isinstance(value, list):
        return [_dec(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (tag, inner), = value.items()
        if tag == "__t":
            return tuple(_dec(v) for v in inner)
        if tag == "__s":
            return {_dec(v) for v in inner}
        if tag == "__m":
            return {_dec(k): _dec(v) for k, v in inner}
        if tag == "__b":
            return base64.b64decode(inner)
        if tag == "__dt":
            return datetime.fromisoformat(inner)
        if tag == "__d":
            return date.fromisoformat(inner)
        if tag == "__dec":
            return Decimal(inner)
    if "__dc" in value:
        return _dataclass(value["__dc"])(**{k: _dec(v) for k, v in value["f"].items()})
    return {k: _dec(v) for k, v in value.items()}


#: headers never written to the queue (or the store): credentials a middleware adds again on the way out
SECRET_HEADERS = (b"proxy-authorization", b"authorization", b"cookie")


def without_secrets(obj: Any) -> Any:
    """A request dict without credential headers (HttpProxyMiddleware and the cookie jar add them again)."""
    if isinstance(obj, dict) and isinstance(obj.get("headers"), dict):
        headers = {k: v for k, v in obj["headers"].items()
                   if (k.lower() if isinstance(k, bytes) else str(k).lower().encode()) not in SECRET_HEADERS}
        obj = {**obj, "headers": headers}
    return obj


def dumps(obj: Any) -> str:
    """A request dict (``Request.to_dict()``) as compact JSON text, without credential headers."""
    return json.dumps(_enc(without_secrets(obj)), ensure_ascii=False, separators=(",", ":"))


def loads(data: str | bytes) -> Any:
    if isinstance(data, bytes):
        data = data.decode("utf-8")
    return _dec(json.loads(data))
