"""Typed records that flow from the indexer to the service.

These are plain dataclasses: the core passes them around, the API turns them into
pydantic schemas at its edge, and the catalog stores them in SQLite.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(slots=True)
class DocumentMeta:
    """What a plan says about itself (or what its sidecar file overrides)."""

    unit: str | None = None  # "Ban Quản lý Khu kinh tế và Khu công nghiệp"
    province: str | None = None  # "Khánh Hòa"
    year: int | None = None  # 2025
    kind: str | None = None  # "Kế hoạch"
    title: str | None = None  # "Tuyên truyền cải cách hành chính năm 2025"
    number: str | None = None  # "12/KH-KKTKCN" where given
    date: str | None = None  # ISO "2025-08-12" where given
    legal_bases: list[str] = field(default_factory=list)  # opening "Căn cứ…"/"Thực hiện…" lines
    signer: str | None = None  # "Lê Hồng Phương"
    signer_title: str | None = None  # "KT. TRƯỞNG BAN / PHÓ TRƯỞNG BAN"
    unit_short: str | None = None  # "UBND tỉnh Bắc Ninh": for lists and filters
    place: str | None = None  # "Bắc Ninh": the place line of the header
    period: str | None = None  # "2026–2030" when the title names a period
    issued_as: str | None = None  # "Quyết định" for a plan issued by a decision (its number)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(slots=True)
class Reading:
    """How a file's text was obtained: staff see it in the build summary, ``GET /documents``
    and the plan view (OCR text may hold misread letters)."""

    method: str = "text"  # "text" | "ocr" (some pages read by OCR) | "converted" (.doc/.rtf)
    source_format: str = "txt"  # "pdf", "pdf+ocr", "docx", "doc", "rtf", "md", "html", "txt"
    pages: int | None = None  # a PDF's pages
    ocr_pages: list[int] = field(default_factory=list)  # 1-based pages read by OCR
    ocr_confidence: float | None = None  # Tesseract's mean word confidence there, 0–100

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> Reading:
        known = {k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def describe(self) -> str:
        """In words, for the build's output: "OCR (2 of 5 pages, confidence 91%)"."""
        if self.method == "ocr":
            pages = f"{len(self.ocr_pages)} of {self.pages} pages" if self.pages else "pages"
            conf = f", confidence {self.ocr_confidence:.0f}%" if self.ocr_confidence else ""
            return f"OCR ({pages}{conf})"
        if self.method == "converted":
            return f"converted from .{self.source_format} by LibreOffice"
        return "text"


@dataclass(slots=True)
class Paragraph:
    """The unit of retrieval: one coherent item of a plan."""

    id: str  # stable: f"{doc_id}:{ordinal:04d}", unchanged while the file is unchanged
    doc_id: str
    ordinal: int  # 0-based position in the document
    section: list[str]  # heading path, outermost first: ["II. NỘI DUNG…", "3. Các mục tiêu…"]
    kind: str  # "heading" | "item" | "text" | "task"
    text: str

    @property
    def section_path(self) -> str:
        """The heading path as one line: "II. NỘI DUNG… › 3. Các mục tiêu…"."""
        return " › ".join(self.section)


@dataclass(slots=True)
class TaskRow:
    """One row of a task table (the appendix "PHỤ LỤC" or a table anywhere in the document)."""

    number: int
    task: str
    products: str
    timeline: str
    responsible: str  # the body in charge (cơ quan chủ trì / thực hiện)
    partners: str = ""  # cơ quan phối hợp, where the table has the column
    budget: str = ""  # kinh phí, where the table has the column
    group: str = ""  # the group row above it ("I. Tuyên truyền …"), carried down
    # read from the cells above (``indexer.structure.document.read_tasks``):
    lead: str = ""  # the body that leads, of ``responsible`` ("Văn phòng"; assignment.lead_of)
    due_start: str | None = None  # ISO date the time cell's period starts (parse_deadline)
    due_end: str | None = None  # ISO date it ends ("by": only an end); None where unknown
    recurring: str | None = None  # "thường xuyên", "hằng năm", … for work that repeats
    paragraph_id: str | None = None  # the row's "task" paragraph (its first piece)
    # "task": a row of a plan's task table; "procedure": a row of a procedure list (danh mục
    # thủ tục hành chính: the name, who performs it), whose paragraph is the table's passage
    kind: str = "task"


@dataclass(slots=True)
class Document:
    doc_id: str  # file stem, e.g. "2025-ban-quan-ly-kkt-kcn-khanh-hoa"
    path: str  # path relative to the corpus root
    sha256: str  # of the file's bytes
    meta: DocumentMeta
    paragraphs: list[Paragraph]
    tasks: list[TaskRow] = field(default_factory=list)
    reading: Reading = field(default_factory=Reading)

    def to_dict(self) -> dict:
        return {
            "doc_id": self.doc_id,
            "path": self.path,
            "sha256": self.sha256,
            **self.meta.to_dict(),
            "paragraphs": [
                {
                    "id": p.id,
                    "ordinal": p.ordinal,
                    "section": p.section,  # the heading path, outermost first
                    "section_path": p.section_path,  # the same, joined with " › "
                    "kind": p.kind,
                    "text": p.text,
                }
                for p in self.paragraphs
            ],
            "tasks": [asdict(t) for t in self.tasks],
            "reading": self.reading.to_dict(),
        }


@dataclass(slots=True)
class Reference:
    """One mention of a legal document found in a text."""

    key: str  # canonical id, e.g. "09-NQ/TW" or "LUAT:thuc hien dan chu o co so" (see references)
    kind: str  # "Nghị quyết", "Quyết định", "Luật", …
    number: str | None  # "09-NQ/TW", "118/2025/NĐ-CP"; None for a law cited by name
    date: str | None  # ISO date where stated
    issuer: str | None  # "Bộ Chính trị" where stated
    title: str | None  # the law's name for laws cited by name
    start: int  # character span in the text it was found in
    end: int
    raw: str  # the text as written


def document_record(doc: Document) -> dict:
    """Every field of a document as plain JSON data (``document_from_record`` reads it back);
    what a build keeps of a parsed file between runs (``indexer.store.staging``)."""
    return asdict(doc)


def document_from_record(data: dict) -> Document:
    """The ``Document`` a ``document_record`` holds."""
    return Document(
        doc_id=data["doc_id"],
        path=data["path"],
        sha256=data["sha256"],
        meta=DocumentMeta(**data["meta"]),
        paragraphs=[Paragraph(**p) for p in data["paragraphs"]],
        tasks=[TaskRow(**t) for t in data.get("tasks", [])],
        reading=Reading.from_dict(data.get("reading")),
    )
