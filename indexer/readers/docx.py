"""DOCX plans: body paragraphs in order, and tables as rows of cells.

The text read is what Word shows with tracked changes accepted and hidden text not shown:
an inserted run (``w:ins``, ``w:moveTo``) is kept, a deleted one (``w:del``, ``w:moveFrom``)
and a deleted table row are dropped, and a run hidden by the author (``w:vanish`` or
``w:specVanish``, set on the run or by its character or paragraph style) is left out, as are
the hidden runs LibreOffice writes for RTF's ``\\v`` (``legacy_word``). Text in a paragraph's
content controls, smart tags, simple fields and hyperlinks is read in place.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from indexer import limits
from indexer.errors import UnreadableFileError
from indexer.readers.base import RawDocument
from indexer.readers.layout_tables import Block, linearize

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_RUN = f"{_W}r"
# a paragraph's containers whose runs are read in place: accepted insertions and moves,
# links, content controls, smart tags, custom XML, simple fields, text direction
_READ_INSIDE = frozenset(
    f"{_W}{name}"
    for name in (
        "ins", "moveTo", "hyperlink", "smartTag", "sdt", "sdtContent", "customXml",
        "fldSimple", "bdo", "dir",
    )
)  # fmt: skip
_OFF = frozenset({"0", "false", "off"})


def _hidden_flag(rpr) -> bool | None:
    """True/False where run properties set hidden text (``w:vanish``, ``w:specVanish``),
    None where they leave it to the style."""
    if rpr is None:
        return None
    flag = None
    for name in ("vanish", "specVanish"):
        element = rpr.find(f"{_W}{name}")
        if element is not None:
            on = element.get(f"{_W}val", "true").lower() not in _OFF
            flag = on or bool(flag)
    return flag


class _Hidden:
    """Which runs the author hid: direct formatting, then the run's character style, then its
    paragraph's style (each through its ``basedOn`` chain), then the document's defaults."""

    def __init__(self, document) -> None:
        self._styles: dict[str, tuple[bool | None, str | None]] = {}
        self._memo: dict[str, bool | None] = {}
        self.default = False
        self.default_paragraph_style: str | None = None
        try:
            root = document.styles.element
        except Exception:  # a DOCX without a styles part
            return
        defaults = root.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr")
        self.default = bool(_hidden_flag(defaults))
        for style in root.iterfind(f"{_W}style"):
            sid = style.get(f"{_W}styleId")
            if not sid:
                continue
            based = style.find(f"{_W}basedOn")
            self._styles[sid] = (
                _hidden_flag(style.find(f"{_W}rPr")),
                based.get(f"{_W}val") if based is not None else None,
            )
            is_default = style.get(f"{_W}default", "").lower() in ("1", "true", "on")
            if style.get(f"{_W}type") == "paragraph" and is_default:
                self.default_paragraph_style = sid

    def style(self, sid: str | None) -> bool | None:
        """The hidden flag a style sets, through its ``basedOn`` chain (cycles cut)."""
        chain: list[str] = []
        flag = None
        while sid and sid in self._styles and sid not in chain:
            if sid in self._memo:
                flag = self._memo[sid]
                break
            chain.append(sid)
            own, sid = self._styles[sid]
            if own is not None:
                flag = own
                break
        for seen in chain:
            self._memo[seen] = flag
        return flag

    def run(self, r, paragraph_style: str | None) -> bool:
        rpr = r.find(f"{_W}rPr")
        flag = _hidden_flag(rpr)
        if flag is None and rpr is not None:
            rstyle = rpr.find(f"{_W}rStyle")
            if rstyle is not None:
                flag = self.style(rstyle.get(f"{_W}val"))
        if flag is None:
            flag = self.style(paragraph_style or self.default_paragraph_style)
        return self.default if flag is None else flag


def _paragraph_text(p, hidden: _Hidden) -> str:
    """The paragraph's text as Word shows it with changes accepted, without hidden runs
    (each run's text as python-docx gives it: tabs, breaks, no-break hyphens)."""
    pstyle = p.find(f"{_W}pPr/{_W}pStyle")
    paragraph_style = pstyle.get(f"{_W}val") if pstyle is not None else None
    parts: list[str] = []
    stack = [iter(p)]
    while stack:
        element = next(stack[-1], None)
        if element is None:
            stack.pop()
        elif element.tag == _RUN:
            if not hidden.run(element, paragraph_style):
                parts.append(element.text)  # python-docx's CT_R.text
        elif element.tag in _READ_INSIDE:
            stack.append(iter(element))
        # anything else holds no text of the paragraph: properties, bookmarks, deletions
    return "".join(parts)


def _cell_text(cell, hidden: _Hidden) -> str:
    return "\n".join(_paragraph_text(p._p, hidden) for p in cell.paragraphs).strip()


def _deleted_row(row) -> bool:
    properties = row._tr.find(f"{_W}trPr")
    return properties is not None and properties.find(f"{_W}del") is not None


def _check_uncompressed(path: Path, data: bytes) -> None:
    """A zip bomb is refused before anything is inflated: the parts' declared sizes (zipfile
    never inflates a part beyond its declared size) must stay under the limit."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        total = sum(info.file_size for info in archive.infolist())
    limit = limits.UNCOMPRESSED_MB.value()
    if total > limit * 1024 * 1024:
        raise UnreadableFileError(
            path,
            f"the DOCX unpacks to {total / 1024 / 1024:.0f} MB "
            f"(the {limits.UNCOMPRESSED_MB.what} limit is {limit:g} MB)",
            limits.UNCOMPRESSED_MB.advice(),
        )


def read_docx(path: Path, data: bytes | None = None) -> RawDocument:
    import docx
    from docx.table import Table

    data = path.read_bytes() if data is None else data
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UnreadableFileError(
            path, "not a DOCX file (not a zip archive)", "open it in Word and save as .docx"
        )
    _check_uncompressed(path, data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on broken packages
        raise UnreadableFileError(
            path, f"corrupt DOCX ({exc.__class__.__name__})", "open it in Word and save again"
        ) from exc
    hidden = _Hidden(document)
    blocks: list[Block] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            blocks.append(_paragraph_text(block, hidden))
        elif tag == "tbl":
            table = Table(block, document)
            rows: list[list[str]] = []
            for row in table.rows:
                if _deleted_row(row):
                    continue
                cells: list[str] = []
                seen: set[int] = set()
                for cell in row.cells:  # merged cells repeat: keep each once
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    cells.append(_cell_text(cell, hidden))
                rows.append(cells)
            blocks.append(rows)
    text, tables = linearize(blocks)
    if not text.strip() and not tables:
        raise UnreadableFileError(path, "the DOCX holds no text", "check that it is the right file")
    return RawDocument(text=text, tables=tables, source_format="docx")
