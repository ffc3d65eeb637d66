"""What the OpenAPI schema states beyond the route signatures, so it says exactly what the API
accepts (schemathesis checks it): a text that must hold a visible character, and the limits
set at run time (``max_query_chars``).

The patterns are declared, not enforced by the framework: the cores refuse the same input
with a clearer message (``validate_query``: "query is empty…"). They are character classes
written out from this Python's Unicode tables, so any regex engine reads them alike.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import lru_cache


def _pattern(dropped: Callable[[str], bool]) -> str:
    """A regex matching text that contains one character ``dropped`` does not drop."""
    ranges: list[str] = []
    start: int | None = None
    prev = 0
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:  # surrogates: never in decoded text
            continue
        if dropped(chr(cp)):
            start = cp if start is None else start
            prev = cp
        elif start is not None:
            ranges.append(chr(start) if start == prev else f"{chr(start)}-{chr(prev)}")
            start = None
    return "[^" + "".join(ranges) + "]"


def _query_text(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf")


@lru_cache(maxsize=1)
def patterns() -> dict[tuple[str, str], str]:
    """(path, parameter) → pattern; built on first use (a scan of every code point, 0.25 s)."""
    return {
        # at least one character that is neither blank nor control/format (clean_query)
        ("/search", "q"): _pattern(_query_text),
        # at least one character that is not blank (a reference is whitespace-collapsed)
        ("/mentions", "ref"): _pattern(str.isspace),
    }


def state_run_time_limits(schema: dict, max_query_chars: int) -> dict:
    """``schema`` with the patterns above and the limits that depend on the settings."""
    for (path, name), pattern in patterns().items():
        for param in schema["paths"][path]["get"]["parameters"]:
            if param["name"] == name:
                param["schema"]["pattern"] = pattern
                if name == "q":
                    param["schema"]["maxLength"] = max_query_chars
    return schema
