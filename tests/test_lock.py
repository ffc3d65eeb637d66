"""The lock files (issue 31, item 4): ``make install`` installs from
``requirements/py3.X.txt`` with ``--require-hashes``, so every pin carries a hash; 3.11's lock
holds the extras ``make test`` needs (torch as the local CPU wheel, 2.13.0+cpu), 3.12's and
3.13's only the dev extra (no torch); ``requirements/service.txt`` is the base set a
deployment installs. Each lock pins every requirement pyproject.toml declares for it, within
its floors (the floors stay for users who install cchc-search as a library)."""

from __future__ import annotations

import re
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.conftest import REPO

PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
LOCKS = {
    "py3.11.txt": ("dev", "bench", "cluster", "models"),
    "py3.12.txt": ("dev",),
    "py3.13.txt": ("dev",),
    "service.txt": (),
}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def pins(name: str) -> dict[str, tuple[Version, int]]:
    """package → (version, hashes) of one lock file."""
    out: dict[str, tuple[Version, int]] = {}
    current = None
    for line in (REPO / "requirements" / name).read_text(encoding="utf-8").splitlines():
        m = PIN.match(line)
        if m:
            current = canonicalize_name(m.group(1))
            out[current] = (Version(m.group(2).rstrip("\\").strip()), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, n = out[current]
            out[current] = (version, n + 1)
    return out


@pytest.mark.parametrize("name", sorted(LOCKS))
def test_every_pin_has_a_hash_and_meets_the_declared_floors(name):
    locked = pins(name)
    assert len(locked) > 40
    assert all(n > 0 for _, n in locked.values()), [p for p, (_, n) in locked.items() if not n]
    wanted = list(PROJECT["dependencies"])
    for extra in LOCKS[name]:
        wanted += PROJECT["optional-dependencies"][extra]
    for text in wanted:
        req = Requirement(text)
        key = canonicalize_name(req.name)
        assert key in locked, (name, key)
        version = locked[key][0]
        assert req.specifier.contains(version, prereleases=True) or (
            version.local and req.specifier.contains(version.public)
        ), (name, key, version, str(req.specifier))


def test_torch_is_locked_only_for_311_as_the_local_cpu_wheel():
    torch = pins("py3.11.txt")["torch"]
    assert str(torch[0]) == "2.13.0+cpu" and torch[1] == 1  # the one file on this disk
    for name in ("py3.12.txt", "py3.13.txt", "service.txt"):
        assert not {"torch", "sentence-transformers", "transformers"} & set(pins(name)), name


def test_make_install_uses_the_lock_with_hashes():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "pip install --quiet --require-hashes -r $(LOCK)" in makefile
    assert "pip install --quiet --no-deps -e ." in makefile
    assert "LOCK    ?= requirements/py$(PYVER).txt" in makefile
    assert re.search(r"^lock:", makefile, re.M)
