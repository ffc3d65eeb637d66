"""Which files of a corpus folder are plans, and which entries are refused (and why).

The corpus is untrusted: nothing outside its root is read. A symbolic link whose target lies
outside the root is refused unless the build is told to follow links (``follow_links``); a
link inside the root is read as its target (a folder link is not descended, so no file is
found twice). Broken links, FIFOs, sockets and devices, and names that are not valid UTF-8
are refused. Each refusal is one line: what, where, what to do. Hidden entries (".git"),
sidecars (``*.meta.json``) and files of other formats are passed over silently.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

SIDECAR_SUFFIX = ".meta.json"


@dataclass(slots=True)
class Scan:
    files: list[Path] = field(default_factory=list)  # plans to read, sorted
    refused: list[tuple[str, str]] = field(default_factory=list)  # (relative path, line)


def scan(corpus: Path, suffixes: set[str], follow_links: bool = False) -> Scan:
    """The plan files under ``corpus`` (recursive, sorted) and the refused entries."""
    root = Path(corpus)
    real_root = root.resolve()
    out = Scan()
    seen_dirs: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=follow_links):
        here = Path(dirpath)
        real_here = os.path.realpath(dirpath)
        if real_here in seen_dirs:  # a link cycle, or a folder reached twice through links
            dirnames[:] = []
            continue
        seen_dirs.add(real_here)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for d in list(dirnames):
            entry = here / d
            if entry.is_symlink() and not follow_links:
                dirnames.remove(d)
                if not _inside(entry.resolve(), real_root):
                    out.refused.append(_line(entry, root, _OUTSIDE_DIR))
        for name in sorted(filenames):
            if name.startswith(".") or name.endswith(SIDECAR_SUFFIX):
                continue
            path = here / name
            if Path(name).suffix.lower() not in suffixes:
                continue
            problem = _problem(path, real_root, follow_links)
            if problem:
                out.refused.append(_line(path, root, problem))
            else:
                out.files.append(path)
    out.files.sort()
    return out


_OUTSIDE_DIR = (
    "a link to a folder outside the corpus: refused",
    "copy the files into the corpus, or build with --follow-links to allow it",
)


def _problem(path: Path, real_root: Path, follow_links: bool) -> tuple[str, str] | None:
    try:
        path.name.encode("utf-8")
    except UnicodeEncodeError:
        return ("the file name is not valid UTF-8", "rename the file")
    try:
        target = path.resolve(strict=True)
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return ("a broken link: its target does not exist", "fix or remove the link")
    except RuntimeError:
        return ("a link loop", "fix or remove the link")
    except OSError as exc:
        return (f"cannot be read ({exc.strerror or exc})", "check the file and its name")
    if path.is_symlink() and not follow_links and not _inside(target, real_root):
        return (
            "a link to a file outside the corpus: refused",
            "copy the file into the corpus, or build with --follow-links to allow it",
        )
    if not stat.S_ISREG(mode):
        kind = "a FIFO" if stat.S_ISFIFO(mode) else "a device or socket"
        return (f"{kind}, not a regular file", "put the plan's file itself here")
    return None


def _inside(target: Path, real_root: Path) -> bool:
    return target == real_root or real_root in target.parents


def _line(path: Path, root: Path, problem: tuple[str, str]) -> tuple[str, str]:
    rel = path.relative_to(root).as_posix()
    shown = rel.encode("utf-8", "backslashreplace").decode("utf-8")
    reason, advice = problem
    return rel, f"{shown}: {reason} — {advice}"
