"""The comparison as readable terminal output (rich): summary, sections, then the pairs."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from service.compare.model import Comparison, Pair
from service.compare.report_html import STATUS_LABELS

COLUMNS = ("KH", "mục", "giống", "thay đổi", "chỉ có ở KH này", "có tương ứng", "mục tương ứng")
STYLES = {"same": "blue", "changed": "yellow", "only_a": "red", "only_b": "green"}


def _side(p: Pair, side: str) -> Text:
    text = p.a_text if side == "a" else p.b_text
    if text is None:
        return Text("—", style="dim")
    if not p.diff:
        return Text(text)
    out = Text()
    for op in p.diff:
        words = op.a if side == "a" else op.b
        if not words:
            continue
        if out:
            out.append(" ")
        if op.op == "equal":
            out.append(words)
        else:
            out.append(words, style="strike red" if side == "a" else "bold green")
    return out


def render_comparison(console: Console, result: Comparison, a: str, b: str) -> None:
    s = result.summary
    console.print(f"[bold]A[/bold] {a}\n[bold]B[/bold] {b}")
    console.print(
        "  ".join(f"[{STYLES[k]}]{STATUS_LABELS[k]}: {s.counts[k]}[/]" for k in STATUS_LABELS)
        + f"   có đoạn tương ứng: A {s.shared_a:.0%}, B {s.shared_b:.0%}"
    )
    if s.topics_only_a:
        console.print("Nội dung chỉ có ở A: " + "; ".join(t.phrase for t in s.topics_only_a))
    if s.topics_only_b:
        console.print("Nội dung chỉ có ở B: " + "; ".join(t.phrase for t in s.topics_only_b))
    sections = Table(title="Theo từng mục", show_lines=False)
    for col in COLUMNS:
        sections.add_column(col, justify="right" if col in COLUMNS[2:6] else "default")
    for r in s.sections:
        sections.add_row(
            r.side.upper(),
            r.section,
            str(r.same),
            str(r.changed),
            str(r.only),
            f"{r.shared:.0%}",
            r.counterpart or "",
        )
    console.print(sections)
    pairs = Table(title="Đối chiếu từng đoạn", show_lines=True)
    pairs.add_column("trạng thái")
    pairs.add_column("A", ratio=1)
    pairs.add_column("B", ratio=1)
    pairs.add_column("điểm", justify="right")
    for p in result.pairs:
        sim = f"{p.similarity:.2f}" if p.similarity is not None else ""
        status = Text(STATUS_LABELS[p.status], style=STYLES[p.status])
        pairs.add_row(status, _side(p, "a"), _side(p, "b"), sim)
    console.print(pairs)
