"""Spider arguments checked before any request: one line per mistake, never a traceback.

``scrapy crawl NAME -a year=… -a agency=…`` and ``gxcrawler crawl-all`` call :func:`validate`
before the crawler starts. A spider accepts the keyword arguments of its ``__init__`` (and
its bases') plus the names in its ``arguments`` attribute (read later as attributes, e.g.
``refresh``); anything else is a typo and is refused rather than silently ignored.
"""

from __future__ import annotations

import inspect
import re
from datetime import date
from typing import Any

from gxcrawler.errors import UserError

#: the Regulations on Open Government Information took effect on 1 May 2008;
#: the first annual reports cover 2008
FIRST_REPORT_YEAR = 2008
_YEAR = re.compile(r"^\d{4}$")
_FORMS = "use 2021, 2019-2023 or 2019,2021"
#: what ``-a refresh=`` may say (read by gxcrawler.crawl.incremental._truthy)
_FLAG = ("1", "true", "yes", "on", "0", "false", "no", "off", "")


class ArgumentError(UserError):
    """A spider argument that cannot be right."""


def parse_years(text: str | int | None, *, today: date | None = None, name: str = "year") -> set[int] | None:
    """``2021`` → {2021}; ``2019-2023``; ``2019,2021``; empty/``all`` → None (every year).

    Refuses what cannot be meant: not a year, a reversed range, a year before the first
    annual reports (2008) or after this year.
    """
    if text is None or str(text).strip().lower() in ("", "all", "*"):
        return None
    last = (today or date.today()).year
    years: set[int] = set()
    for part in str(text).replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        lo_text, dash, hi_text = (p.strip() for p in part.partition("-"))
        if not _YEAR.match(lo_text) or (dash and not _YEAR.match(hi_text)):
            raise ArgumentError(f"{name}={text}: {part!r} is not a year or a range of years ({_FORMS})")
        lo, hi = int(lo_text), int(hi_text) if dash else int(lo_text)
        if lo > hi:
            raise ArgumentError(f"{name}={text}: the range {part} is reversed (did you mean {hi}-{lo}?)")
        for y in (lo, hi):
            if y < FIRST_REPORT_YEAR:
                raise ArgumentError(f"{name}={text}: {y} is before the first annual reports "
                                    f"({FIRST_REPORT_YEAR}, the Regulations took effect in May 2008)")
            if y > last:
                raise ArgumentError(f"{name}={text}: {y} is after this year ({last}); no report exists yet")
        years.update(range(lo, hi + 1))
    return years or None


def accepted(spidercls: type) -> list[str]:
    """The ``-a`` names a spider class accepts."""
    import scrapy

    names: set[str] = set(getattr(spidercls, "arguments", ()))
    for klass in spidercls.__mro__:
        if klass is scrapy.Spider or not issubclass(klass, scrapy.Spider):
            continue
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        for p in inspect.signature(init).parameters.values():
            if p.name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
                names.add(p.name)
    return sorted(names)


def validate(spidercls: type, spargs: dict[str, Any], *, today: date | None = None) -> None:
    """Raise :class:`ArgumentError` (one line) unless ``spargs`` can start ``spidercls``."""
    name = getattr(spidercls, "name", spidercls.__name__)
    known = accepted(spidercls)
    # names starting with "_" are the scheduler's (scrapyd's _job), not the user's
    unknown = sorted(k for k in spargs if k not in known and not k.startswith("_"))
    if unknown:
        raise ArgumentError(f"{name} has no argument {', '.join('-a ' + k for k in unknown)} "
                            f"(it accepts: {', '.join(known) or 'none'})")
    if "year" in spargs:
        parse_years(spargs["year"], today=today)
    if "refresh" in spargs and str(spargs["refresh"]).strip().lower() not in _FLAG:
        raise ArgumentError(f"refresh={spargs['refresh']}: use refresh=1 to download everything again "
                            "(or refresh=0; also true/false, yes/no, on/off)")
    try:
        spidercls(**spargs)  # the spider's own checks (a portal id, a start URL …), before any request
    except (ValueError, TypeError) as exc:
        raise ArgumentError(str(exc) if name in str(exc) else f"{name}: {exc}") from None
