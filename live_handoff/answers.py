"""Canned answers for advisors: knowledge-base articles that match what they type. Pure
search over the articles; the texts are exactly what the bot would say."""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge_base.articles import KnowledgeBase
from knowledge_base.replies import render_article

WORD = re.compile(r"[a-z0-9]+")
STOP = frozenset(
    "a an and are as at be by can do does for from how i if in is it me my of on or our "
    "the to what when where which who why will with you your".split()
)


@dataclass(frozen=True)
class Answer:
    id: str
    title: str
    answer: str
    score: float


def words(text: str) -> set[str]:
    found = set()
    for word in WORD.findall(text.lower()):
        if word in STOP or len(word) < 2:
            continue
        plural = len(word) > 3 and word.endswith("s") and not word.endswith("ss")
        found.add(word[:-1] if plural else word)  # bins ~ bin
    return found


def search(kb: KnowledgeBase, query: str, limit: int = 5) -> list[Answer]:
    """Articles ranked by shared words: the title counts most, then the best-matching
    question, then the answer."""
    wanted = words(query)
    if not wanted:
        return []
    ranked = []
    for article in kb.articles.values():
        title = len(wanted & words(article.title)) / len(wanted)
        question = max((len(wanted & words(q)) / len(wanted) for q in article.questions), default=0.0)
        body = len(wanted & words(article.answer)) / len(wanted)
        score = 3 * title + 2 * question + body
        if score > 0:
            ranked.append(Answer(article.id, article.title, render_article(article, kb).text, round(score, 3)))
    ranked.sort(key=lambda a: (-a.score, a.title))
    return ranked[:limit]
