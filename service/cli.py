"""Command line: ``python -m service serve|search|…``.

One function per command. Shared helpers keep each command short: ``IndexOpt``/``JsonOpt``
(the common options), ``open_index`` (the live generation + its model, closed afterwards),
``emit`` (JSON on ``--json``, otherwise a readable rich rendering), ``cli_errors`` (our own
exceptions → one line on stderr and the exception's exit code) and ``marked`` (a snippet's
``<mark>`` shown as bold). A new command looks like ``search`` below.
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from indexer.errors import IndexerError
from service.damage import REPAIR
from service.search import MODES, SearchFilters, SearchResult, validate_k, validate_query
from service.settings import Settings
from service.state import IndexHolder, Snapshot

app = typer.Typer(
    name="service",
    help="Search, compare and cite CCHC plans: serve the API or query an index directly.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

IndexOpt = Annotated[
    Path | None,
    typer.Option("--index", help="Index directory (default: $CCHC_INDEX_DIR or var/index)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of readable text.")]
UnitOpt = Annotated[str | None, typer.Option("--unit", help="Only plans of this unit.")]
YearOpt = Annotated[
    int | None, typer.Option("--year", min=1, max=9999, help="Only plans of this year.")
]


# -- shared helpers ----------------------------------------------------------------------------
def settings_for(index: Path | None = None, **overrides: Any) -> Settings:
    """Settings from the environment, with the command line's values on top."""
    given = {k: v for k, v in overrides.items() if v is not None}
    if index is not None:
        given["index_dir"] = index
    return Settings(**given)


def fail(exc: BaseException | str, code: int = 1) -> NoReturn:
    """One line on stderr, then exit with ``code`` (or the exception's own exit code)."""
    message = " ".join(str(exc).split())
    Console(stderr=True, highlight=False, soft_wrap=True).print(f"error: {message}", markup=False)
    raise typer.Exit(getattr(exc, "exit_code", code))


@contextmanager
def cli_errors() -> Iterator[None]:
    """Turn our own exceptions (and a damaged catalog) into ``fail``."""
    try:
        yield
    except IndexerError as exc:
        fail(exc)
    except sqlite3.DatabaseError as exc:  # a damaged page the reader met after opening
        fail(f"the index catalog cannot be read ({exc}) — repair it with: {REPAIR}", 10)


@contextmanager
def open_index(settings: Settings) -> Iterator[Snapshot]:
    """The live generation of ``settings.index_dir`` with its model; closed on exit. Every
    command that reads an index opens it here."""
    holder = IndexHolder(settings).open()
    try:
        yield holder.snapshot
    finally:
        holder.close()


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def emit(data: Any, as_json: bool, render: Callable[[Console, Any], None]) -> None:
    """``data`` as JSON (``to_dict()`` when it has one) or drawn by ``render``."""
    if as_json:
        print_json(data.to_dict() if hasattr(data, "to_dict") else data)
    else:
        render(Console(highlight=False), data)


_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


def marked(snippet: str) -> Text:
    """An HTML snippet with ``<mark>`` as rich bold text (entities unescaped)."""
    out, pos = Text(), 0
    for m in _MARK.finditer(snippet):
        out.append(html.unescape(snippet[pos : m.start()]))
        out.append(html.unescape(m.group(1)), style="bold")
        pos = m.end()
    out.append(html.unescape(snippet[pos:]))
    return out


# -- commands ----------------------------------------------------------------------------------
@app.command()
def serve(
    index: IndexOpt = None,
    host: Annotated[
        str | None, typer.Option(help="Interface (default: 127.0.0.1, loopback only).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: 8000).")] = None,
) -> None:
    """Serve the HTTP API (and /docs) on the index; it swaps to new generations by itself."""
    from service import server
    from service.app import create_app

    with cli_errors():
        settings = settings_for(index, host=host, port=port)
        holder = IndexHolder(settings).open()  # fail here, in one line, before binding
    try:
        server.run(create_app(settings, holder), settings)
    finally:
        holder.close()


def render_search(console: Console, result: SearchResult) -> None:
    """Rank, year, unit and section on one line, the snippet (marks in bold) below."""
    if not result.hits:
        console.print(f"No results for “{result.query}”.")
        return
    console.print(Text(f"{result.total} results for “{result.query}”", style="bold"))
    for rank, hit in enumerate(result.hits, start=1):
        head = Text(f"{rank:>2}. ", style="bold")
        head.append(f"{hit.year or '—'} · {hit.unit or hit.doc_id}", style="cyan")
        head.append(f"  score {hit.score:.3f}", style="dim")
        console.print(head)
        if hit.section:
            console.print(Text(f"    {hit.section}", style="dim"))
        console.print(Text("    ").append_text(marked(hit.snippet)))


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="The question, with or without diacritics.")],
    index: IndexOpt = None,
    unit: UnitOpt = None,
    year: YearOpt = None,
    province: Annotated[str | None, typer.Option(help="Only plans of this province.")] = None,
    section: Annotated[str | None, typer.Option(help="Only under this heading.")] = None,
    doc_id: Annotated[str | None, typer.Option("--doc", help="Only this plan (its id).")] = None,
    k: Annotated[int, typer.Option("--k", "-k", help="Number of results (1–100).")] = 10,
    mode: Annotated[str, typer.Option(help=f"One of {', '.join(MODES)}.")] = "hybrid",
    as_json: JsonOpt = False,
) -> None:
    """Search every plan by meaning and by words."""
    with cli_errors():
        settings = settings_for(index)
        query = validate_query(query, settings.max_query_chars)
        validate_k(k)
        filters = SearchFilters(unit, year, province, section, doc_id)
        with open_index(settings) as snap:
            result = snap.searcher.search(query, k, filters, mode=mode)
    emit(result, as_json, render_search)


@app.command("compare")
def compare_cmd(
    a: Annotated[str, typer.Argument(help="Id of plan A (a file stem; see /documents).")],
    b: Annotated[str, typer.Argument(help="Id of plan B.")],
    index: IndexOpt = None,
    as_json: JsonOpt = False,
    html_out: Annotated[
        Path | None, typer.Option("--html", help="Write a self-contained HTML report here.")
    ] = None,
) -> None:
    """Compare two plans by meaning: same, changed (word diff), only in A, only in B."""
    from service.compare.documents import check_documents, compare_documents, comparison_payload
    from service.compare.render_text import render_comparison
    from service.compare.report_html import plan_label, render_report

    with cli_errors(), open_index(settings_for(index)) as snap:
        doc_a, doc_b = check_documents(snap.reader, a, b)
        result = compare_documents(snap.reader, a, b)
        payload = comparison_payload(doc_a, doc_b, result)
    if html_out is not None:
        html_out.write_text(render_report(result, payload["a"], payload["b"]), encoding="utf-8")
        Console(stderr=True).print(f"report written to {html_out}")
    if as_json:
        print_json(payload)
    elif html_out is None:
        console = Console(highlight=False)
        render_comparison(console, result, plan_label(payload["a"]), plan_label(payload["b"]))


def render_mentions(console: Console, result: Any) -> None:
    for c in result.candidates:
        said = ", ".join(x for x in (c.kind, c.number or c.title, c.date, c.issuer) if x)
        console.print(f"{c.key} — {said}; {c.total} mentions", markup=False)
    table = Table(title=f"“{result.ref}” — {result.total} mentions", show_lines=True)
    for name in ("plan", "section", "citation"):
        table.add_column(name, ratio=2 if name == "citation" else 1)
    for m in result.mentions:
        a, b = m.span
        text = Text(m.text[max(0, a - 80) : a]).append(m.text[a:b], style="bold")
        table.add_row(f"{m.unit or m.doc_id} {m.year or ''}", " › ".join(m.section), text)
    console.print(table)


@app.command("mentions")
def mentions_cmd(
    ref: Annotated[str, typer.Argument(help='"09-NQ/TW", "Nghị quyết 09", a law\'s name…')],
    index: IndexOpt = None,
    unit: UnitOpt = None,
    year: YearOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every mention of a resolution, decision, law… across the plans."""
    from service.mentions import find_mentions

    with cli_errors(), open_index(settings_for(index)) as snap:
        result = find_mentions(snap.reader, ref, unit=unit, year=year)
    emit(result, as_json, render_mentions)
