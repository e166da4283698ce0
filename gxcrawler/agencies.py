"""Canonical agency names, so that one agency's reports join across years and portals.

The same publisher is written 蚌峨乡, 蚌峨乡人民政府 and 砚山县蚌峨乡人民政府, or
区政府办 and 攀枝花市仁和区人民政府办公室. ``canonical_agency(raw, region)`` turns any
such spelling into one full name, within the region the spider says it found it in:

* province and city prefixes are stripped, then the *county prefix* is put back:
  the county's name (砚山县…), or city + district for a 区 of a city, because district
  names such as 东区 or 西区 are not unique nationally (攀枝花市东区…);
* 乡/镇 → ``…乡人民政府`` / ``…镇人民政府``; 街道 / 街道办 → ``…街道办事处``;
* 政府办 / 政府办公室 → ``人民政府办公室`` (``管理委员会办公室`` in a development zone);
* the bare county (仁和区, 仁和区人民政府, 区政府) → the county government itself.

It is a pure function: no database, no network. Spellings it cannot unify (麻陇乡 vs
麻陇彝族乡, 发改局 vs 发展和改革局) are joined by rows in ``agency_aliases``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .model import Region

#: GB/T 2260 codes of the divisions in the research (docs/spec/portals.md).
#: 淄博经济开发区 is not an administrative division and has no official code.
DIVISION_CODES: dict[str, str] = {
    "攀枝花市": "510400",
    "仁和区": "510411",
    "东区": "510402",
    "西区": "510403",
    "米易县": "510421",
    "盐边县": "510422",
    "南阳市": "411300",
    "新野县": "411329",
    "文山壮族苗族自治州": "532600",
    "砚山县": "532622",
    "淄博市": "370300",
    "洛阳市": "410300",
    "洛宁县": "410328",
}

#: Region names whose code depends on the city (东区/西区 exist in several cities).
_CITY_SCOPED = {"东区": "攀枝花市", "西区": "攀枝花市"}

#: Development zones: governed by a 管理委员会, not a 人民政府.
_ZONE_SUFFIXES = ("开发区", "高新区", "新区", "园区", "试验区", "示范区")

KINDS = ("county", "city", "township", "department")

_SPACE = re.compile(r"[\s\u3000\u00a0]+")
_PUNCT = " \t:：,，。.;；()（）[]【】《》\"'“”"


@dataclass(frozen=True)
class AgencyName:
    """The canonical name of an agency and what kind of body it is."""

    name: str
    kind: str  # one of KINDS
    short: str  # the name without its region prefix, e.g. 蚌峨乡人民政府


def normalize(raw: str) -> str:
    """Width-fold (NFKC), drop all whitespace and surrounding punctuation."""
    text = unicodedata.normalize("NFKC", raw)
    text = _SPACE.sub("", text)
    return text.strip(_PUNCT)


def division_code(region: Region) -> str | None:
    """The region's GB/T 2260 code: the spider's, else our table's (county, else city)."""
    if region.division_code:
        return region.division_code
    if region.county:
        scope = _CITY_SCOPED.get(region.county)
        if scope and region.city and normalize(region.city) != scope:
            return None
        return DIVISION_CODES.get(normalize(region.county))
    if region.city:
        return DIVISION_CODES.get(normalize(region.city))
    return None


def is_zone(county: str | None) -> bool:
    return bool(county) and county.endswith(_ZONE_SUFFIXES)


def region_prefix(region: Region) -> str:
    """What goes in front of a local body's name: 砚山县, 攀枝花市仁和区, 攀枝花市."""
    city = normalize(region.city or "")
    county = normalize(region.county or "")
    if not county:
        return city
    city_short = _short(city)
    if county.endswith("区") and city and not (city_short and county.startswith(city_short)):
        return city + county
    return county


def canonical_agency(raw: str, region: Region) -> AgencyName:
    """The canonical full name of the agency ``raw`` names, found in ``region``."""
    province = normalize(region.province or "")
    city = normalize(region.city or "")
    county = normalize(region.county or "")
    prefix = region_prefix(region)
    body = _strip_prefixes(normalize(raw), [province, city, county, prefix])
    zone = is_zone(county)
    government = "管理委员会" if zone else "人民政府"

    unit = county or city
    if (unit and body.startswith(unit[-1]) and len(body) > 1 and not _is_local_body(body)
            and not _UNIT_WORD.match(body)):
        body = body[1:]  # 区政府办 → 政府办, 县统计局 → 统计局, 市政府办 → 政府办
    if zone and county:
        body = _strip_prefixes(body, [_zone_short(county)])
    body = body.replace("管委会", "管理委员会")

    if body in ("", "人民政府", "政府", "管理委员会"):
        kind = "county" if county else "city"
        short = government
    elif body in ("政府办", "政府办公室", "人民政府办公室", "办公室", "管理委员会办公室", "政府办公厅"):
        kind, short = "department", government + "办公室"
    else:
        local = _local_body(_strip_prefixes(body, ["人民政府"]))
        if local:
            kind, short = "township", local
        else:
            kind, short = "department", body
    if not county and kind == "county":
        kind = "city"
    return AgencyName(name=prefix + short, kind=kind, short=short)


# ---------------------------------------------------------------- helpers

#: a name whose first character is the unit's (市/区/县) but belongs to a word: 市场监督管理局, 市政管理处, 区域…
_UNIT_WORD = re.compile(r"^(?:市场|市政(?!府)|市容|市民|市级|区域|县域|县级)")
_TOWNSHIP = re.compile(r"^(?P<base>.+?(?:乡|镇))(?:人民政府|政府)?$")
_STREET = re.compile(r"^(?P<base>.+?街道)(?:办事处|办|工作委员会)?$")


def _local_body(body: str) -> str | None:
    """乡/镇/街道 bodies in their official long form, or None."""
    m = _STREET.match(body)
    if m:
        return m["base"] + "办事处"
    m = _TOWNSHIP.match(body)
    if m:
        return m["base"] + "人民政府"
    return None


def _is_local_body(body: str) -> bool:
    return _local_body(body) is not None


def _strip_prefixes(text: str, prefixes: list[str]) -> str:
    """Remove any of ``prefixes`` from the front, repeatedly, longest first."""
    ordered = sorted({p for p in prefixes if p}, key=len, reverse=True)
    changed = True
    while changed and text:
        changed = False
        for p in ordered:
            if text.startswith(p) and len(text) >= len(p):
                text = text[len(p) :]
                changed = True
                break
    return text


def _short(name: str) -> str:
    """攀枝花市 → 攀枝花; 文山壮族苗族自治州 → 文山 (for prefix tests only)."""
    for suffix in ("壮族苗族自治州", "自治州", "市", "州", "地区", "盟"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return ""


def _zone_short(county: str) -> str:
    """淄博经济开发区 → 经开区, the way zones abbreviate themselves."""
    if county.endswith("经济技术开发区") or county.endswith("经济开发区"):
        return "经开区"
    if county.endswith("高新技术产业开发区"):
        return "高新区"
    return ""
