"""Vietnam's provinces and centrally-run cities, before and after the 2025 merger.

The names come from the ``vietnamadminunits`` package (its data: the 63 provinces of the
legacy division and the 34 of the division in force from 1 July 2025), so a province is only
ever a real one, spelled as the gazetteer spells it (``Thanh Hoá`` → ``Thanh Hóa``). Lookup is
on the folded form (no diacritics, lowercase), which also absorbs the two tone placements
(``Hoà``/``Hòa``).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

from indexer.text.vietnamese import fold

_ALIASES = {  # other names in use for the same province / city
    "thua thien hue": "Huế",
    "tp hcm": "Hồ Chí Minh",
    "tp. hcm": "Hồ Chí Minh",
    "ba ria vung tau": "Bà Rịa - Vũng Tàu",
}
_PREFIX = r"(?:tỉnh|thành phố|tp\.?|t\.p\.?)"


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    """Folded name → the gazetteer's short name ("khanh hoa" → "Khánh Hòa")."""
    data = resources.files("vietnamadminunits") / "data"
    out: dict[str, str] = {}
    for name in ("parser_legacy.json", "parser_from_2025.json"):
        provinces = json.loads((data / name).read_text(encoding="utf-8"))["DICT_PROVINCE"]
        for item in provinces.values():
            short = item["provinceShort"]
            out[_key(short)] = short
    out.update({_key(k): v for k, v in _ALIASES.items()})
    return out


def _key(text: str) -> str:
    return " ".join(re.sub(r"[-–.]", " ", fold(text)).split())


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    names = sorted(_names(), key=len, reverse=True)
    return re.compile(r"(?<![\w])(" + "|".join(re.escape(n) for n in names) + r")(?![\w])")


def canonical(name: str | None) -> str | None:
    """The gazetteer's spelling of a province name, or None if it is not one."""
    if not name:
        return None
    key = _key(re.sub(r"^" + _PREFIX + r"\s+", "", name.strip(), flags=re.IGNORECASE))
    return _names().get(key)


def find_after_prefix(text: str) -> str | None:
    """First province named as "tỉnh X" / "thành phố X" / "TP. X" in ``text``."""
    for m in re.finditer(_PREFIX + r"\s+", text, flags=re.IGNORECASE):
        rest = _key(text[m.end() : m.end() + 40])
        found = _pattern().match(rest)
        if found:
            return _names()[found.group(1)]
    return None


def find_anywhere(text: str) -> str | None:
    """A province whose whole name is ``text`` or ends it ("Quảng Ngãi", "TP Hồ Chí Minh")."""
    key = _key(text)
    found = None
    for m in _pattern().finditer(key):
        found = m
    if found and found.end() == len(key):
        return _names()[found.group(1)]
    return None


def names_pattern() -> re.Pattern[str]:
    """Every province name (folded), longest first, as whole words: for folded text."""
    return _pattern()


def name_of(folded: str) -> str | None:
    """The gazetteer's spelling of a folded province name ("dong thap" → "Đồng Tháp")."""
    return _names().get(folded)
