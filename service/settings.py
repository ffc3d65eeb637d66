"""The service's one typed settings object (pydantic-settings, environment prefix ``CCHC_``).

Every setting is documented in its ``description``; ``CCHC_INDEX_DIR=/data/index`` overrides
``index_dir`` and so on. Settings are built explicitly (``Settings()``) by the CLI or a test and
passed to ``create_app``; nothing is read at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

FusionMethod = Literal["rrf", "weighted"]


class Settings(BaseSettings):
    """Configuration of the search service and CLI."""

    model_config = SettingsConfigDict(env_prefix="CCHC_", extra="ignore")

    index_dir: Path = Field(
        Path("var/index"),
        description="Index directory (holds CURRENT and the gen-* generations) to serve.",
    )
    host: str = Field("127.0.0.1", description="Interface `serve` binds; loopback by default.")
    port: int = Field(8000, ge=1, le=65535, description="TCP port `serve` listens on.")
    allowed_hosts: list[str] | None = Field(
        None,
        description="Host names the service answers for; a request naming another Host gets "
        "400 before any route runs. None = the loopback names (127.0.0.1, localhost, ::1) and "
        "`host`. Exact names (case and port ignored), `*.example.org` for its subdomains, `*` "
        "for any. From the environment as JSON: CCHC_ALLOWED_HOSTS='[\"search.example.org\"]'.",
    )
    keep_alive_timeout: int = Field(
        5, ge=1, description="Seconds `serve` keeps an idle connection open after a response."
    )
    header_timeout: float = Field(
        10.0,
        gt=0,
        description="Seconds `serve` gives a client to send a complete request head, counted "
        "from the connection or from the previous response; slower or idle connections are "
        "closed (slowloris).",
    )
    max_header_bytes: int = Field(
        16384,
        ge=1024,
        description="Largest request head (request line and headers) `serve` accepts, in "
        "bytes; a larger one gets 400.",
    )
    log_format: Literal["text", "json"] = Field(
        "text",
        description="How `serve` logs: 'text' (uvicorn's lines) or 'json' (one JSON object a "
        "line: time, level, logger, message, and the request id of the request it belongs "
        "to; one access line per request with method, path, route, status and duration_ms). "
        "`serve --log-format` overrides it.",
    )
    request_timeout: float = Field(
        30.0,
        ge=0,
        description="Seconds a search or a comparison may run (JSON API and pages): past it the "
        "answer is 503 and the work stops at its next checkpoint, as it does when the client "
        "disconnects. 0 = no limit.",
    )

    # Access control (service.web.access); off unless a token or a trusted proxy is set.
    token_hash: str | None = Field(
        None,
        description="Hash of the access token (scrypt:N:r:p:salt:hash, as `python -m service "
        "token` prints it; never the token itself). Set, every request but /health, the "
        "sign-in page and the static files needs the token: `Authorization: Bearer <token>` "
        "for the API, a session from the sign-in page (/dang-nhap) for the pages. None = no "
        "token.",
    )
    token_file: Path | None = Field(
        None,
        description="A file holding the token hash (the line `python -m service token --file` "
        "writes), read at start-up; used when token_hash is not set.",
    )
    session_secret: SecretStr | None = Field(
        None,
        description="Key that signs the pages' session cookies. None = derived from the token "
        "hash, so a new token ends every session; set it to keep sessions across token "
        "changes, or to end them all by changing it.",
    )
    session_hours: float = Field(
        12.0,
        gt=0,
        le=24 * 366,
        description="Hours a sign-in lasts; then the pages ask for the token again.",
    )
    session_cookie_secure: bool | None = Field(
        None,
        description="Mark the session cookie Secure (sent over https only). None = when the "
        "request came over https (directly, or as a trusted proxy's X-Forwarded-Proto says).",
    )
    rate_limit: int | None = Field(
        None,
        ge=0,
        description="Requests a minute one client address may send (a token bucket holding a "
        "minute's worth); past it 429 with Retry-After. None = 600 when access control is on "
        "or `host` is not the loopback, off otherwise; 0 = off.",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses or networks of reverse proxies whose X-Forwarded-For, "
        "X-Forwarded-Proto and proxy_user_header are believed (from anywhere else they are "
        "ignored). Set, access control is on: a request from such a proxy naming a user is "
        "let in. JSON: CCHC_TRUSTED_PROXIES='[\"127.0.0.1\"]'.",
    )
    proxy_user_header: str = Field(
        "X-Forwarded-User",
        min_length=1,
        description="Header in which a trusted proxy names the user it authenticated.",
    )

    model: str | None = Field(
        None,
        description="Embedding model for queries; None = the model the index was built with "
        "(recorded in its manifest). Another model is refused (ModelMismatchError).",
    )
    default_k: int = Field(10, ge=1, le=100, description="Results returned when k is not given.")
    max_query_chars: int = Field(1000, ge=1, description="Longest query accepted, in characters.")
    max_query_tokens: int = Field(
        384,
        ge=0,
        description="Most tokens a query may cost the embedding model (422 above it): counted "
        "by the embedder's tokenizer when it offers one, else estimated "
        "(service.search.query_cost: "
        "a Vietnamese syllable ≈ 1 token, any other character up to 1). 384 admits 1,000 "
        "characters of a plan's text and bounds a query of symbols, emoji or other scripts to "
        "the cost of such a text; 0 = no bound.",
    )

    # Fusion of the dense and lexical rankings, chosen with `python -m eval.run --sweep` on
    # the many-document set (113 queries over 126 documents; see README): weighted min-max
    # fusion, dense 0.5 / lexical 0.5 (best hit@5 there, nDCG@10 within 0.002 of the best,
    # and best on the two-plan set); hybrid beats each retriever on every metric of both.
    fusion: FusionMethod = Field(
        "weighted",
        description="How the dense and lexical rankings are fused: 'rrf' = weighted reciprocal "
        "rank fusion, sum of w / (rrf_k + rank); 'weighted' = weighted sum of min-max "
        "normalised scores.",
    )
    rrf_k: int = Field(
        60, ge=0, description="RRF damping constant: larger flattens the rank curve."
    )
    dense_weight: float = Field(0.5, ge=0, description="Weight of the dense (embedding) ranking.")
    lexical_weight: float = Field(0.5, ge=0, description="Weight of the lexical (BM25) ranking.")
    context_weight: float = Field(
        0.25,
        ge=0,
        description="Hybrid only: weight of the query's similarity to each of the best 30 "
        "candidates embedded in its context (document title and headings); 0 turns it off.",
    )
    candidates: int = Field(
        100,
        ge=1,
        description="Candidates fetched from each retriever before fusion (at least k).",
    )

    expand_abbreviations: bool = Field(
        True,
        description="Expand the query with administrative abbreviations and their long forms "
        "(“trí tuệ nhân tạo” ↔ “AI”, “CCHC” ↔ “cải cách hành chính”) before both retrievers.",
    )
    query_batching: bool = Field(
        False,
        description="Queries that arrive while the model is embedding others are embedded "
        "together in one call (dynamic batching) instead of one thread each.",
    )
    query_cache: int = Field(
        256,
        ge=0,
        description="Query vectors kept in memory (least recently used dropped), so a query sent "
        "again with another filter skips the embedding; 0 disables the cache.",
    )

    # Hot swap of index generations.
    reload_interval: float = Field(
        1.0,
        ge=0,
        description="Seconds between two checks (a stat) of INDEX/CURRENT for a new generation.",
    )
    reader_grace: float = Field(
        30.0,
        ge=0,
        description="Seconds a replaced generation stays open for in-flight requests.",
    )
