"""Word 97–2003 (.doc) and RTF plans: converted to DOCX by LibreOffice headless, then read as
any DOCX (``read_docx``: paragraphs in order, tables as tables).

Chosen over antiword / catdoc (text only: a plan's appendix table would come out as loose
lines) and unrtf (RTF only): one converter for both formats that keeps tables. LibreOffice is
a Debian package (``libreoffice-writer-nogui``; ``make converters``); without it such a file
is skipped with one line saying what to install. Text typed in the legacy Vietnamese fonts
(TCVN3 ``.VnTime``, VNI) comes out of the conversion as Windows-1252 letters and is repaired
like a legacy text file (``encoding.repair_misdecoded``).

The converter reads files written by anyone, so it runs boxed in (docs/security.md):

- **bounded as a whole**: its own session (process group), killed as a group
  (``SIGKILL``) when it overruns ``CCHC_CONVERT_MAX_SECONDS`` and whenever the conversion
  ends, with every process still naming its folder killed too, before the folder is removed;
  its address space is capped at ``CCHC_CONVERT_MAX_MB`` (``prlimit``); it dies with the
  process that started it (``setpriv --pdeathsig``);
- **offline**: in a network namespace of its own with no interface up and in a PID namespace
  that dies with it (``unshare --net --pid --kill-child``) where the kernel allows it
  (detected once); in every case through a dead proxy (``http_proxy`` … a local port bound
  and never listened on) and with a private profile, written before its first start, that
  never updates links, blocks untrusted referers, turns macros off and points LibreOffice's
  own proxy at the same dead port;
- **in its folder**: each file is converted in a private temporary directory (its ``HOME``,
  ``TMPDIR`` and profile); the file's name is never an argument.

Each overrun is one line naming the file, the bound and the variable that raises it.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import resource
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

from indexer import limits
from indexer.errors import UnreadableFileError
from indexer.readers.base import RawDocument
from indexer.readers.docx import _check_uncompressed, read_docx
from indexer.readers.encoding import repair_as, repair_misdecoded

TIMEOUT = limits.CONVERT_SECONDS.default  # seconds for one conversion (tests lengthen it)
SOFFICE_NAMES = ("soffice", "libreoffice")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound-file signature of a .doc
_RTF = b"{\\rtf"
# the import filter is named, so a damaged file fails instead of being read as plain text
FILTERS = {"doc": "MS Word 97", "rtf": "Rich Text Format"}
SOFT_HYPHEN = "\u00ad"
# a failed conversion whose largest process held this share of the memory cap ran into it
_NEAR_MEMORY_CAP = 0.5
_SANDBOXES = (  # tried in order, once per process: the first the kernel allows is used
    ("--net", "--pid", "--fork", "--kill-child"),
    ("--user", "--map-root-user", "--net", "--pid", "--fork", "--kill-child"),
)
_PROXY_VARS = ("http_proxy", "https_proxy", "ftp_proxy", "all_proxy")


def soffice() -> str | None:
    """LibreOffice's command, or None when it is not installed."""
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def time_limit() -> float:
    """Seconds one conversion may take: ``$CCHC_CONVERT_MAX_SECONDS`` when set to a positive
    number, else ``TIMEOUT``."""
    if os.environ.get(limits.CONVERT_SECONDS.env):
        return limits.CONVERT_SECONDS.value()
    return TIMEOUT


def memory_limit_mb() -> float:
    """MB of address space the converter may map: ``$CCHC_CONVERT_MAX_MB`` (2048), never
    more than this process may map itself."""
    limit = limits.CONVERT_MB.value()
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard / 1024 / 1024)
    return limit


@functools.cache
def sandbox() -> tuple[str, ...]:
    """The ``unshare`` prefix that gives the converter no network and a PID namespace that
    dies with it, or ``()`` where the kernel (or a container) does not allow one."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return ()
    for options in _SANDBOXES:
        try:
            probe = subprocess.run(
                [unshare, *options, "--", "true"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            return (unshare, *options, "--")
    return ()


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
        _convert(path, command, work, source, suffix)
        converted = work / "out" / "plan.docx"
        if not converted.is_file():
            raise UnreadableFileError(
                path,
                f"LibreOffice could not convert the .{suffix} (damaged or password-protected?)",
                "open it in Word or LibreOffice and save it as .docx",
            )
        data = converted.read_bytes()
    # the folder is gone and no process of the conversion is left to re-create it
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


def _convert(path: Path, command: str, work: Path, source: Path, suffix: str) -> None:
    """Run LibreOffice on ``source`` into ``work/out``, boxed in; every process it started is
    dead when this returns or raises. UnreadableFileError over the time or memory bound."""
    seconds, megabytes = time_limit(), memory_limit_mb()
    cap = int(megabytes * 1024 * 1024)
    (work / "tmp").mkdir()
    with socket.socket() as dead:  # bound, never listening: every connection is refused
        dead.bind(("127.0.0.1", 0))
        proxy = f"http://127.0.0.1:{dead.getsockname()[1]}"
        _write_profile(work / "profile", dead.getsockname()[1])
        argv, limit_memory = _boxed(cap)
        argv += [
            command,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            f"--infilter={FILTERS[suffix]}",
            "--convert-to",
            "docx",
            "--outdir",
            str(work / "out"),
            str(source),
        ]
        env = {k: v for k, v in os.environ.items() if k.lower() not in (*_PROXY_VARS, "no_proxy")}
        env |= {"HOME": str(work), "TMPDIR": str(work / "tmp"), "no_proxy": "", "NO_PROXY": ""}
        env |= {name: proxy for var in _PROXY_VARS for name in (var, var.upper())}
        process = subprocess.Popen(
            argv,
            cwd=work,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # a process group of its own, killed as one
            preexec_fn=limit_memory,
        )
        try:
            finished, usage = _wait(process, seconds)
        finally:
            _kill_all(process, work)
    if not finished:
        raise UnreadableFileError(
            path,
            f"LibreOffice did not convert the .{suffix} in time "
            f"(the {limits.CONVERT_SECONDS.what} limit is {seconds:g} s) and was stopped",
            "open it in Word or LibreOffice and save it as .docx, or "
            + limits.CONVERT_SECONDS.advice(),
        )
    converted = work / "out" / "plan.docx"
    peak = usage.ru_maxrss * 1024 if usage is not None else 0
    if not converted.is_file() and peak >= _NEAR_MEMORY_CAP * cap:
        raise UnreadableFileError(
            path,
            f"LibreOffice ran out of memory converting the .{suffix} "
            f"(the {limits.CONVERT_MB.what} limit is {megabytes:g} MB) and was stopped",
            "open it in Word or LibreOffice and save it as .docx, or " + limits.CONVERT_MB.advice(),
        )


def _boxed(cap: int) -> tuple[list[str], Callable[[], None] | None]:
    """The command prefix that boxes the converter in, and the ``preexec_fn`` that caps its
    memory where ``prlimit`` is missing (None where the prefix does it)."""
    argv: list[str] = []
    setpriv = shutil.which("setpriv")
    if setpriv is not None:  # killed when the process that started it dies (even by SIGKILL)
        argv += [setpriv, "--pdeathsig", "KILL", "--"]
    argv += sandbox()
    prlimit = shutil.which("prlimit")
    if prlimit is not None:
        return [*argv, prlimit, f"--as={cap}", "--"], None

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    return argv, limit_memory


def _wait(
    process: subprocess.Popen[bytes], seconds: float
) -> tuple[bool, resource.struct_rusage | None]:
    """(True, its resource usage) once ``process`` has exited within ``seconds``, else
    (False, None). The usage covers the descendants it waited for (``soffice.bin``)."""
    deadline = time.monotonic() + seconds
    pause = 0.02
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return True, usage
        if time.monotonic() >= deadline:
            return False, None
        time.sleep(pause)
        pause = min(pause * 1.5, 0.25)


def _kill_all(process: subprocess.Popen[bytes], work: Path) -> None:
    """Kill the conversion's process group, then every process still in its session or
    naming ``work`` (one that left the group) and their descendants, until none is left;
    reap the launcher."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    if process.returncode is None:
        process.wait()
    marker = f"{work}/".encode()  # its arguments name files in it
    for _ in range(200):  # a killed process leaves /proc within milliseconds
        left = leftovers(marker, process.pid)
        if not left:
            return
        for pid in left:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)


def leftovers(marker: bytes, session: int | None = None) -> list[int]:
    """Live processes whose command line holds ``marker`` or that are in ``session``, and
    every descendant of theirs (read in one pass over /proc, before any is killed)."""
    children: dict[int, list[int]] = {}
    found: list[int] = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            with open(f"/proc/{pid}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                cmdline = fh.read()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if fields[0] == b"Z":  # a zombie runs nothing; its parent reaps it
            continue
        parent, sid = int(fields[1]), int(fields[3])
        children.setdefault(parent, []).append(pid)
        if (cmdline and marker in cmdline) or sid == session:
            found.append(pid)
    seen = set(found)
    pending = list(found)
    while pending:
        for child in children.get(pending.pop(), ()):
            if child not in seen:
                seen.add(child)
                pending.append(child)
    return sorted(seen)


def _write_profile(profile: Path, dead_port: int) -> None:
    """A private LibreOffice profile, written before its first start: links never updated,
    untrusted referers blocked, macros off, its own proxy a port that refuses connections."""
    proxy = {"Name": "127.0.0.1", "Port": dead_port}
    settings: dict[str, dict[str, object]] = {
        "org.openoffice.Office.Common/Security/Scripting": {
            "MacroSecurityLevel": 3,  # very high: only macros from trusted places, i.e. none
            "DisableMacrosExecution": True,
            "BlockUntrustedRefererLinks": True,  # no linked image, no remote graphic fetched
        },
        "org.openoffice.Office.Writer/Content/Update": {"Link": 0},  # never (sw: NEVER)
        "org.openoffice.Office.Calc/Content/Update": {"Link": 1},  # never (LM_NEVER)
        "org.openoffice.Inet/Settings": {
            "ooInetProxyType": 2,  # manual: the dead port below, no exceptions
            "ooInetNoProxy": "",
            **{
                f"ooInet{kind}Proxy{key}": v
                for kind in ("HTTP", "HTTPS", "FTP")
                for key, v in proxy.items()
            },
            "ConnectTimeout": 1,
            "ReadTimeout": 1,
        },
    }
    items = []
    for node, props in settings.items():
        for name, value in props.items():
            text = str(value).lower() if isinstance(value, bool) else escape(str(value))
            items.append(
                f'<item oor:path="/{node}"><prop oor:name="{name}" oor:op="fuse">'
                f"<value>{text}</value></prop></item>"
            )
    user = profile / "user"
    user.mkdir(parents=True)
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        + "\n".join(items)
        + "\n</oor:items>\n",
        encoding="utf-8",
    )


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
