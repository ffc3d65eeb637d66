"""What the OpenAPI schema states beyond the route signatures, so it says exactly what the API
accepts (schemathesis checks it): the patterns, the limits set at run time
(``max_query_chars``), and each operation's 422 response naming every refusal.

The patterns are declared, not enforced by the framework: the cores refuse the same input
with a clearer message (``validate_query``: "query is empty…", ``require_words``: "has no
letter or digit"). They are character classes written out from this Python's Unicode tables,
so any regex engine reads them alike.

A 422 names its reason in ``error.code``. Most refusals are of requests this schema does not
accept (a parameter breaks its type, range, length or pattern); the few rules no JSON Schema
can state (a query's cost in tokens, whether a text is written as a document reference, two
parameters that must differ, how many plans a filter selects) each have a code of their own,
listed in the operation's 422 response under ``UNSTATED`` — a request the schema accepts is
refused with one of those codes only.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from service.mentions import MAX_REF_LENGTH

# the sentence before the codes of the rules no JSON Schema can state (tests read it)
UNSTATED = (
    "A request this schema accepts is still refused when it breaks a rule no JSON Schema can state:"
)

_NOT_A_REFERENCE = (
    "the text is not written as a document reference: write its number-symbol (09-NQ/TW, "
    "118/2025/NĐ-CP), a kind and number (Nghị quyết 09) or a law's name"
)
_TOO_MANY_PLANS = "the filters select more plans than one table holds (500): narrow them"
# path → {code: the rule}: the 422s a request the schema accepts can get
UNSTATED_RULES: dict[str, dict[str, str]] = {
    "/search": {
        "query_too_costly": "q would cost the embedding model more than `max_query_tokens` "
        "tokens (CJK, emoji, symbols or strings of random letters cost about one token per "
        "character; 1,000 characters of a plan's text pass)",
    },
    "/mentions": {"not_a_reference": f"ref: {_NOT_A_REFERENCE}"},
    "/coverage": {"too_many_plans": _TOO_MANY_PLANS},
    "/coverage/citations": {
        "not_a_reference": f"a `required` document: {_NOT_A_REFERENCE}",
        "too_many_plans": _TOO_MANY_PLANS,
    },
    "/tasks": {
        "not_a_reference": f"doc: {_NOT_A_REFERENCE}",
        "invalid_query": "due_from or due_to is written as a day (YYYY-MM-DD) that does not "
        "exist (2026-02-30)",
    },
    "/coverage/changes": {
        "same_years": "earlier and later are the same year: give two different years",
        "too_many_plans": _TOO_MANY_PLANS,
    },
}
# path → the codes (besides ``invalid_request``) of refusals the schema states
STATED_CODES: dict[str, str] = {
    "/search": "; `invalid_query` when q is empty once control and invisible characters are "
    "dropped, or longer than the limit; `query_without_words` when q has no letter or digit "
    "(the pattern)",
    "/mentions": "; `invalid_query` when ref is blank",
}


def _pattern(keep: Callable[[str], bool]) -> str:
    """A regex matching text that contains one character ``keep`` accepts."""
    ranges: list[str] = []
    start: int | None = None
    prev = 0
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:  # surrogates: never in decoded text
            continue
        if keep(chr(cp)):
            start = cp if start is None else start
            prev = cp
        elif start is not None:
            ranges.append(_escape(start) if start == prev else f"{_escape(start)}-{_escape(prev)}")
            start = None
    if start is not None:
        ranges.append(_escape(start) if start == prev else f"{_escape(start)}-{_escape(prev)}")
    return "[" + "".join(ranges) + "]"


def _escape(cp: int) -> str:
    """A character as a member of a regex class: the ones that mean something there escaped."""
    ch = chr(cp)
    return "\\" + ch if ch in "\\]^-[" else ch


def _visible(ch: str) -> bool:
    """Neither blank nor a control or format character (what ``clean_query`` keeps)."""
    return not (ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf"))


@lru_cache(maxsize=1)
def patterns() -> dict[tuple[str, str], str]:
    """(path, parameter) → pattern; built on first use (a scan of every code point, 0.5 s)."""
    return {
        # at least one letter or digit (require_words; a letter or digit is never dropped
        # by clean_query, and NFC keeps every one a letter or digit)
        ("/search", "q"): _pattern(str.isalnum),
        # at least one character that is not blank (a reference is whitespace-collapsed)
        ("/mentions", "ref"): _pattern(lambda ch: not ch.isspace()),
    }


def refusals(path: str) -> dict[str, Any]:
    """The 422 response of the operation at ``path``: every code it may answer, and why."""
    text = (
        "Refused; `error.code` says why: `invalid_request` when a parameter is not as this "
        f"schema states{STATED_CODES.get(path, '')}."
    )
    rules = UNSTATED_RULES.get(path)
    if rules:
        text += "\n\n" + UNSTATED + "\n\n" + "\n".join(f"- `{c}`: {w}" for c, w in rules.items())
    return {
        "description": text,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
    }


def state_run_time_limits(schema: dict, max_query_chars: int) -> dict:
    """``schema`` with the patterns above, the limits that depend on the settings and every
    operation's refusals."""
    for (path, name), pattern in patterns().items():
        for param in schema["paths"][path]["get"]["parameters"]:
            if param["name"] == name:
                param["schema"]["pattern"] = pattern
                if name == "q":
                    param["schema"]["maxLength"] = max_query_chars
    for param in schema["paths"]["/coverage/citations"]["get"]["parameters"]:
        if param["name"] == "required":  # each is a reference, as /mentions' ref
            for option in param["schema"].get("anyOf", [param["schema"]]):
                if option.get("type") == "array":
                    option["items"]["maxLength"] = MAX_REF_LENGTH
    for path, item in schema["paths"].items():
        for operation in item.values():
            if "422" in operation.get("responses", {}):
                operation["responses"]["422"] = refusals(path)
    _drop_unused_schemas(schema, ("HTTPValidationError", "ValidationError"))
    return schema


def _drop_unused_schemas(schema: dict, names: tuple[str, ...]) -> None:
    """FastAPI's validation-error models, which no response names any more (the API answers
    every error in its one shape, ``ErrorOut``)."""
    text = json.dumps(schema["paths"])
    components = schema.get("components", {}).get("schemas", {})
    for name in names:
        if f"#/components/schemas/{name}" not in text:
            components.pop(name, None)


def state_access(schema: dict, access: Any) -> dict:
    """With access control on, every operation but /health needs the token (a bearer
    scheme Swagger UI's "Authorize" fills in) and may answer 401; with a rate limit, 429."""
    if access.limiter is None and not access.enabled:
        return schema
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    if access.token is not None:
        schema.setdefault("components", {}).setdefault("securitySchemes", {})["bearer"] = {
            "type": "http",
            "scheme": "bearer",
            "description": "The access token (`python -m service token` makes one).",
        }
    for path, item in schema["paths"].items():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            if access.limiter is not None:
                responses["429"] = {
                    "description": "Too many requests from this address (`rate_limited`); "
                    "try again after Retry-After seconds.",
                    "content": error,
                }
            if path == "/health" or not access.enabled:
                continue
            responses["401"] = {
                "description": "No valid token (`unauthorized`).",
                "content": error,
            }
            if access.token is not None:
                operation["security"] = [{"bearer": []}]
    return schema
