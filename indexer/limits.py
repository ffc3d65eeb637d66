"""What one input file may cost the indexer: each limit a setting (environment variable), and
every refusal names the limit and the variable that raises it.

    CCHC_MAX_FILE_MB          50     size of a file on disk
    CCHC_MAX_UNCOMPRESSED_MB  200    total uncompressed size of a DOCX's parts (zip bombs)
    CCHC_MAX_PARAGRAPHS       20000  paragraphs of one document (the largest of the 124 real
                                     documents of corpus-real has 547)
    CCHC_CONVERT_MAX_SECONDS  120    seconds LibreOffice may take to convert one .doc/.rtf
    CCHC_CONVERT_MAX_MB       2048   address space of LibreOffice converting one .doc/.rtf
                                     (the real plan's .doc and .rtf map about 450 MB)
    CCHC_MAX_HTML_DEPTH       4096   nesting of a web page's elements (a page of 800 tables
                                     each in the other's cell is 2,400 deep)
    CCHC_MAX_HTML_NODES       400000 elements of a web page (a 20,000-row table of 10 columns
                                     holds 220,000)
    CCHC_FILE_SECONDS         900    seconds to read one file, OCR and conversion included (a
                                     100-page scan takes about 2–4 minutes here)
    CCHC_FILE_MEMORY_MB       4096   memory (address space) of the process reading one file,
                                     and of each converter it starts
    CCHC_OCR_PAGE_SECONDS     180    seconds of Tesseract for one scanned page
    CCHC_OCR_FILE_SECONDS     600    seconds of OCR for one file's scanned pages
    CCHC_MAX_PARAGRAPH_CHARS  4000   characters of one paragraph: a longer one is split (the
                                     longest real paragraph is a 30,000-character table row)
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limit:
    env: str
    default: float
    what: str

    def value(self) -> float:
        """$ENV if it is a positive number, else the default."""
        try:
            value = float(os.environ.get(self.env, ""))
        except ValueError:
            return self.default
        return value if value > 0 else self.default

    def advice(self) -> str:
        return f"raise the limit with {self.env}={self.value() * 2:g} if the file is genuine"


FILE_MB = Limit("CCHC_MAX_FILE_MB", 50.0, "file size in MB")
UNCOMPRESSED_MB = Limit("CCHC_MAX_UNCOMPRESSED_MB", 200.0, "uncompressed size in MB")
PARAGRAPHS = Limit("CCHC_MAX_PARAGRAPHS", 20000, "paragraphs per document")
CONVERT_SECONDS = Limit("CCHC_CONVERT_MAX_SECONDS", 120.0, "conversion time")
CONVERT_MB = Limit("CCHC_CONVERT_MAX_MB", 2048.0, "converter memory")
HTML_DEPTH = Limit("CCHC_MAX_HTML_DEPTH", 4096, "element nesting")
HTML_NODES = Limit("CCHC_MAX_HTML_NODES", 400_000, "elements per page")
FILE_SECONDS = Limit("CCHC_FILE_SECONDS", 900.0, "seconds to read one file")
FILE_MEMORY_MB = Limit("CCHC_FILE_MEMORY_MB", 4096.0, "memory in MB to read one file")
OCR_PAGE_SECONDS = Limit("CCHC_OCR_PAGE_SECONDS", 180.0, "seconds of OCR per page")
OCR_FILE_SECONDS = Limit("CCHC_OCR_FILE_SECONDS", 600.0, "seconds of OCR per file")
PARAGRAPH_CHARS = Limit("CCHC_MAX_PARAGRAPH_CHARS", 4000, "characters per paragraph")
ALL = (
    FILE_MB,
    UNCOMPRESSED_MB,
    PARAGRAPHS,
    CONVERT_SECONDS,
    CONVERT_MB,
    HTML_DEPTH,
    HTML_NODES,
    FILE_SECONDS,
    FILE_MEMORY_MB,
    OCR_PAGE_SECONDS,
    OCR_FILE_SECONDS,
    PARAGRAPH_CHARS,
)
