"""Section-level counts and the topics one plan has and the other lacks."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

from service.compare.align import TASK_SEPARATOR
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
_SEG_WORD = re.compile(r"\w+")
TOPIC_LIMIT = 8


def section_key(section: Sequence[str] | None) -> str:
    """The top-level section a paragraph belongs to (the title and preamble: PREAMBLE)."""
    return section[0] if section else PREAMBLE


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
            key = (side, section_key(section))
            row = rows.setdefault(key, SectionSummary(side=side, section=key[1]))  # type: ignore[arg-type]
            if p.status == "same":
                row.same += 1
            elif p.status == "changed":
                row.changed += 1
            else:
                row.only += 1
            if other_text is not None:
                partners[key][section_key(other)] += 1
    for key, row in rows.items():
        if partners[key]:
            row.counterpart = partners[key].most_common(1)[0][0]
    return sorted(rows.values(), key=lambda r: r.side)  # stable: reading order within a side


def _phrases(text: str, segment: Callable[[str], str]) -> dict[str, str]:
    """Folded candidate phrase → surface form: runs of 1–4 segmented words that neither
    begin nor end on a function word and hold at least two syllables."""
    words = [w for w in _SEG_WORD.findall(segment(canonical(text))) if not w.isdigit()]
    out: dict[str, str] = {}
    for n in (1, 2, 3, 4):
        for k in range(len(words) - n + 1):
            gram = words[k : k + n]
            if gram[0] in STOPWORDS or gram[-1] in STOPWORDS:
                continue
            surface = " ".join(gram).replace("_", " ")
            if " " in surface:
                out.setdefault(" ".join(_SEG_WORD.findall(fold(surface))), surface)
    return out


def _padded(text: str) -> str:
    """Folded words of a text between spaces, so " key " finds whole syllables only."""
    return " " + " ".join(_SEG_WORD.findall(fold(canonical(text)))) + " "


def distinctive_topics(
    only: Sequence[str],
    own_shared: Sequence[str],
    other_plan: Sequence[str],
    segment: Callable[[str], str] | None = None,
) -> list[Topic]:
    """Phrases of the `only` paragraphs that the other plan never uses, ranked by how many
    `only` paragraphs hold them minus how many of the plan's shared paragraphs do (so a
    unit's own boilerplate, "Phòng Tổ chức – Hành chính chủ trì", does not count as a
    topic)."""
    if not only:
        return []
    segment = segment or _segmenter()
    other = "|".join(_padded(t) for t in other_plan)
    shared = [_padded(t) for t in own_shared]
    counts: Counter = Counter()
    surface: dict[str, str] = {}
    for text in {canonical(t): t for t in only}.values():  # a repeated line counts once
        for key, form in _phrases(text, segment).items():
            counts[key] += 1
            surface.setdefault(key, form)
    scored = []
    for key, n in counts.items():
        needle = f" {key} "
        if needle in other:
            continue
        score = n - sum(1 for text in shared if needle in text)
        if score > 0:
            scored.append((score, n, key))
    scored.sort(key=lambda x: (-x[0], -len(x[2].split()), x[2]))
    topics: list[Topic] = []
    kept: list[str] = []
    for _, n, key in scored:
        if any(key in k or k in key for k in kept):
            continue  # one phrase per family ("chuyển đổi số", "chuyển đổi số trong giáo dục")
        kept.append(key)
        topics.append(Topic(surface[key], n))
        if len(topics) == TOPIC_LIMIT:
            break
    return topics


def _segmenter() -> Callable[[str], str]:
    from indexer.text import segment  # pyvi: loaded on first use only

    return segment


def _topic_text(text: str, kind: str) -> str:
    """An appendix row's task only: its products / timeline / owner labels are no topic."""
    return text.split(TASK_SEPARATOR, 1)[0] if kind == "task" else text


def summarize(pairs: Sequence[Pair]) -> Summary:
    counts = Counter(p.status for p in pairs)
    n_a = sum(1 for p in pairs if p.a_text is not None)
    n_b = sum(1 for p in pairs if p.b_text is not None)
    shared = counts["same"] + counts["changed"]
    a_all = [p.a_text for p in pairs if p.a_text is not None]
    b_all = [p.b_text for p in pairs if p.b_text is not None]
    a_only = [_topic_text(p.a_text, p.kind) for p in pairs if p.status == "only_a" and p.a_text]
    b_only = [_topic_text(p.b_text, p.kind) for p in pairs if p.status == "only_b" and p.b_text]
    a_shared = [p.a_text for p in pairs if p.a_text is not None and p.b_text is not None]
    b_shared = [p.b_text for p in pairs if p.b_text is not None and p.a_text is not None]
    return Summary(
        counts={s: counts.get(s, 0) for s in STATUSES},
        shared_a=shared / n_a if n_a else 0.0,
        shared_b=shared / n_b if n_b else 0.0,
        sections=_sections(pairs),
        topics_only_a=distinctive_topics(a_only, a_shared, b_all),
        topics_only_b=distinctive_topics(b_only, b_shared, a_all),
    )
