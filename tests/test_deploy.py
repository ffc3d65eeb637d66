"""deploy/: the systemd units, their environment file and the container recipe (issue 31,
item 6).

The units are parsed as systemd reads them (configparser, strict=False: systemd allows
repeated keys): ExecStart runs the console command with options ``serve`` accepts, the
service restarts on failure, runs as its own user, reads an environment file whose every
setting is one the service knows. No Docker engine runs here, so the Containerfile is not
built: its instructions are checked instead (base image, the lock file with hashes, no torch,
a user that is not root, the port, the health check, the command), and the two pip steps it
runs are run for real in a new virtual environment (slow).
"""

from __future__ import annotations

import configparser
import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from service.console import app as cchc
from service.settings import Settings
from tests.conftest import REPO

DEPLOY = REPO / "deploy"
UNITS = ["cchc-search.service", "cchc-search@.service"]


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    parser.read(DEPLOY / name, encoding="utf-8")
    return parser


def serve_options() -> set[str]:
    command = typer.main.get_command(cchc).commands["serve"]  # type: ignore[attr-defined]
    return {opt for p in command.params for opt in p.opts}


def env_names(text: str) -> set[str]:
    return {
        line.split("=", 1)[0].strip()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    }


SETTINGS_ENV = {f"CCHC_{name.upper()}" for name in Settings.model_fields}


@pytest.mark.parametrize("name", UNITS)
def test_systemd_unit_runs_the_console_command(name):
    u = unit(name)
    assert set(u.sections()) == {"Unit", "Service", "Install"}
    service = u["Service"]
    argv = shlex.split(service["ExecStart"])
    assert argv[0].startswith("/") and Path(argv[0]).name == "cchc"
    assert argv[1] == "serve"
    options = serve_options()
    assert all(a in options for a in argv[2:] if a.startswith("--")), argv
    assert service["Restart"] in ("on-failure", "always")
    assert service["User"] and service["User"] != "root"
    assert service["EnvironmentFile"].startswith("/etc/")
    assert service.get("Type") == "exec"
    assert u["Install"]["WantedBy"] == "multi-user.target"
    # the index directory stays writable for SQLite's WAL shared memory (see the unit)
    index_dir = env_names_values()["CCHC_INDEX_DIR"]
    if "ReadWritePaths" in service:
        assert index_dir.startswith(service["ReadWritePaths"].rstrip("/") + "/")
    for line in service.get("Environment", "").split():
        assert line.split("=", 1)[0] in SETTINGS_ENV


def env_names_values() -> dict[str, str]:
    text = (DEPLOY / "cchc-search.env").read_text(encoding="utf-8")
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line)
    return {k.strip(): v.strip() for k, v in pairs if not k.lstrip().startswith("#")}


def test_environment_file_holds_only_settings_the_service_knows(monkeypatch):
    values = env_names_values()
    assert set(values) <= SETTINGS_ENV, set(values) - SETTINGS_ENV
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("CCHC_TOKEN_FILE")  # the file itself exists only on the server
    settings = Settings()  # every value parses as its setting
    assert settings.log_format == "json" and settings.allowed_hosts == ["search.example.org"]


def instructions() -> list[tuple[str, str]]:
    """The Containerfile's instructions, continuation lines joined, comments dropped."""
    out: list[tuple[str, str]] = []
    pending = ""
    for raw in (DEPLOY / "Containerfile").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        pending += " " + line.rstrip("\\").strip()
        if line.endswith("\\"):
            continue
        keyword, _, rest = pending.strip().partition(" ")
        out.append((keyword.upper(), rest.strip()))
        pending = ""
    return out


def test_containerfile_installs_the_locked_base_set_and_serves():
    steps = instructions()
    keywords = [k for k, _ in steps]
    assert keywords[0] == "FROM" and "python:3.11" in steps[0][1]
    text = " ".join(rest for _, rest in steps)
    assert "--require-hashes -r requirements/service.txt" in text
    assert "--no-deps ." in text
    assert "torch" not in text and "[models]" not in text
    for keyword, rest in steps:
        if keyword == "COPY":
            *sources, _dest = rest.split()
            for source in sources:
                assert (REPO / source).exists(), source
    users = [rest for k, rest in steps if k == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert ("EXPOSE", "8000") in steps
    health = next(rest for k, rest in steps if k == "HEALTHCHECK")
    assert "/health" in health
    cmd = json.loads(next(rest for k, rest in steps if k == "CMD"))
    assert cmd == ["cchc", "serve"]
    env = next(rest for k, rest in steps if k == "ENV")
    assert "CCHC_HOST=0.0.0.0" in env and "CCHC_INDEX_DIR=/data/index" in env
    assert keywords.index("USER") > max(i for i, k in enumerate(keywords) if k == "RUN")


def test_operations_doc_covers_the_deployment():
    doc = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")
    for needle in (
        "deploy/cchc-search.service",
        "deploy/Containerfile",
        "security.md",
        "/metrics",
        "cchc backup",
        "cchc restore",
        "--workers",
        "format 1",
    ):
        assert needle in doc, needle


@pytest.mark.slow
def test_the_containerfile_pip_steps_install_a_working_service(tmp_path):
    """What the image's two RUN pip steps do, in a new virtual environment here: the locked
    base set with hashes, then the project without dependencies; no torch, cchc runs."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    lock = REPO / "requirements" / "service.txt"
    got = subprocess.run(
        [*pip, "--require-hashes", "-r", str(lock)], capture_output=True, text=True
    )
    assert got.returncode == 0, got.stderr[-3000:]
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        (src / name).write_bytes((REPO / name).read_bytes())
    import shutil

    for package in ("indexer", "service"):
        shutil.copytree(REPO / package, src / package, ignore=shutil.ignore_patterns("__pycache__"))
    got = subprocess.run([*pip, "--no-deps", str(src)], capture_output=True, text=True)
    assert got.returncode == 0, got.stderr[-3000:]
    check = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "check"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout  # the lock satisfies every requirement
    listed = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "list", "--format", "json"],
        capture_output=True,
        text=True,
    )
    names = {p["name"].lower() for p in json.loads(listed.stdout)}
    assert "cchc-search" in names and "torch" not in names
    helped = subprocess.run(
        [str(venv / "bin" / "cchc"), "serve", "--help"], capture_output=True, text=True
    )
    assert helped.returncode == 0 and "--log-format" in helped.stdout
