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
import logging
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
from indexer.model import Reading
from service.live.damage import REPAIR
from service.live.holder import IndexHolder, Snapshot
from service.search import MODES, SearchFilters, SearchResult, validate_k, validate_query
from service.settings import Settings

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
CsvOpt = Annotated[Path | None, typer.Option("--csv", help="Also write the table as CSV here.")]
XlsxOpt = Annotated[
    Path | None, typer.Option("--xlsx", help="Also write an Excel workbook (.xlsx) here.")
]
DocxOpt = Annotated[
    Path | None, typer.Option("--docx", help="Also write a Word document (.docx) here.")
]
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
    log_format: Annotated[
        str | None,
        typer.Option(
            "--log-format",
            help="text (default: $CCHC_LOG_FORMAT or text) or json: one JSON object a line, "
            "with the request id of each request.",
        ),
    ] = None,
) -> None:
    """Serve the HTTP API (and /docs) on the index; it swaps to new generations by itself."""
    from service.request.observe import LOG_FORMATS, JsonFormatter
    from service.web import server
    from service.web.access import Access, exposure_warning
    from service.web.app import create_app

    if log_format is not None and log_format not in LOG_FORMATS:
        fail(f"--log-format {log_format!r}: choose one of {', '.join(LOG_FORMATS)}", 2)
    with cli_errors():
        settings = settings_for(index, host=host, port=port, log_format=log_format)
        warning = exposure_warning(settings, Access.from_settings(settings))  # a bad hash: fail
        if warning and settings.log_format == "json":
            record = logging.makeLogRecord(
                {"name": "service.cli", "levelname": "WARNING", "msg": warning}
            )
            sys.stderr.write(JsonFormatter().format(record) + "\n")
        elif warning:
            Console(stderr=True, highlight=False, soft_wrap=True).print(warning, markup=False)
        holder = IndexHolder(settings).open()  # fail here, in one line, before binding
    try:
        server.run(create_app(settings, holder), settings)
    finally:
        holder.close()


@app.command("token")
def token_cmd(
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            help="Also write the hash line to this file (created with mode 600) for "
            "CCHC_TOKEN_FILE.",
        ),
    ] = None,
) -> None:
    """Make an access token: print it once, and the hash line the service needs
    (CCHC_TOKEN_HASH=…, in its environment or in a file named by CCHC_TOKEN_FILE)."""
    import os

    from service.web.access import hash_token, new_token

    token = new_token()
    line = f"CCHC_TOKEN_HASH={hash_token(token)}"
    if file is not None:
        try:
            fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(line + "\n")
            os.chmod(file, 0o600)
        except OSError as exc:
            fail(f"cannot write {file} ({exc.strerror or exc}): choose a writable path", 2)
    print(f"token: {token}")
    print(line)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    err.print(
        "The token is shown only now: give it to the people who may use the service (API: "
        "Authorization: Bearer <token>; pages: the sign-in form). The service keeps only the "
        "hash: put the CCHC_TOKEN_HASH line in its environment"
        + (f", or set CCHC_TOKEN_FILE={file}" if file is not None else "")
        + ", then restart it.",
        markup=False,
    )


LEVEL_WORDS = {"high": "highly relevant", "medium": "relevant", "low": "close (below the floor)"}


def render_search(console: Console, result: SearchResult) -> None:
    """Rank, year, unit and section on one line, the snippet (marks in bold) below."""
    understood = result.understood
    if understood is not None and understood.line:
        line = Text(understood.line, style="magenta")
        if understood.topic != understood.query:
            line.append(f" — nội dung tìm: «{understood.topic}»", style="dim")
        console.print(line)
    if result.answer is not None:
        render_answer(console, result.answer)
    if not result.hits:
        console.print(f"No results for “{result.query}”.")
        return
    if result.answered is False:
        console.print(
            Text(f"Nothing relevant enough for “{result.query}”; the closest:", style="bold")
        )
    else:
        noun = "result" if result.total == 1 else "results"
        console.print(Text(f"{result.total} {noun} for “{result.query}”", style="bold"))
    for rank, hit in enumerate(result.hits, start=1):
        head = Text(f"{rank:>2}. ", style="bold")
        head.append(f"{hit.year or '—'} · {hit.unit or hit.doc_id}", style="cyan")
        level = LEVEL_WORDS.get(hit.level or "")
        head.append(f"  {level}" if level else f"  score {hit.score:.3f}", style="dim")
        console.print(head)
        if hit.section:
            console.print(Text(f"    {hit.section}", style="dim"))
        console.print(Text("    ").append_text(marked(hit.snippet)))


def render_answer(console: Console, answer: Any) -> None:
    """A who / when / how-much question's answer: one line per plan with its source."""
    if not answer.facts:
        console.print(Text(f"No answer ({answer.kind}) stated in the plans; the closest:", "bold"))
        return
    for fact in answer.facts:
        line = Text(f"Answer ({answer.kind}): ", style="bold green")
        line.append(fact.text, style="bold")
        line.append(f"  — {fact.year or '—'} · {fact.unit or fact.doc_id}", style="cyan")
        console.print(line)
        console.print(Text(f"    «{fact.source}»", style="dim"))


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
    understand: Annotated[
        bool,
        typer.Option(
            help="Read the place, unit, year and kind the query names as constraints that "
            "rank their documents first."
        ),
    ] = True,
    ignore: Annotated[
        list[str] | None,
        typer.Option(help="Leave constraints of this field unread: province, unit, year, kind."),
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option(
            help="Apply constraints of this field as a filter: province, unit, year, kind."
        ),
    ] = None,
    as_json: JsonOpt = False,
    xlsx_out: XlsxOpt = None,
    docx_out: DocxOpt = None,
) -> None:
    """Search every plan by meaning and by words."""
    from service.exports import filters_in_words, search_table

    with cli_errors():
        settings = settings_for(index)
        query = validate_query(query, settings.max_query_chars)
        validate_k(k)
        filters = SearchFilters(unit, year, province, section, doc_id)
        ignored, only_ = constraint_fields(ignore, "--ignore"), constraint_fields(only, "--only")
        with open_index(settings) as snap:
            result = snap.searcher.search(
                query,
                k,
                filters,
                mode=mode,
                understand=understand,
                ignore=ignored,
                only=tuple(f for f in only_ if f not in ignored),
            )
            if not understand:
                result.understood = None
    write_files(search_table(result, filters_in_words(filters)), xlsx_out, docx_out)
    emit(result, as_json, render_search)


def constraint_fields(values: list[str] | None, option: str) -> tuple[str, ...]:
    """``--ignore``/``--only`` values (repeated or comma-separated) → constraint fields."""
    from service.search.understanding import FIELDS

    fields = [f.strip() for v in values or () for f in v.split(",") if f.strip()]
    for f in fields:
        if f not in FIELDS:
            fail(
                f"{option} {f!r}: not a field of a query's constraints; use {', '.join(FIELDS)}", 2
            )
    return tuple(dict.fromkeys(fields))


def write_files(table: Any, xlsx_out: Path | None, docx_out: Path | None) -> None:
    """The table as an Excel workbook and/or a Word document (``service.exports``)."""
    from service.exports import render

    for path, fmt in ((xlsx_out, "xlsx"), (docx_out, "docx")):
        if path is None:
            continue
        try:
            path.write_bytes(render(table, fmt))
        except OSError as exc:
            fail(f"cannot write {path} ({exc.strerror or exc}): choose a writable path", 2)
        Console(stderr=True).print(f"{fmt.upper()} written to {path}")


def render_documents(console: Console, docs: list[dict]) -> None:
    """One row per plan: year, unit, title, paragraphs and how its text was read."""
    if not docs:
        console.print("The index holds no plans.")
        return
    table = Table(title=f"{len(docs)} plans", show_lines=False)
    for column in ("id", "year", "unit", "title", "¶", "read as"):
        table.add_column(column, overflow="fold")
    for d in docs:
        reading = Reading.from_dict(d["reading"])
        table.add_row(
            d["doc_id"],
            str(d["year"] or "—"),
            d["unit"] or "—",
            (d["title"] or "")[:80],
            str(d["n_paragraphs"]),
            reading.describe(),
        )
    console.print(table)


@app.command("documents")
def documents(
    index: IndexOpt = None, unit: UnitOpt = None, year: YearOpt = None, as_json: JsonOpt = False
) -> None:
    """List the indexed plans: unit, year, title, paragraphs and how each was read
    (text, OCR with its confidence, or converted from .doc/.rtf)."""
    with cli_errors(), open_index(settings_for(index)) as snap:
        rows = snap.reader.documents(**SearchFilters(unit=unit, year=year).as_kwargs())
        docs = [
            {
                "doc_id": d.doc_id,
                "path": d.path,
                "unit": d.unit,
                "year": d.year,
                "kind": d.kind,
                "title": d.title,
                "number": d.number,
                "n_paragraphs": d.n_paragraphs,
                "reading": d.reading.to_dict(),
            }
            for d in rows
        ]
    emit(docs, as_json, render_documents)


@app.command("compare")
def compare_cmd(
    a: Annotated[str, typer.Argument(help="Id of plan A (a file stem; see /documents).")],
    b: Annotated[str, typer.Argument(help="Id of plan B.")],
    index: IndexOpt = None,
    as_json: JsonOpt = False,
    html_out: Annotated[
        Path | None, typer.Option("--html", help="Write a self-contained HTML report here.")
    ] = None,
    xlsx_out: XlsxOpt = None,
    docx_out: DocxOpt = None,
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
    from service.exports import comparison_table

    write_files(comparison_table(payload), xlsx_out, docx_out)
    if as_json:
        print_json(payload)
    elif html_out is None and xlsx_out is None and docx_out is None:
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


ProvinceOpt = Annotated[str | None, typer.Option("--province", help="Only plans of this province.")]
KindOpt = Annotated[
    str | None, typer.Option("--kind", help='Only documents of this kind ("Kế hoạch").')
]
STATUS_MARK = {"covered": "[green]●[/]", "partial": "[yellow]◐[/]", "missing": "[red]○[/]"}


def read_checklist(path: Path) -> str:
    """A checklist file's text (UTF-8, at most 512 kB); one clear error otherwise."""
    from service.coverage.requirements import MAX_CHECKLIST_BYTES

    try:
        if path.stat().st_size > MAX_CHECKLIST_BYTES:
            fail(f"{path}: larger than {MAX_CHECKLIST_BYTES // 1000} kB; split the checklist", 2)
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        fail(f"{path}: not UTF-8 text; save the checklist as UTF-8, one requirement per line", 2)
    except OSError as exc:
        fail(f"{path}: cannot read the checklist ({exc.strerror or exc})", 2)


MATRIX_COLUMNS = 8  # more plans than this: one table of plans, one of requirements


def render_coverage(console: Console, m: Any) -> None:
    from service.coverage.export import plan_label

    title = (m.reference or {}).get("title") or "checklist"
    n = len(m.plans)
    if n == 0:
        said = ", ".join(f"{k}={v}" for k, v in m.filters.items()) or "no filter"
        console.print(f"no plan matches ({said}); `python -m indexer build` lists what is indexed")
        return
    if n <= MATRIX_COLUMNS:
        table = Table(title=f"Coverage of {title[:80]} — ● covered ◐ partial ○ missing")
        table.add_column("#", justify="right")
        table.add_column("requirement", ratio=3)
        for p in m.plans:
            table.add_column(plan_label(p), justify="center")
        table.add_column("plans covering", justify="right")
        for i, req in enumerate(m.requirements):
            row = [STATUS_MARK[c.status] for c in m.cells[i]]
            table.add_row(str(i + 1), Text(req.text[:160]), *row, f"{m.covering(i)}/{n}")
        table.add_row("", "share covered", *[f"{p.share:.0%}" for p in m.plans], "")
        console.print(table)
        return
    plans = Table(title=f"{n} plans against {len(m.requirements)} requirements of {title[:80]}")
    for name in ("plan", "covered", "partial", "missing", "share"):
        plans.add_column(name, justify="left" if name == "plan" else "right")
    for p in sorted(m.plans, key=lambda p: -p.share):
        plans.add_row(
            Text(plan_label(p)), str(p.covered), str(p.partial), str(p.missing), f"{p.share:.0%}"
        )
    console.print(plans)
    reqs = Table(title="Requirements: how many plans cover each (● covered)")
    reqs.add_column("#", justify="right")
    reqs.add_column("requirement", ratio=3)
    reqs.add_column("covered by", justify="right")
    reqs.add_column("missing in", ratio=1)
    for i, req in enumerate(m.requirements):
        missing = m.missing_in(i)
        said = ", ".join(missing[:3]) + (f" … +{len(missing) - 3}" if len(missing) > 3 else "")
        reqs.add_row(str(i + 1), Text(req.text[:160]), f"{m.covering(i)}/{n}", Text(said))
    console.print(reqs)


@app.command("coverage")
def coverage_cmd(
    reference: Annotated[
        str | None, typer.Argument(help="Id of the reference document (its requirements).")
    ] = None,
    checklist: Annotated[
        Path | None, typer.Option("--checklist", help="A text file, one requirement per line.")
    ] = None,
    index: IndexOpt = None,
    unit: UnitOpt = None,
    year: YearOpt = None,
    province: ProvinceOpt = None,
    kind: KindOpt = None,
    as_json: JsonOpt = False,
    csv_out: CsvOpt = None,
    xlsx_out: XlsxOpt = None,
) -> None:
    """Which plan carries which requirement of a reference document (or a checklist)."""
    from service.coverage import coverage_matrix
    from service.coverage.export import coverage_csv, coverage_xlsx

    if (reference is None) == (checklist is None):
        fail("give a reference document id or --checklist FILE (one of the two)", 2)
    text = read_checklist(checklist) if checklist is not None else None
    filters = {"unit": unit, "year": year, "province": province, "kind": kind}
    with cli_errors(), open_index(settings_for(index)) as snap:
        matrix = coverage_matrix(
            snap.reader, snap.embedder, reference=reference, checklist=text, filters=filters
        )
    write_exports(csv_out, xlsx_out, lambda: coverage_csv(matrix), lambda: coverage_xlsx(matrix))
    emit(matrix, as_json, render_coverage)


def write_exports(
    csv_out: Path | None,
    xlsx_out: Path | None,
    csv_body: Callable[[], str],
    xlsx_body: Callable[[], bytes],
) -> None:
    try:
        if csv_out is not None:
            csv_out.write_text(csv_body(), encoding="utf-8")
            Console(stderr=True).print(f"CSV written to {csv_out}")
        if xlsx_out is not None:
            xlsx_out.write_bytes(xlsx_body())
            Console(stderr=True).print(f"workbook written to {xlsx_out}")
    except OSError as exc:
        fail(f"cannot write the export ({exc.strerror or exc}): choose a writable path", 2)


def render_citations(console: Console, c: Any) -> None:
    from service.coverage.export import plan_label

    table = Table(title="Cited documents × plans (mentions; ✗ a required one omitted)")
    table.add_column("document", ratio=2)
    for p in c.plans:
        table.add_column(plan_label(p), justify="right")
    for r in c.rows[:60]:
        cells = [
            str(r.per_plan[p.doc_id])
            if p.doc_id in r.per_plan
            else ("[red]✗[/]" if r.required else "")
            for p in c.plans
        ]
        name = f"{'* ' if r.required else ''}{r.kind or ''} {r.number or r.title or r.key}"
        table.add_row(Text(name.strip()), *cells)
    console.print(table)
    if len(c.rows) > 60:
        console.print(f"… {len(c.rows) - 60} more (--json or --xlsx for all)")


@app.command("citations")
def citations_cmd(
    index: IndexOpt = None,
    unit: UnitOpt = None,
    year: YearOpt = None,
    province: ProvinceOpt = None,
    kind: KindOpt = None,
    cited_kind: Annotated[
        str | None, typer.Option("--cited-kind", help="Only cited documents of this kind.")
    ] = None,
    issuer: Annotated[
        str | None, typer.Option("--issuer", help="Only cited documents of this issuer.")
    ] = None,
    required: Annotated[
        list[str] | None, typer.Option("--required", help='A required document ("09-NQ/TW").')
    ] = None,
    reference: Annotated[
        str | None, typer.Option("--reference", help="Require what this document cites.")
    ] = None,
    as_json: JsonOpt = False,
    csv_out: CsvOpt = None,
    xlsx_out: XlsxOpt = None,
) -> None:
    """Which plan cites which resolution, decision or law; required ones flagged."""
    from service.coverage import citation_matrix
    from service.coverage.export import citations_csv, citations_xlsx

    filters = {"unit": unit, "year": year, "province": province, "kind": kind}
    with cli_errors(), open_index(settings_for(index)) as snap:
        table = citation_matrix(snap.reader, required or (), reference, cited_kind, issuer, filters)
    write_exports(csv_out, xlsx_out, lambda: citations_csv(table), lambda: citations_xlsx(table))
    emit(table, as_json, render_citations)


def render_tasks(console: Console, table: Any) -> None:
    """One row per task row: plan, number, task, deadline as written, lead, partners."""
    shown = len(table.tasks)
    if not shown:
        console.print(f"No task row matches ({table.query.in_words()}).")
        return
    more = f", the first {shown}" if shown < table.total else ""
    noun = "task row" if table.total == 1 else "task rows"
    grid = Table(title=f"{table.total} {noun}{more}", show_lines=True)
    grid.add_column("plan", ratio=2)
    grid.add_column("#", justify="right")
    grid.add_column("task", ratio=4)
    for name in ("deadline", "lead", "partners"):
        grid.add_column(name, ratio=2)
    for t in table.tasks:
        grid.add_row(
            Text(f"{t.unit or t.doc_id} {t.year or ''}".strip()),
            str(t.number),
            Text(t.task),
            Text(" ".join(t.timeline.split())),
            Text(t.lead or t.responsible),
            Text(t.partners),
        )
    console.print(grid)


@app.command("tasks")
def tasks_cmd(
    index: IndexOpt = None,
    unit: Annotated[
        str | None, typer.Option("--unit", help="Plans of this unit (any part of its name).")
    ] = None,
    province: ProvinceOpt = None,
    year: YearOpt = None,
    lead: Annotated[
        str | None, typer.Option("--lead", help="Rows this body leads (any part of its name).")
    ] = None,
    due_from: Annotated[
        str | None, typer.Option("--due-from", help="Rows whose period meets [from, to]: ISO.")
    ] = None,
    due_to: Annotated[str | None, typer.Option("--due-to", help="The window's end (ISO).")] = None,
    doc: Annotated[
        str | None,
        typer.Option("--doc", help='Rows that cite this document ("09-NQ/TW", "Nghị quyết 09").'),
    ] = None,
    text: Annotated[
        str | None, typer.Option("--text", help="Words of the task or its products.")
    ] = None,
    doc_id: Annotated[str | None, typer.Option("--doc-id", help="Only this plan (its id).")] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind", help="task (plans' task tables) or procedure (procedure lists); default both."
        ),
    ] = None,
    sort: Annotated[
        str,
        typer.Option(help="plan, unit, year, due or lead; a leading '-' reverses (-due)."),
    ] = "plan",
    limit: Annotated[int, typer.Option(help="At most this many rows (1–10000).")] = 1000,
    as_json: JsonOpt = False,
    csv_out: CsvOpt = None,
    xlsx_out: XlsxOpt = None,
    docx_out: DocxOpt = None,
) -> None:
    """Every task row of the selected plans: task, products, deadline, lead, partners."""
    from indexer.store import IndexReader
    from service.tasks import TaskQuery, find_tasks
    from service.tasks.export import tasks_csv, tasks_table

    query = TaskQuery(
        unit=unit, province=province, year=year, lead=lead, due_from=due_from, due_to=due_to,
        doc=doc, text=text, doc_id=doc_id, kind=kind, sort=sort, limit=limit,
    )  # fmt: skip
    with cli_errors(), IndexReader.open(settings_for(index).index_dir) as reader:
        table = find_tasks(reader, query)
    if csv_out is not None:
        write_exports(csv_out, None, lambda: tasks_csv(table), bytes)
    write_files(tasks_table(table), xlsx_out, docx_out)
    emit(table, as_json, render_tasks)


@app.command("backup")
def backup_cmd(
    index: Annotated[Path, typer.Argument(help="The index directory (served or not).")],
    dest: Annotated[Path, typer.Argument(help="A new (or empty) folder for the backup.")],
    as_json: JsonOpt = False,
) -> None:
    """Copy a consistent snapshot of an index while the service runs and builds commit: the
    catalog through SQLite's online backup, the generation it names, CURRENT last."""
    from indexer.store.backup import backup_index

    with cli_errors():
        result = backup_index(index, dest)
    if as_json:
        print_json(result.to_dict())
    else:
        print(result.summary())


@app.command("restore")
def restore_cmd(
    backup: Annotated[Path, typer.Argument(help="A folder `backup` wrote.")],
    index: Annotated[Path, typer.Argument(help="The index directory to restore into.")],
    as_json: JsonOpt = False,
) -> None:
    """Make a backup's generation the live one of an index directory (a running service
    swaps to it by itself; refused while a build runs)."""
    from indexer.store.backup import restore_index

    with cli_errors():
        result = restore_index(backup, index)
    if as_json:
        print_json(result.to_dict())
    else:
        print(result.summary("restored"))
