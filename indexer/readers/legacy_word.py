"""Word 97–2003 (.doc) and RTF plans: converted to DOCX by LibreOffice headless, then read as
any DOCX (``read_docx``: paragraphs in order, tables as tables).

Chosen over antiword / catdoc (text only: a plan's appendix table would come out as loose
lines) and unrtf (RTF only): one converter for both formats that keeps tables. Each file is
converted in a private temporary directory with its own LibreOffice profile (concurrent
builds do not share one), within ``TIMEOUT`` seconds; macros are never run by a headless
conversion. LibreOffice is a Debian package (``libreoffice-writer-nogui``; ``make
converters``); without it such a file is skipped with one line saying what to install.
Text typed in the legacy Vietnamese fonts (TCVN3 ``.VnTime``, VNI) comes out of the
conversion as Windows-1252 letters and is repaired like a legacy text file
(``encoding.repair_misdecoded``).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from indexer.errors import UnreadableFileError
from indexer.readers.base import RawDocument
from indexer.readers.docx import _check_uncompressed, read_docx
from indexer.readers.encoding import repair_as, repair_misdecoded

TIMEOUT = 120.0  # seconds for one conversion
SOFFICE_NAMES = ("soffice", "libreoffice")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound-file signature of a .doc
_RTF = b"{\\rtf"
# the import filter is named, so a damaged file fails instead of being read as plain text
FILTERS = {"doc": "MS Word 97", "rtf": "Rich Text Format"}
SOFT_HYPHEN = "\u00ad"


def soffice() -> str | None:
    """LibreOffice's command, or None when it is not installed."""
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def read_doc(path: Path, data: bytes | None = None) -> RawDocument:
    data = path.read_bytes() if data is None else data
    if not data.startswith(_OLE):
        raise UnreadableFileError(
            path, "not a Word 97–2003 document", "open it in Word and save it as .docx"
        )
    return _converted(path, data, "doc")


def read_rtf(path: Path, data: bytes | None = None) -> RawDocument:
    data = path.read_bytes() if data is None else data
    if not data.lstrip().startswith(_RTF):
        raise UnreadableFileError(path, "not an RTF document", "open it and save it as .docx")
    return _converted(path, data, "rtf")


def _converted(path: Path, data: bytes, suffix: str) -> RawDocument:
    """``data`` (a .doc or .rtf) converted to DOCX by LibreOffice and read as DOCX."""
    command = soffice()
    if command is None:
        raise UnreadableFileError(
            path,
            f"reading .{suffix} needs LibreOffice, which is not installed",
            "install it (make converters, or apt-get install libreoffice-writer-nogui) "
            "or save the file as .docx",
        )
    with tempfile.TemporaryDirectory(prefix="cchc-convert-") as tmp:
        work = Path(tmp)
        source = work / f"plan.{suffix}"  # our own name: the file's name is never an argument
        source.write_bytes(data)
        profile = (work / "profile").as_uri()
        try:
            subprocess.run(
                [
                    command,
                    f"-env:UserInstallation={profile}",
                    "--headless",
                    "--norestore",
                    "--nologo",
                    f"--infilter={FILTERS[suffix]}",
                    "--convert-to",
                    "docx",
                    "--outdir",
                    str(work / "out"),
                    str(source),
                ],
                cwd=work,
                env={**os.environ, "HOME": str(work)},
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise UnreadableFileError(
                path,
                f"LibreOffice did not convert the .{suffix} within {TIMEOUT:g} s",
                "open it in Word or LibreOffice and save it as .docx",
            ) from None
        converted = work / "out" / "plan.docx"
        if not converted.is_file():
            raise UnreadableFileError(
                path,
                f"LibreOffice could not convert the .{suffix} (damaged or password-protected?)",
                "open it in Word or LibreOffice and save it as .docx",
            )
        data = converted.read_bytes()
        _check_uncompressed(path, data)  # bounded before any part is inflated
        raw = read_docx(path, _soft_hyphens_as_text(data))
    raw.source_format = suffix
    # old .doc/.rtf files typed in TCVN3 or VNI fonts (.VnTime, VNI-Times) hold those bytes as
    # Windows-1252 letters ("KÕ ho¹ch"): repaired as the text readers repair them
    raw.text, legacy = repair_misdecoded(raw.text)
    if legacy is not None:
        raw.tables = [[[repair_as(c, legacy) for c in row] for row in t] for t in raw.tables]
    else:  # a Unicode document: a soft hyphen is only a line-breaking hint
        raw.text = raw.text.replace(SOFT_HYPHEN, "")
        raw.tables = [[[c.replace(SOFT_HYPHEN, "") for c in row] for row in t] for t in raw.tables]
    return raw


def _soft_hyphens_as_text(docx: bytes) -> bytes:
    """The DOCX with each soft hyphen (``<w:softHyphen/>``) kept as the character U+00AD.

    TCVN3 puts "ư" at byte 0xAD, which Windows-1252 shows as a soft hyphen: LibreOffice turns
    it into a hyphenation mark that a DOCX reader skips, so "trường" would read "trờng". Kept
    as a character, the legacy repair turns it back into "ư"."""
    mark = b"<w:softHyphen/>"
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        body = archive.read("word/document.xml")
        if mark not in body:
            return docx
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as patched:
            for info in archive.infolist():
                data = archive.read(info.filename)
                if info.filename == "word/document.xml":
                    data = data.replace(mark, '<w:t xml:space="preserve">\u00ad</w:t>'.encode())
                patched.writestr(info, data)
    return out.getvalue()
