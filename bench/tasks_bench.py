"""``GET /tasks`` over 100 plans (issue 30, item 3: "answers in under a second here").

The catalog is written through the product's own ``IndexWriter``: 100 plans whose task rows
are the real rows of corpus/'s two plans (the 22 rows of the 2026 Trường Cao đẳng Y tế Khánh
Hòa plan and the 24 of the 2025 Ban Quản lý Khu kinh tế và Khu công nghiệp plan, as
``parse_file`` reads them: task, products, time cell, responsible cell, lead, partners,
period), recombined — each plan draws 24 of the 46 rows at random (seeded), renumbered, each
row its own "task" paragraph holding the real row's text (with the citations
``extract_references`` finds in it, as a build would); units, provinces and years vary over a
small list. Vectors are random (nothing here reads them). Then the real app (``create_app``)
answers ``GET /tasks`` through the TestClient: each request once cold, then ``ROUNDS`` times;
the figure is the median per request.

    .venv/bin/python -m bench.tasks_bench [--plans 100] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
PLANS = 100
ROWS_PER_PLAN = 24
ROUNDS = 5
SEED = 30
UNITS = (
    "Sở Nội vụ", "Sở Y tế", "Sở Tài chính", "Sở Giáo dục và Đào tạo", "Sở Tư pháp",
    "Ban Quản lý Khu kinh tế", "Trường Cao đẳng Y tế", "Bệnh viện Đa khoa", "Sở Xây dựng",
    "Sở Nông nghiệp và Môi trường",
)  # fmt: skip
PROVINCES = ("Khánh Hòa", "Đồng Tháp", "Thanh Hóa", "Hà Nội", "Bắc Ninh")
REQUESTS = (
    "/tasks",  # every row, the first 1,000 (the default limit)
    "/tasks?limit=10000",  # every row
    "/tasks?year=2026&sort=due",
    "/tasks?lead=V%C4%83n%20ph%C3%B2ng&sort=unit",  # lead=Văn phòng
    "/tasks?due_from=2026-01-01&due_to=2026-03-31&sort=lead",
    "/tasks?doc=09-NQ%2FTW",
    "/tasks?text=s%E1%BB%91%20h%C3%B3a%20h%E1%BB%93%20s%C6%A1",  # text=số hóa hồ sơ
    "/tasks?province=%C4%90%E1%BB%93ng%20Th%C3%A1p&format=xlsx",  # a download
    "/tasks?limit=500&format=docx",  # the page's largest download, as Word
    "/nhiem-vu?theo=chu-tri&sort=due",  # the page (500 rows shown)
)


def real_rows() -> list[tuple]:
    """(task row, the text of its paragraph) of every task row of corpus/'s plans."""
    from indexer.parse import discover, parse_file

    pool = []
    for path in discover(CORPUS):
        doc = parse_file(path, CORPUS)
        texts = {p.id: p.text for p in doc.paragraphs}
        for row in doc.tasks:
            pool.append((row, texts.get(row.paragraph_id or "", row.task)))
    return pool


def build_task_catalog(index_dir: Path, plans: int = PLANS, seed: int = SEED) -> dict:
    """Write ``plans`` plans of recombined real task rows as the live generation of
    ``index_dir``; what was written."""
    from bench.synthindex import _model_info
    from indexer.build import pipeline_version, references_version
    from indexer.model import Document, DocumentMeta, Paragraph
    from indexer.references import extract_references
    from indexer.store import IndexWriter

    pool = real_rows()
    rng = random.Random(seed)
    vectors = np.random.default_rng(seed).standard_normal((ROWS_PER_PLAN, 384))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    rows_n = 0
    with (
        IndexWriter(index_dir, rebuild=True, durable=False) as writer,
        writer.generation() as gen,
    ):
        for j in range(plans):
            unit = f"{UNITS[j % len(UNITS)]} {PROVINCES[j // len(UNITS) % len(PROVINCES)]}"
            year = 2025 + j % 2
            doc_id = f"{year}-ke-hoach-{j:03d}"
            picked = rng.sample(pool, min(ROWS_PER_PLAN, len(pool)))
            paragraphs, tasks = [], []
            for k, (row, text) in enumerate(picked):
                pid = f"{doc_id}:{k:04d}"
                paragraphs.append(Paragraph(pid, doc_id, k, ["PHỤ LỤC"], "task", text))
                tasks.append(replace(row, number=k + 1, paragraph_id=pid))
            meta = DocumentMeta(
                unit=unit,
                province=PROVINCES[j // len(UNITS) % len(PROVINCES)],
                year=year,
                kind="Kế hoạch",
                title=f"Kế hoạch cải cách hành chính năm {year}",
            )
            doc = Document(doc_id, f"{doc_id}.txt", f"{j:064x}", meta, paragraphs, tasks)
            refs = [extract_references(p.text) for p in paragraphs]  # as a build finds them
            gen.add(doc, [p.text for p in paragraphs], vectors[: len(paragraphs)], refs)
            rows_n += len(tasks)
        gen.commit(
            _model_info(384),
            {"pipeline": pipeline_version(), "references": references_version()},
        )
    return {"plans": plans, "task_rows": rows_n, "real_rows_pooled": len(pool)}


def tasks_figures(work: Path, plans: int = PLANS, rounds: int = ROUNDS) -> dict:
    """Seconds per request (cold, then the median of ``rounds``) over ``plans`` plans."""
    from fastapi.testclient import TestClient

    from service.settings import Settings
    from service.web.app import create_app

    index_dir = work / "tasks-index"
    out = build_task_catalog(index_dir, plans)
    out["requests"] = {}
    app = create_app(Settings(index_dir=index_dir))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        for url in REQUESTS:
            times = []
            for _ in range(rounds + 1):
                t0 = time.perf_counter()
                r = client.get(url)
                times.append(time.perf_counter() - t0)
                assert r.status_code == 200, (url, r.status_code, r.text[:200])
            total = r.json()["total"] if r.headers["content-type"] == "application/json" else None
            out["requests"][url] = {
                "cold_s": round(times[0], 4),
                "median_s": round(statistics.median(times[1:]), 4),
                "max_s": round(max(times[1:]), 4),
                "total": total,
                "bytes": len(r.content),
            }
    out["slowest_median_s"] = max(v["median_s"] for v in out["requests"].values())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, default=PLANS)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cchc-tasks-bench-") as tmp:
        figures = tasks_figures(Path(tmp), args.plans, args.rounds)
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
