"""Saved web pages (``.html``, ``.htm``): the document's text and tables, read with
selectolax (lexbor), without scripts, styles, navigation and a portal's notices.

The page's main content is the element holding the most text in paragraphs and tables
(a portal wraps the document in menus, related-document lists and footers); its block
elements become lines and its tables rows of cells, as the Markdown reader gives them.
"""

from __future__ import annotations

from pathlib import Path

from indexer.cleaning import join_lines
from indexer.errors import UnreadableFileError
from indexer.readers.base import RawDocument
from indexer.readers.encoding import decode_bytes
from indexer.readers.layout_tables import Block, linearize
from indexer.readers.portal_noise import is_portal_noise

_DROP = "script, style, noscript, nav, header, footer, form, button, iframe, svg, select"
_BLOCK = {
    "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "main",
    "blockquote", "pre", "dd", "dt", "center", "ul", "ol", "dl", "body",
}  # fmt: skip
_MAX_NODES = 2_000_000  # a page that deep is not a document


def _text(node) -> str:
    """Inline text of a node, <br> as a line break."""
    for br in node.css("br"):
        br.replace_with("\n")
    return node.text(deep=True, separator="")


def _cell(node) -> str:
    parts: list[str] = []
    blocks = [c for c in node.iter() if c.tag in _BLOCK]
    if not blocks:
        return "\n".join(" ".join(s.split()) for s in _text(node).split("\n") if s.strip())
    for child in blocks:
        parts.extend(" ".join(s.split()) for s in _text(child).split("\n") if s.strip())
    return "\n".join(parts)


def _walk(node, out: list[Block]) -> None:
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            text = " ".join((child.text_content or "").split())
            if text:
                out.append(text)
        elif tag == "table":
            rows = []
            for tr in child.css("tr"):
                if tr.parent is not None and tr.parent.tag not in (
                    "table",
                    "tbody",
                    "thead",
                    "tfoot",
                ):
                    continue
                cells = [_cell(td) for td in tr.iter() if td.tag in ("td", "th")]
                if cells:
                    rows.append(cells)
            if rows:
                out.append(rows)
        elif tag in _BLOCK:
            if any(d.tag in _BLOCK or d.tag == "table" for d in child.iter()):
                _walk(child, out)
                out.append("")
            else:
                for piece in _text(child).split("\n"):
                    piece = " ".join(piece.split())
                    if piece:
                        out.append(piece)
                out.append("")
        elif tag == "br":
            out.append("")
        else:
            text = " ".join(child.text(deep=True).split())
            if text:
                out.append(text)


def _main_content(tree):
    """The element with the most text in <p>/<td>: the document, not the portal around it."""
    best, best_score = tree.body, 0
    for node in tree.css("div, article, main, section, td"):
        score = sum(len(p.text(deep=True)) for p in node.css("p"))
        if score > best_score * 1.0 and score > 0:
            best, best_score = node, score
    return best or tree.root


def html_blocks(text: str) -> list[Block]:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(text)
    for node in tree.css(_DROP):
        node.decompose()
    root = _main_content(tree)
    raw: list[Block] = []
    if root is not None:
        _walk(root, raw)
    blocks: list[Block] = []
    para: list[str] = []
    for block in raw:  # inline runs between blocks form one paragraph
        if isinstance(block, str) and block:
            para.append(block)
            continue
        if para:
            line = join_lines(para)
            if not is_portal_noise(line):
                blocks.append(line)
            para = []
        if not isinstance(block, str):
            blocks.append(block)
    if para:
        blocks.append(join_lines(para))
    return blocks


def read_html(path: Path, data: bytes | None = None) -> RawDocument:
    data = path.read_bytes() if data is None else data
    text = decode_bytes(data, str(path))
    if "<" not in text:
        raise UnreadableFileError(path, "not an HTML page", "save the page again as HTML")
    body, tables = linearize(html_blocks(text))
    if not body.strip():
        raise UnreadableFileError(path, "no text found in the page", "save the page again")
    return RawDocument(text=body, tables=tables, source_format="html")
