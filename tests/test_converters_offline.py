"""The converter reaches no network and no file outside its folder (review 2026-12-06, N5).

A Word 97 ``.doc`` whose picture is linked made the indexer's LibreOffice send ``OPTIONS``,
``HEAD`` and ``GET`` to a URL of the author's choice. Here a listener on 127.0.0.1 records
every connection, and documents whose conversion would reach it, or read a local file
outside the conversion's folder, are read through the product's readers:

- a ``.doc`` with a linked picture (``INCLUDEPICTURE "http://…" \\d``), made by LibreOffice
  from a flat ODT as in the review;
- an RTF, and the ``.doc`` LibreOffice makes of it, with fields pointing at the listener and
  at a canary file outside the folder: ``INCLUDETEXT`` (imported as a linked section),
  ``INCLUDEPICTURE`` with and without ``\\d``, ``IMPORT``, an OLE link (``LINK``) and a DDE
  link (``DDEAUTO``).

The canary's text is written after the documents are made, so only a conversion that reads
the file could bring it into the index; the listener starts listening after they are made,
so making them reaches nothing. Each document is read twice: boxed in as the product runs
LibreOffice where the kernel allows it (no network at all), and with that box taken away (a
dead proxy and the private profile alone).
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from pathlib import Path

import pytest

from indexer.parse import parse_file
from indexer.readers import legacy_word
from tests.commands import libreoffice_convert

pytestmark = [
    pytest.mark.converters,
    pytest.mark.slow,  # LibreOffice converts: seconds each
    pytest.mark.usefixtures("patient_converters"),
    pytest.mark.skipif(
        legacy_word.soffice() is None, reason="LibreOffice is not installed (make converters)"
    ),
]

CANARY = "CHIM-HOANG-YEN-7Q41"  # the canary file's text: never in an index
VISIBLE = {"anh": "Kế hoạch cải cách hành chính", "truong": "Mo dau ke hoach"}


class Listener:
    """A threaded TCP server on 127.0.0.1 that records every connection (its first line) and
    answers 404. Bound at once, so its port is known; listening only after ``start``."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.heard: list[str] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.sock.listen(16)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:  # closed
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                first = conn.recv(4096).split(b"\r\n", 1)[0].decode("latin-1")
            except OSError:
                first = "(nothing sent)"
            with self._lock:
                self.heard.append(first or "(nothing sent)")
            with contextlib.suppress(OSError):
                conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")

    def close(self) -> None:
        self.sock.close()


FODT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:xlink="http://www.w3.org/1999/xlink"
 xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" office:version="1.2"
 office:mimetype="application/vnd.oasis.opendocument.text"><office:body><office:text>
<text:p>Kế hoạch cải cách hành chính năm 2025.</text:p>
<text:p><draw:frame svg:width="1cm" svg:height="1cm"><draw:image xlink:href="{url}/docimage.png"
 xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/></draw:frame></text:p>
<text:p>Hết.</text:p></office:text></office:body></office:document>
"""


def fields_rtf(url: str, canary: Path) -> str:
    def field(instruction: str) -> str:
        return r"\pard{\field{\*\fldinst " + instruction + r"}{\fldrslt ket qua cu}}\par "

    local = str(canary).replace("\\", "\\\\")
    return (
        r"{\rtf1\ansi{\fonttbl{\f0 Times;}}\pard Mo dau ke hoach.\par "
        + field(f'INCLUDETEXT "{local}"')
        + field(f'INCLUDETEXT "{canary.as_uri()}"')
        + field(f'INCLUDETEXT "{url}/inc.txt"')
        + field(f'INCLUDEPICTURE "{url}/pic.png" \\\\d')
        + field(f'INCLUDEPICTURE "{url}/pic2.png"')
        + field(f'IMPORT "{url}/imp.png"')
        + field(f'LINK Word.Document.8 "{local}" "" \\\\a \\\\t')
        + field(f'DDEAUTO Word.Document.8 "{local}" ""')
        + r"\pard Het.\par}"
    )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    work = tmp_path_factory.mktemp("offline")
    listener = Listener()  # bound but not listening: making the documents reaches nothing
    canary = work / "ngoai" / "bi-mat.txt"  # outside every conversion's folder
    canary.parent.mkdir()
    canary.write_text("noi dung cu\n", encoding="utf-8")
    fodt = work / "2025-anh-lien-ket.fodt"
    fodt.write_text(FODT.replace("{url}", listener.url), encoding="utf-8")
    rtf = work / "2025-truong-lien-ket.rtf"
    rtf.write_text(fields_rtf(listener.url, canary), encoding="ascii")
    docs = {
        "anh.doc": libreoffice_convert(fodt, "doc", work / "doc"),
        "truong.rtf": rtf,
        "truong.doc": libreoffice_convert(rtf, "doc", work / "doc"),
    }
    # what the documents point at, as made: the link survives in the .doc
    for name, code in (("anh.doc", "INCLUDEPICTURE"), ("truong.doc", "INCLUDETEXT")):
        made = docs[name].read_bytes()
        assert code.encode() in made or code.encode("utf-16-le") in made, (name, code)
    canary.write_text(CANARY + "\n", encoding="utf-8")  # only a conversion that reads it sees it
    listener.start()
    yield listener, docs
    listener.close()


def read_all(docs: dict[str, Path]) -> dict[str, str]:
    """Each document parsed as the build parses it: every paragraph (tables' rows included)."""
    return {
        name: "\n".join(p.text for p in parse_file(path, path.parent).paragraphs)
        for name, path in docs.items()
    }


def check_offline(listener: Listener, texts: dict[str, str]) -> None:
    assert listener.heard == [], f"the converter reached the listener: {listener.heard}"
    for name, text in texts.items():
        assert CANARY not in text, f"{name}: the canary file outside the folder was read"
        assert VISIBLE[name.split(".")[0]] in text, f"{name}: the document's own text is lost"


def test_the_converter_reaches_no_listener_and_no_outside_file(hostile):
    listener, docs = hostile
    listener.heard.clear()
    check_offline(listener, read_all(docs))


def test_without_a_network_namespace_the_dead_proxy_and_the_profile_hold(hostile, monkeypatch):
    """Where the kernel allows no namespace (a container without the right), the converter
    still reaches nothing: its proxy is a port that refuses connections, its profile never
    updates links."""
    listener, docs = hostile
    monkeypatch.setattr(legacy_word, "sandbox", lambda: ())
    listener.heard.clear()
    check_offline(listener, read_all(docs))


def test_the_converter_has_no_network_where_the_kernel_allows_it():
    box = legacy_word.sandbox()
    if os.geteuid() != 0 and not box:
        pytest.skip("this kernel or container allows no network namespace to this user")
    assert "--net" in box and "--pid" in box and "--kill-child" in box, box


def test_the_listener_hears_a_connection():
    """The check above is not vacuous: the listener records what reaches it."""
    listener = Listener()
    listener.start()
    try:
        with socket.create_connection(("127.0.0.1", listener.port), timeout=5) as conn:
            conn.sendall(b"GET /x HTTP/1.1\r\n\r\n")
            conn.recv(100)
        assert listener.heard == ["GET /x HTTP/1.1"]
    finally:
        listener.close()
