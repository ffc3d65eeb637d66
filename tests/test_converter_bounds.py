"""LibreOffice bounded as a whole (indexer/readers/legacy_word.py; review 2026-12-06, N2 and N3).

- N3: a conversion over its time bound is stopped with every process it started
  (``soffice.bin`` used to live on, orphaned, and re-create the deleted temp folder), and so
  is one whose indexer is killed;
- N2: a conversion over its memory bound is stopped in one line naming the bound and its
  variable (a 2 MB RTF of nested groups took 2.1 GB);
- the killing itself (no LibreOffice needed): a process that left the group, and its child.

The hostile files are made here, at test time.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from indexer.errors import UnreadableFileError
from indexer.readers import legacy_word, read_document

REPO = Path(__file__).resolve().parents[1]
LIBREOFFICE_MARKS = (
    pytest.mark.converters,
    pytest.mark.slow,  # LibreOffice runs: seconds each
    pytest.mark.skipif(
        legacy_word.soffice() is None, reason="LibreOffice is not installed (make converters)"
    ),
)


def needs_libreoffice(test):
    for mark in LIBREOFFICE_MARKS:
        test = mark(test)
    return test


def table_rtf(rows: int) -> str:
    """An RTF table of ``rows`` × 60 cells: LibreOffice takes minutes over 1,000 rows."""
    row = (
        r"\trowd"
        + "".join(rf"\cellx{(i + 1) * 100}" for i in range(60))
        + r"\pard\intbl o\cell " * 60
        + r"\row"
        + "\n"
    )
    return r"{\rtf1\ansi{\fonttbl{\f0 Times;}}" + row * rows + r"\pard Het.\par}"


def nested_rtf(levels: int) -> str:
    """An RTF of ``levels`` nested groups: LibreOffice needs about 2.2 KB per level."""
    return (
        r"{\rtf1\ansi{\fonttbl{\f0 Times;}}\pard Mo dau ke hoach.\par "
        + "{" * levels
        + "x"
        + "}" * levels
        + r"\pard Het.\par}"
    )


def naming(folder: Path) -> list[int]:
    """Live processes whose command line names a file in ``folder``, and their descendants
    (the test's own reading of /proc, not the code's under test)."""
    marker = f"{folder}/".encode()
    children: dict[int, list[int]] = {}
    found = []
    for pid in (int(name) for name in os.listdir("/proc") if name.isdigit()):
        state, parent = _stat(pid)
        if state in ("Z", "gone"):
            continue
        children.setdefault(parent, []).append(pid)
        if marker in _cmdline(pid) and pid != os.getpid():
            found.append(pid)
    tree, pending = set(found), list(found)
    while pending:
        for child in children.get(pending.pop(), ()):
            if child not in tree:
                tree.add(child)
                pending.append(child)
    return sorted(tree)


def _stat(pid: int) -> tuple[str, int]:
    """(state, parent) of a process; ("gone", 0) once it has left."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
    except OSError:
        return "gone", 0
    return fields[0].decode(), int(fields[1])


def kill_leftovers(folder: Path) -> None:
    """Stop what the code under test failed to stop (so a failing run leaves nothing)."""
    for pid in naming(folder):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def wait_for(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """The conversions' temporary folders go under ``tmp_path/tmp``, where the test can see
    them and the processes that name them."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    yield temp
    kill_leftovers(temp)


@needs_libreoffice
def test_a_conversion_over_time_is_stopped_with_every_process_and_its_folder(
    scratch, tmp_path, monkeypatch
):
    """N3: ``soffice.bin`` used to outlive the timeout (orphaned, at 3.5 GB and 91 % CPU)
    and re-create the temp folder when it finished."""
    monkeypatch.delenv("CCHC_CONVERT_MAX_SECONDS", raising=False)
    monkeypatch.setattr(legacy_word, "TIMEOUT", 3.0)
    path = tmp_path / "2025-bang-lon.rtf"
    path.write_text(table_rtf(2000), encoding="ascii")  # 3.5 MB: minutes of work
    start = time.monotonic()
    with pytest.raises(UnreadableFileError) as info:
        read_document(path)
    took = time.monotonic() - start
    assert naming(scratch) == [], "a LibreOffice process outlived the conversion"
    assert list(scratch.iterdir()) == [], "the conversion's folder was left behind"
    time.sleep(5)  # an orphan would go on converting, and write its output into the folder
    assert naming(scratch) == [] and list(scratch.iterdir()) == []
    assert took < 60, took  # stopped at the bound, not when LibreOffice finished
    message = str(info.value)
    assert "\n" not in message and path.name in message
    assert "3 s" in message and "CCHC_CONVERT_MAX_SECONDS" in message, message


@needs_libreoffice
def test_a_conversion_dies_with_the_process_that_started_it(scratch, tmp_path):
    """N3: a build killed mid-conversion (kill -9, or a per-file bound that kills the reading
    process) leaves no LibreOffice behind."""
    path = tmp_path / "2025-bang-lon.rtf"
    path.write_text(table_rtf(2000), encoding="ascii")
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from indexer.readers import read_document; "
            "read_document(Path(sys.stdin.readline().strip()))",
        ],
        cwd=REPO,
        env={**os.environ, "TMPDIR": str(scratch)},
        stdin=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdin is not None
        reader.stdin.write(f"{path}\n")  # the path is not in its command line
        reader.stdin.close()
        assert wait_for(
            lambda: any(b"soffice.bin" in _cmdline(pid) for pid in naming(scratch)), 120
        ), "LibreOffice never started"
        reader.kill()
        reader.wait()
        assert wait_for(lambda: naming(scratch) == [], 10), "LibreOffice outlived its indexer"
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.wait()


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read()
    except OSError:
        return b""


@needs_libreoffice
def test_a_conversion_over_the_memory_bound_is_one_line_naming_its_variable(tmp_path, monkeypatch):
    """N2: 1,000,000 nested RTF groups (a 2 MB file) took LibreOffice 2.1 GB; under a 1 GB
    bound the conversion stops at the bound."""
    monkeypatch.setenv("CCHC_CONVERT_MAX_MB", "1024")
    path = tmp_path / "2025-long-nhau.rtf"
    path.write_text(nested_rtf(1_000_000), encoding="ascii")
    with pytest.raises(UnreadableFileError) as info:
        read_document(path)
    message = str(info.value)
    assert "\n" not in message and path.name in message
    assert "memory" in message and "1024 MB" in message and "CCHC_CONVERT_MAX_MB" in message


def test_every_process_of_a_conversion_is_killed_even_one_that_left_its_group(tmp_path):
    """The kill does not rely on the process group alone: a process that started a session
    of its own but still names the conversion's folder dies, and so does its child."""
    work = tmp_path / "cchc-convert-x"
    work.mkdir()
    escape = (
        "import os, subprocess, sys, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()  # out of the group and the session\n"
        "    os.execvp('sh', ['sh', '-c', 'sleep 300 & wait', sys.argv[1]])\n"
        "time.sleep(300)\n"
    )
    launcher = subprocess.Popen(
        [sys.executable, "-c", escape, f"{work}/plan.doc"], start_new_session=True
    )
    try:
        assert wait_for(lambda: len(naming(work)) >= 3, 30), naming(work)  # python, sh, sleep
        tree = naming(work)
        escaped = [pid for pid in tree if os.getsid(pid) != launcher.pid]
        assert escaped, "the test's process did not leave the session"
        legacy_word._kill_all(launcher, work)
        assert launcher.returncode is not None
        assert naming(work) == []
        for pid in tree:
            assert _stat(pid)[0] in ("Z", "gone"), pid
    finally:
        kill_leftovers(work)
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait()
