"""``cchc``, the one console command (issue 31, item 2): it composes the indexer's and the
service's Typer apps, so every command keeps its options, ``--json`` and exit codes, and
``python -m indexer`` / ``python -m service`` go on working unchanged."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from indexer.cli import app as indexer_app
from service.cli import app as service_app
from service.console import app as cchc
from tests.conftest import CORPUS

runner = CliRunner()
D26 = "2026-truong-cao-dang-y-te-khanh-hoa"
USER_COMMANDS = {
    "index",
    "parse",
    "serve",
    "search",
    "compare",
    "mentions",
    "coverage",
    "citations",
    "tasks",
    "documents",
    "token",
    "backup",
    "restore",
}


def commands(app: typer.Typer) -> dict:
    return typer.main.get_command(app).commands  # type: ignore[attr-defined]


def params(command) -> list[tuple]:
    return [(p.name, tuple(p.opts), p.required, p.default) for p in command.params]


def test_cchc_has_every_command_with_the_same_options():
    mine = commands(cchc)
    assert set(mine) == USER_COMMANDS
    for name, command in commands(service_app).items():
        assert params(mine[name]) == params(command), name
    theirs = commands(indexer_app)
    assert params(mine["index"]) == params(theirs["build"])
    assert params(mine["parse"]) == params(theirs["parse"])
    assert "--cluster" in {o for p in mine["index"].params for o in p.opts}


def test_cchc_help_lists_the_commands():
    got = runner.invoke(cchc, ["--help"])
    assert got.exit_code == 0
    for name in USER_COMMANDS:
        assert name in got.stdout
    assert "Usage: cchc" in got.stdout


def test_errors_keep_their_exit_codes(tmp_path):
    missing = runner.invoke(cchc, ["search", "x y", "--index", str(tmp_path / "none")])
    assert missing.exit_code == 3 and missing.stderr.startswith("error: ")
    got = runner.invoke(cchc, ["index", "--corpus", str(tmp_path / "none")])
    assert got.exit_code == 2


def test_the_installed_entry_point_runs():
    """``cchc`` beside this interpreter (``make install`` puts it in .venv/bin)."""
    command = Path(sys.executable).parent / "cchc"
    assert command.is_file(), f"{command}: run make install (pip install -e .)"
    got = subprocess.run([command, "--help"], capture_output=True, text=True, timeout=120)
    assert got.returncode == 0 and "index" in got.stdout and "serve" in got.stdout
    old = subprocess.run(
        [sys.executable, "-m", "service", "--help"], capture_output=True, text=True, timeout=120
    )
    assert old.returncode == 0 and "python -m service" in old.stdout


@pytest.mark.slow
def test_cchc_index_then_search_json(index_dir, tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    for f in CORPUS.glob("*.txt"):
        shutil.copy(f, corpus / f.name)
    shutil.copytree(index_dir, index)
    with (corpus / f"{D26}.txt").open("a", encoding="utf-8") as fh:
        fh.write("\n\n- Xây dựng phòng mô phỏng lâm sàng ảo cho sinh viên điều dưỡng.\n")
    built = runner.invoke(
        cchc, ["index", "--corpus", str(corpus), "--index", str(index), "--quiet", "--json"]
    )
    assert built.exit_code == 0, built.output
    record = json.loads(built.stdout)
    assert record["updated"] == 1 and record["documents"] == 2
    found = runner.invoke(
        cchc, ["search", "phòng mô phỏng lâm sàng ảo", "--index", str(index), "--json", "-k", "3"]
    )
    assert found.exit_code == 0, found.output
    body = json.loads(found.stdout)
    top = body["results"][0]
    assert top["doc_id"] == D26 and "mô phỏng lâm sàng ảo" in top["text"], top
