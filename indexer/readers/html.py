"""Saved web pages (``.html``, ``.htm``): the document's text and tables, read with
selectolax (lexbor), without scripts, styles, navigation and a portal's notices.

The page's main content is the element holding the most text in paragraphs and tables
(a portal wraps the document in menus, related-document lists and footers); its block
elements become lines and its tables rows of cells, as the Markdown reader gives them.

Every step is linear in the page: a table is read from its own rows (a ``tr`` whose
nearest table is this one) and a cell without the tables nested in it, which follow it as
tables of their own; each element's text in paragraphs is counted once, bottom-up; nothing
recurses. A page nested deeper or holding more elements than the limits
(``CCHC_MAX_HTML_DEPTH``, ``CCHC_MAX_HTML_NODES``, ``indexer/limits.py``) is refused in one
line: the depth is checked on the file's tags before the parser runs, as the HTML parser
itself slows down with the square of the depth.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from indexer import limits
from indexer.cleaning.joining import collapse_spaces, join_pair
from indexer.errors import UnreadableFileError
from indexer.readers.base import RawDocument
from indexer.readers.encoding import decode_bytes
from indexer.readers.layout_tables import Block, linearize
from indexer.readers.portal_noise import is_portal_noise


def _names(words: str) -> frozenset[str]:
    return frozenset(words.split())


_DROP = _names("script style noscript nav header footer form button iframe svg select")
_BLOCK = {
    "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "main",
    "blockquote", "pre", "dd", "dt", "center", "ul", "ol", "dl", "body",
}  # fmt: skip
# shown by no browser: a template's content, a text box's initial text, what stands in for an
# embedded object or applet that the page loads (the reader loads nothing)
_HIDDEN_TAGS = _names("template textarea object applet")
_HIDDEN_STYLE = re.compile(
    r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse))\s*"
    r"(?:!\s*important\s*)?(?:;|$)",
    re.IGNORECASE,
)
_CANDIDATES = frozenset({"div", "article", "main", "section", "td"})  # the main content
_ROW_GROUPS = frozenset({"thead", "tbody", "tfoot"})


Node = Any  # a selectolax LexborNode (selectolax ships no type information)


def _too_deep(path: Path, depth: int) -> UnreadableFileError:
    limit = limits.HTML_DEPTH
    return UnreadableFileError(
        path,
        f"the page nests its elements more than {limit.value():g} deep "
        f"(the {limit.what} limit; {depth:,} reached)",
        limit.advice(),
    )


def _too_many(path: Path) -> UnreadableFileError:
    limit = limits.HTML_NODES
    return UnreadableFileError(
        path,
        f"the page holds more than {limit.value():,.0f} elements (the {limit.what} limit)",
        limit.advice(),
    )


# ---------------------------------------------------------------------------------------------
# the file's tags, before parsing: how deep the parser's stack of open elements would grow


_TAG = re.compile(r"<(?:!--|(/?)([a-z][^\s/>]*))")
_VOID = _names(
    "area base br col embed hr img input link meta param source track wbr "
    "basefont bgsound frame keygen image isindex"
)
_RAW_TEXT = _names("script style textarea title xmp iframe noembed noframes")
_FOREIGN = frozenset({"svg", "math"})  # "<x/>" closes x only inside these
# an element whose start closes an open one of its kind, unless a boundary opened after it
_CLOSES: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
for _kinds, _bounds in (
    ("li", "ul ol table td th"),
    ("dt dd", "dl table td th"),
    ("td th", "table"),
    ("tr", "table"),
    ("thead tbody tfoot", "table"),
    ("option optgroup", "select table"),
    ("rb rt rtc rp", "ruby"),
):
    for _name in _kinds.split():
        _CLOSES[_name] = (_names(_kinds), _names(_bounds))
# a block start closes an open <p> (unless a scope boundary opened after it)
_CLOSES_P = _names(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption "
    "figure footer header hgroup main menu nav ol p pre section summary ul table hr "
    "h1 h2 h3 h4 h5 h6 form li dd dt listing"
)
_P = frozenset({"p"})
_P_BOUNDS = _names("table td th caption button object marquee applet template")


def check_shape(path: Path, text: str) -> None:
    """Refuse a page nested deeper or holding more elements than the limits, from its tags
    alone: a linear scan that follows the parser's stack of open elements (end tags close
    what they name and what is open inside it; a ``li``, a cell, a row or a ``p`` closes its
    open sibling), so a sloppy page's unclosed tags do not pile up."""
    max_depth, max_nodes = limits.HTML_DEPTH.value(), limits.HTML_NODES.value()
    low = text.lower()
    stack: list[str] = []
    where: dict[str, list[int]] = {}  # tag → its positions in the stack, innermost last
    count = 0

    def last(names: frozenset[str]) -> int:
        return max((where[n][-1] for n in names if where.get(n)), default=-1)

    def close_to(position: int) -> None:  # pop the element at ``position`` and all above
        while len(stack) > position:
            where[stack.pop()].pop()

    pos = 0
    while (m := _TAG.search(low, pos)) is not None:
        if m.group(0) == "<!--":
            end = low.find("-->", m.end())
            if end < 0:
                break
            pos = end + 3
            continue
        closing, name = m.group(1), m.group(2)
        end = low.find(">", m.end())
        if end < 0:
            break
        pos = end + 1
        if closing:
            if where.get(name):
                close_to(where[name][-1])
            continue
        count += 1
        if count > max_nodes:
            raise _too_many(path)
        if name in _VOID:
            continue
        if low[end - 1] == "/" and last(_FOREIGN) >= 0:
            continue  # a self-closed element of SVG or MathML
        if name in _RAW_TEXT:  # its content is text up to its end tag
            close = low.find(f"</{name}", pos)
            if close < 0:
                break
            pos = close
            continue
        if name in _CLOSES:
            kinds, bounds = _CLOSES[name]
            sibling = last(kinds)
            if sibling > last(bounds):
                close_to(sibling)
        if name in _CLOSES_P:
            open_p = last(_P)
            if open_p > last(_P_BOUNDS):
                close_to(open_p)
        where.setdefault(name, []).append(len(stack))
        stack.append(name)
        if len(stack) > max_depth:
            raise _too_deep(path, len(stack))


# ---------------------------------------------------------------------------------------------
# the parsed page, in one pass


class _Survey:
    """One iterative pass over the parsed page: elements counted and their depth checked,
    the elements never shown (``_DROP``) set aside, each candidate container's text in
    paragraphs summed bottom-up, and the cells that hold a table noted."""

    def __init__(self, tree, path: Path) -> None:
        max_depth, max_nodes = limits.HTML_DEPTH.value(), limits.HTML_NODES.value()
        self.dropped: list[Node] = []
        self.cells_with_tables: set[int] = set()
        self.candidates: list[tuple[Node, int]] = []  # document order
        count = 0
        # a frame: [node, next child, text length, text in paragraphs, holds a table, slot]
        stack: list[list[Any]] = [[tree.root, tree.root.child, 0, 0, False, -1]]
        while stack:
            frame = stack[-1]
            child = frame[1]
            if child is None:  # every child seen: fold the element into its parent
                stack.pop()
                node, _, length, score, holds_table, slot = frame
                tag = node.tag
                if slot >= 0:
                    self.candidates[slot] = (node, score)
                if holds_table and tag in ("td", "th"):
                    self.cells_with_tables.add(node.mem_id)
                if stack:
                    parent = stack[-1]
                    parent[2] += length
                    parent[3] += score + (length if tag == "p" else 0)
                    parent[4] = parent[4] or holds_table or tag == "table"
                continue
            frame[1] = child.next
            tag = child.tag
            if tag == "-text":
                frame[2] += len(child.text_content or "")
                continue
            if tag is None or tag.startswith("-"):  # comments, doctype
                continue
            count += 1
            if count > max_nodes:
                raise _too_many(path)
            if self._never_shown(child, tag):
                self.dropped.append(child)
                continue
            if len(stack) >= max_depth:
                raise _too_deep(path, len(stack) + 1)
            slot = -1
            if tag in _CANDIDATES:
                slot = len(self.candidates)
                self.candidates.append((child, 0))
            stack.append([child, child.child, 0, 0, False, slot])

    @staticmethod
    def _never_shown(node: Node, tag: str) -> bool:
        """Dropped (scripts, navigation …), or hidden by the page's author: what a browser
        never shows is not the document's visible text."""
        if tag in _DROP or tag in _HIDDEN_TAGS:
            return True
        attributes = node.attributes
        if not attributes:
            return False
        if "hidden" in attributes:
            return True
        style = attributes.get("style")
        return bool(style and _HIDDEN_STYLE.search(style))


def _text(node) -> str:
    """Inline text of a node, <br> as a line break."""
    for br in node.css("br"):
        br.replace_with("\n")
    return node.text(deep=True, separator="")


def _text_without_tables(node, nested: list[Node]) -> str:
    """``_text`` of a node, leaving out the tables in it (appended to ``nested``)."""
    parts: list[str] = []
    stack: list[Iterator[Node]] = [node.iter(include_text=True)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        tag = child.tag
        if tag == "-text":
            parts.append(child.text_content or "")
        elif tag == "br":
            parts.append("\n")
        elif tag == "table":
            nested.append(child)
        elif tag and not tag.startswith("-"):
            stack.append(child.iter(include_text=True))
    return "".join(parts)


def _lines(text: str) -> list[str]:
    return [" ".join(s.split()) for s in text.split("\n") if s.strip()]


def _cell(node, survey: _Survey, nested: list[Node]) -> str:
    blocks = [c for c in node.iter() if c.tag in _BLOCK]
    if node.mem_id not in survey.cells_with_tables:
        if not blocks:
            return "\n".join(_lines(_text(node)))
        return "\n".join(line for child in blocks for line in _lines(_text(child)))
    # the tables in the cell are left out here and read after this one, as tables
    if not blocks:
        return "\n".join(_lines(_text_without_tables(node, nested)))
    parts = [line for child in blocks for line in _lines(_text_without_tables(child, nested))]
    for child in node.iter():  # a table beside the blocks
        if child.tag == "table":
            nested.append(child)
    return "\n".join(parts)


def _own_rows(table) -> Iterator[Node]:
    """The table's own rows: ``tr`` children of it or of its ``thead``/``tbody``/``tfoot``
    (a nested table's rows belong to that table)."""
    for child in table.iter():
        if child.tag == "tr":
            yield child
        elif child.tag in _ROW_GROUPS:
            for row in child.iter():
                if row.tag == "tr":
                    yield row


def _tables(table, survey: _Survey, out: list[Block]) -> None:
    """The table as rows of cells, then each table nested in its cells, in document order."""
    pending = [table]
    while pending:
        current = pending.pop()
        nested: list[Node] = []
        rows = []
        for tr in _own_rows(current):
            cells = [_cell(td, survey, nested) for td in tr.iter() if td.tag in ("td", "th")]
            if cells:
                rows.append(cells)
        if rows:
            out.append(rows)
        pending.extend(reversed(nested))


def _walk(root, survey: _Survey, out: list[Block]) -> None:
    stack: list[Iterator[Node]] = [root.iter(include_text=True)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            if stack:  # the end of a block read child by child
                out.append("")
            continue
        tag = child.tag
        if tag == "-text":
            text = " ".join((child.text_content or "").split())
            if text:
                out.append(text)
        elif tag == "table":
            _tables(child, survey, out)
        elif tag in _BLOCK:
            out.append("")  # a block starts a line, as a browser shows it
            if any(d.tag in _BLOCK or d.tag == "table" for d in child.iter()):
                stack.append(child.iter(include_text=True))
            else:
                out.extend(_lines(_text(child)))
                out.append("")
        elif tag == "br":
            out.append("")
        elif tag and not tag.startswith("-"):
            text = " ".join(child.text(deep=True).split())
            if text:
                out.append(text)


def _main_content(tree, survey: _Survey):
    """The element with the most text in <p>: the document, not the portal around it."""
    best, best_score = tree.body, 0
    for node, score in survey.candidates:
        if score > best_score:
            best, best_score = node, score
    return best or tree.root


_JOIN_CONTEXT = 256  # characters before a piece that decide how it is joined (its last word)


def _join(pieces: list[str]) -> str:
    """``join_lines`` of a paragraph's pieces (each stripped, none empty), in linear time:
    whether a space goes between two pieces depends only on the last word before it."""
    parts: list[str] = []
    tail = ""
    for piece in pieces:
        if tail and join_pair(tail, piece) != tail + piece:
            piece = " " + piece
        parts.append(piece)
        tail = (tail + piece)[-_JOIN_CONTEXT:]
    return collapse_spaces("".join(parts))


def html_blocks(text: str, path: Path = Path("page.html")) -> list[Block]:
    from selectolax.lexbor import LexborHTMLParser

    check_shape(path, text)
    tree = LexborHTMLParser(text)
    survey = _Survey(tree, path)
    for node in survey.dropped:  # none lies inside another: the survey did not enter them
        node.decompose()
    root = _main_content(tree, survey)
    raw: list[Block] = []
    if root is not None:
        _walk(root, survey, raw)
    blocks: list[Block] = []
    para: list[str] = []
    for block in raw:  # inline runs between blocks form one paragraph
        if isinstance(block, str) and block:
            para.append(block)
            continue
        if para:
            line = _join(para)
            if not is_portal_noise(line):
                blocks.append(line)
            para = []
        if not isinstance(block, str):
            blocks.append(block)
    if para:
        blocks.append(_join(para))
    return blocks


def read_html(path: Path, data: bytes | None = None) -> RawDocument:
    data = path.read_bytes() if data is None else data
    text = decode_bytes(data, str(path))
    if "<" not in text:
        raise UnreadableFileError(path, "not an HTML page", "save the page again as HTML")
    body, tables = linearize(html_blocks(text, path))
    if not body.strip():
        raise UnreadableFileError(path, "no text found in the page", "save the page again")
    return RawDocument(text=body, tables=tables, source_format="html")
