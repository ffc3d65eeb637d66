"""Section-level counts and the topics one plan has and the other lacks."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from service.compare.model import STATUSES, Pair, SectionSummary, Summary, Topic
from service.compare.normalize import canonical, fold

PREAMBLE = "(Phần mở đầu)"
#: Function words that may not begin or end a topic phrase.
_STOPWORDS_TEXT = (
    "và của các cho trong về với theo được để có là những một tại đến từ trên này đó khi việc "
    "đã sẽ thì như hoặc nhằm đối đơn vị cơ quan nhà trường ban phòng năm tỉnh "
    "các nếu sau trước giữa bằng qua do cùng mỗi từng"
)
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
_WORD = re.compile(r"\w+")
TOPIC_LIMIT = 8


def section_key(section: Sequence[str] | None, text: str, kind: str) -> str:
    """The top-level section a paragraph belongs to (a top-level heading belongs to itself)."""
    if section:
        return section[0]
    return text if kind == "heading" else PREAMBLE


def _sections(pairs: Sequence[Pair]) -> list[SectionSummary]:
    rows: dict[tuple[str, str], SectionSummary] = {}
    partners: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for p in pairs:
        for side, section, text, other, other_text in (
            ("a", p.a_section, p.a_text, p.b_section, p.b_text),
            ("b", p.b_section, p.b_text, p.a_section, p.a_text),
        ):
            if text is None:
                continue
            key = (side, section_key(section, text, p.kind))
            row = rows.setdefault(key, SectionSummary(side=side, section=key[1]))  # type: ignore[arg-type]
            if p.status == "same":
                row.same += 1
            elif p.status == "changed":
                row.changed += 1
            else:
                row.only += 1
            if other_text is not None:
                partners[key][section_key(other, other_text, p.kind)] += 1
    for key, row in rows.items():
        if partners[key]:
            row.counterpart = partners[key].most_common(1)[0][0]
    return sorted(rows.values(), key=lambda r: r.side)  # stable: reading order within a side


def _ngrams(text: str, sizes: tuple[int, ...] = (2, 3, 4)) -> dict[str, str]:
    """Folded n-gram → its surface form, for phrases not starting/ending on a stopword."""
    words = _WORD.findall(canonical(text))
    out: dict[str, str] = {}
    for n in sizes:
        for k in range(len(words) - n + 1):
            gram = words[k : k + n]
            if gram[0] in STOPWORDS or gram[-1] in STOPWORDS or any(w.isdigit() for w in gram):
                continue
            out.setdefault(fold(" ".join(gram)), " ".join(gram))
    return out


def distinctive_topics(only: Sequence[str], other_plan: Sequence[str]) -> list[Topic]:
    """Phrases found in several `only` paragraphs and nowhere in the other plan."""
    absent = set()
    for text in other_plan:
        absent.update(_ngrams(text, (2, 3, 4)))
    counts: Counter = Counter()
    surface: dict[str, str] = {}
    for text in only:
        for key, form in _ngrams(text).items():
            if key not in absent:
                counts[key] += 1
                surface.setdefault(key, form)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], -len(kv[0].split()), kv[0]))
    topics: list[Topic] = []
    for key, n in ranked:
        if any(key in t_key or t_key in key for t_key, _ in ((fold(t.phrase), t) for t in topics)):
            continue  # keep one phrase of a family ("chuyển đổi số", "đổi số trong giáo dục")
        topics.append(Topic(surface[key], n))
        if len(topics) == TOPIC_LIMIT:
            break
    return topics


def summarize(pairs: Sequence[Pair]) -> Summary:
    counts = Counter(p.status for p in pairs)
    n_a = sum(1 for p in pairs if p.a_text is not None)
    n_b = sum(1 for p in pairs if p.b_text is not None)
    shared = counts["same"] + counts["changed"]
    a_texts = [p.a_text for p in pairs if p.a_text is not None]
    b_texts = [p.b_text for p in pairs if p.b_text is not None]
    return Summary(
        counts={s: counts.get(s, 0) for s in STATUSES},
        shared_a=shared / n_a if n_a else 0.0,
        shared_b=shared / n_b if n_b else 0.0,
        sections=_sections(pairs),
        topics_only_a=distinctive_topics(
            [p.a_text for p in pairs if p.status == "only_a"], b_texts
        ),  # type: ignore[misc]
        topics_only_b=distinctive_topics(
            [p.b_text for p in pairs if p.status == "only_b"], a_texts
        ),  # type: ignore[misc]
    )
