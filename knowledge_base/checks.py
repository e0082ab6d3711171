"""Content quality checks for editors (`make kb-check`): beyond the schema, what makes an
answer hard to find, hard to read or out of date. Pure functions over a loaded knowledge
base; the routing check takes the route function as an argument.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from itertools import combinations
from urllib.parse import urlparse

import readability

from knowledge_base.articles import ContentProblem, KnowledgeBase

WORD = re.compile(r"[a-z0-9']+")
MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")
NEAR_DUPLICATE = 0.8  # share of words two questions have in common
MINIMUM_READING_EASE = 50.0  # Flesch reading ease; 60+ is plain English, below 50 is hard
REVIEW_MONTHS = 12


# A finding has the same shape as a schema problem: the file, the field, what to improve.
Finding = ContentProblem


def _words(text: str) -> frozenset[str]:
    return frozenset(WORD.findall(text.lower()))


def near_duplicate_questions(kb: KnowledgeBase, threshold: float = NEAR_DUPLICATE) -> list[Finding]:
    """Questions under two articles that use nearly the same words: the bot cannot tell them apart."""
    entries = [(a, i, q, _words(q)) for a in kb.articles.values() for i, q in enumerate(a.questions)]
    entries = [e for e in entries if len(e[3]) >= 3]
    findings = []
    for (a, i, q, w), (b, _j, r, v) in combinations(entries, 2):
        if a.id == b.id:
            continue
        overlap = len(w & v) / len(w | v)
        if overlap >= threshold:
            findings.append(
                Finding(
                    a.path,
                    f"questions.{i}",
                    f"{q!r} is nearly the same as {r!r} in article {b.id!r}; keep it in one of them",
                )
            )
    return findings


def link_problems(kb: KnowledgeBase) -> list[Finding]:
    """Links in answers that residents could not follow."""
    findings = []
    for article in kb.articles.values():
        if article.answer.count("[") != article.answer.count("]") or article.answer.count("](") != len(
            MARKDOWN_LINK.findall(article.answer)
        ):
            findings.append(Finding(article.path, "answer", "has a link that is not written as [text](https://...)"))
        for text, url in MARKDOWN_LINK.findall(article.answer):
            parsed = urlparse(url)
            if parsed.scheme != "https" or not parsed.netloc or " " in url:
                findings.append(Finding(article.path, "answer", f"link {url!r} is not a full https:// address"))
            if not text.strip() or text.strip().lower() in ("here", "click here", "this link", "link"):
                findings.append(
                    Finding(
                        article.path,
                        "answer",
                        f"link text {text!r} does not say where it goes (screen readers list links by text)",
                    )
                )
    return findings


def stale_articles(kb: KnowledgeBase, today: dt.date, months: int = REVIEW_MONTHS) -> list[Finding]:
    limit = today - dt.timedelta(days=round(months * 365 / 12))
    return [
        Finding(a.path, "last_reviewed", f"last reviewed {a.last_reviewed.isoformat()}, over {months} months ago")
        for a in kb.articles.values()
        if a.last_reviewed < limit
    ]


def _plain_sentences(markdown: str) -> str:
    """One sentence per line, tokens separated by spaces (what the readability package expects)."""
    text = MARKDOWN_LINK.sub(r"\1", markdown).replace("**", "")
    lines = []
    for line in text.splitlines():
        line = re.sub(r"^\s*(-|\*|\d+\.)\s+", "", line).strip()
        lines += [s for s in re.split(r"(?<=[.!?:])\s+", line) if s]
    return "\n".join(" ".join(re.findall(r"[\w'£%-]+|[.,!?;:]", s)) for s in lines)


def reading_ease(markdown: str) -> float:
    """Flesch reading ease of an answer (higher is easier; plain English is 60 or more)."""
    return float(
        readability.getmeasures(_plain_sentences(markdown), lang="en")["readability grades"]["FleschReadingEase"]
    )


def hard_to_read(kb: KnowledgeBase, minimum: float = MINIMUM_READING_EASE) -> list[Finding]:
    findings = []
    for article in kb.articles.values():
        score = reading_ease(article.answer)
        if score < minimum:
            findings.append(
                Finding(
                    article.path,
                    "answer",
                    f"is hard to read (Flesch reading ease {score:.0f}, aim for 60 or more): "
                    "use shorter sentences and everyday words",
                )
            )
    return findings


def misrouted_questions(kb: KnowledgeBase, route_of: Callable[[str], str]) -> list[Finding]:
    """Questions the trained model sends somewhere other than their own article."""
    findings = []
    for article in kb.articles.values():
        for i, question in enumerate(article.questions):
            route = route_of(question)
            if route != f"faq:{article.id}":
                findings.append(
                    Finding(article.path, f"questions.{i}", f"{question!r} is answered by {route!r}, not this article")
                )
    return findings
