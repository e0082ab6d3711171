"""Load and validate knowledge base articles.

Content editors own ``knowledge_base/content/<topic>/<id>.yml``. Everything else in
Front Desk reads those files only through :func:`load_knowledge_base`, which validates
every file against ``schema/article.schema.json`` and refuses the whole set if any file
is wrong, so nothing downstream is ever built from half-valid content.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_CONTENT_DIR = PACKAGE_DIR / "content"
DEFAULT_MESSAGES_FILE = PACKAGE_DIR / "messages.yml"
SCHEMA_DIR = PACKAGE_DIR / "schema"


@dataclass(frozen=True)
class ContentProblem:
    """One thing wrong with one content file, phrased for a content editor."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f" (field: {self.field})" if self.field else ""
        return f"{self.file}{where}: {self.message}"


class ContentError(Exception):
    """Raised when content files are invalid; carries every problem found."""

    def __init__(self, problems: list[ContentProblem]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the knowledge base:\n{lines}")


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    topic: str
    owner: str
    last_reviewed: dt.date
    questions: tuple[str, ...]
    answer: str
    links: tuple[Link, ...] = ()
    related_requests: tuple[str, ...] = ()
    offer_advisor: bool = False
    path: str = ""


@dataclass(frozen=True)
class KnowledgeBase:
    """All articles plus the bot's route messages, validated."""

    articles: dict[str, Article]
    messages: dict[str, Any] = field(default_factory=dict)
    # Council matters with no article yet (council_topics.yml beside messages.yml; see fallbacks.py).
    topics: tuple[Any, ...] = ()

    def article(self, article_id: str) -> Article:
        return self.articles[article_id]

    def article_texts(self) -> dict[str, str]:
        """Article id -> its title, questions and answer as one text (what it covers)."""
        return {a.id: " ".join((a.title, *a.questions, a.answer)) for a in self.articles.values()}


def unwrap_paragraphs(text: str) -> str:
    """Join hard-wrapped lines of a paragraph; keep list items and blank lines.

    Editors wrap long lines in YAML for readability; residents' screens should not
    show those line breaks.
    """
    out: list[str] = []
    for line in text.strip().splitlines():
        stripped = line.strip()
        starts_item = stripped.startswith(("- ", "* ")) or bool(re.match(r"\d+\.\s", stripped))
        if out and stripped and out[-1] and not starts_item:
            out[-1] = f"{out[-1]} {stripped}"
        else:
            out.append(stripped)
    return "\n".join(out)


def _load_schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


def _field_path(error: jsonschema.ValidationError) -> str:
    parts = [str(p) for p in error.absolute_path]
    if error.validator == "required":
        # The missing property is in the message, not in the path.
        missing = error.message.split("'")[1] if "'" in error.message else ""
        parts.append(missing)
    if error.validator == "additionalProperties":
        extra = error.message.split("'")[1] if "'" in error.message else ""
        parts.append(extra)
    return ".".join(parts)


def _friendly(error: jsonschema.ValidationError) -> str:
    v = error.validator
    if v == "required":
        return "is missing; every article needs it"
    if v == "additionalProperties":
        return "is not a known field (check the spelling)"
    if v == "minItems":
        return f"needs at least {error.validator_value} entries, has {len(error.instance)}"
    if v == "uniqueItems":
        return "has the same entry twice"
    if v == "minLength":
        return f"is too short (at least {error.validator_value} characters)"
    if v == "maxLength":
        return f"is too long (at most {error.validator_value} characters)"
    if v == "not" and error.absolute_path and error.absolute_path[-1] == "answer":
        return "contains HTML; use plain text and [link text](https://...) links"
    if v == "pattern":
        return (
            f"{error.instance!r} is not in the expected form ({error.schema.get('description', error.validator_value)})"
        )
    if v == "enum":
        return f"{error.instance!r} is not one of {', '.join(map(str, error.validator_value))}"
    if v == "format":
        return f"{error.instance!r} is not a valid {error.validator_value} (use YYYY-MM-DD)"
    if v == "type":
        return f"should be a {error.validator_value}, got {type(error.instance).__name__}"
    return error.message


def _normalise_dates(value: Any) -> Any:
    """YAML reads unquoted 2026-10-12 as a date; editors should not need quotes."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _normalise_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise_dates(v) for v in value]
    return value


def _read_yaml(path: Path, label: str, problems: list[ContentProblem]) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.append(ContentProblem(label, "", "is not UTF-8 text"))
        return None
    try:
        return _normalise_dates(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        problems.append(ContentProblem(label, "", f"is not valid YAML{where}: {reason}"))
        return None


def _validate(data: Any, validator: jsonschema.Draft202012Validator, label: str) -> list[ContentProblem]:
    return [
        ContentProblem(label, _field_path(e), _friendly(e))
        for e in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    ]


def _check_messages(data: dict[str, Any], article_ids: set[str], label: str) -> list[ContentProblem]:
    """Every route the bot can take has its message; every button leads somewhere real."""
    from knowledge_base.routes import SERVICE_CODES, all_routes, intent_for_route

    needed = {r for r in all_routes(article_ids) if not r.startswith("faq:")}
    needed |= {
        "out_of_scope:repeated",
        "track_request:with_reference",
        "track_request:malformed",
        "suggest",
        "missing_topic",
        "missing_topic:unnamed",
        "report_confirm",
        "smalltalk:no_thanks",
    }
    needed |= {f"request:{code}" for code in SERVICE_CODES}
    routes = data["routes"]
    problems = [
        ContentProblem(label, f"routes.{key}", "is missing; the bot needs a message for it")
        for key in sorted(needed - set(routes))
    ]
    for key, message in routes.items():
        for i, button in enumerate(message.get("buttons", [])):
            target = button["route"]
            known = target[4:] in article_ids if target.startswith("faq:") else target in needed
            try:
                intent_for_route(target)
            except KeyError:
                known = False
            if not known:
                problems.append(
                    ContentProblem(label, f"routes.{key}.buttons.{i}.route", f"{target!r} is not a route the bot knows")
                )
    if "handoff" in routes and "handoff" not in routes["handoff"]:
        problems.append(
            ContentProblem(
                label, "routes.handoff.handoff", "is missing; without it the conversation is never passed to an advisor"
            )
        )
    return problems + _check_urgent_numbers(data, label)


def _check_urgent_numbers(data: dict[str, Any], label: str) -> list[ContentProblem]:
    """Every urgent answer gives its category's numbers (a resident in crisis must never
    get an answer that lost Samaritans' number in an edit)."""
    from knowledge_base import urgent

    problems = []
    texts = data.get("urgent") or {}
    for key in sorted(set(texts) - set(urgent.BY_NAME)):
        problems.append(
            ContentProblem(label, f"urgent.{key}", f"{key!r} is not an urgent category ({', '.join(urgent.BY_NAME)})")
        )
    for category in urgent.CATEGORIES:
        fields = [(f"routes.{category.route}.text", (data["routes"].get(category.route) or {}).get("text"))]
        if category.name not in texts:
            problems.append(
                ContentProblem(
                    label,
                    f"urgent.{category.name}",
                    "is missing; every urgent category needs its signpost, no_advisor and advisor_guide texts",
                )
            )
        else:
            fields += [(f"urgent.{category.name}.{k}", texts[category.name].get(k)) for k in ("signpost", "no_advisor")]
        for field_name, text in fields:
            if text is None:
                continue
            missing = urgent.missing_numbers(category.name, text)
            if missing:
                problems.append(
                    ContentProblem(
                        label,
                        field_name,
                        "must give "
                        + ", ".join(missing)
                        + f" (required for every {category.route} answer; see FACTS.md)",
                    )
                )
    return problems


def _article_files(content_dir: Path) -> Iterable[Path]:
    return sorted(p for p in content_dir.rglob("*") if p.is_file() and not p.name.startswith("."))


def load_knowledge_base(
    content_dir: Path | str = DEFAULT_CONTENT_DIR,
    messages_file: Path | str = DEFAULT_MESSAGES_FILE,
) -> KnowledgeBase:
    """Read, validate and return the whole knowledge base.

    Args:
        content_dir: folder holding ``<topic>/<id>.yml`` article files.
        messages_file: YAML file with the bot's messages for non-article routes.

    Returns:
        The validated knowledge base.

    Raises:
        ContentError: listing every problem in every file (file, field, what is wrong).
    """
    content_dir = Path(content_dir)
    messages_file = Path(messages_file)
    problems: list[ContentProblem] = []
    format_checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    article_validator = jsonschema.Draft202012Validator(
        _load_schema("article.schema.json"), format_checker=format_checker
    )
    articles: dict[str, Article] = {}
    seen_questions: dict[str, str] = {}

    if not content_dir.is_dir():
        raise ContentError([ContentProblem(str(content_dir), "", "content folder not found")])

    for path in _article_files(content_dir):
        label = str(path.relative_to(content_dir.parent))
        if path.suffix not in (".yml", ".yaml"):
            problems.append(ContentProblem(label, "", "is not a .yml file; articles must end in .yml"))
            continue
        if path.parent.parent != content_dir:
            problems.append(ContentProblem(label, "", "must sit directly in a topic folder: content/<topic>/<id>.yml"))
            continue
        data = _read_yaml(path, label, problems)
        if data is None and not any(p.file == label for p in problems):
            problems.append(ContentProblem(label, "", "is empty"))
        if data is None:
            continue
        found = _validate(data, article_validator, label)
        if found:
            problems.extend(found)
            continue
        if data["id"] != path.stem:
            problems.append(ContentProblem(label, "id", f"{data['id']!r} must match the file name {path.stem!r}"))
        if data["topic"] != path.parent.name:
            problems.append(
                ContentProblem(label, "topic", f"{data['topic']!r} must match the folder name {path.parent.name!r}")
            )
        if data["id"] in articles:
            problems.append(
                ContentProblem(label, "id", f"{data['id']!r} is already used by {articles[data['id']].path}")
            )
        for i, question in enumerate(data["questions"]):
            key = " ".join(question.lower().split())
            owner = seen_questions.get(key)
            if owner and owner != data["id"]:
                problems.append(
                    ContentProblem(
                        label,
                        f"questions.{i}",
                        f"{question!r} is also a question of article {owner!r}; a question can lead to one answer only",
                    )
                )
            seen_questions[key] = data["id"]
        articles[data["id"]] = Article(
            id=data["id"],
            title=data["title"],
            topic=data["topic"],
            owner=data["owner"],
            last_reviewed=dt.date.fromisoformat(data["last_reviewed"]),
            questions=tuple(data["questions"]),
            answer=unwrap_paragraphs(data["answer"]),
            links=tuple(Link(**link) for link in data.get("links", [])),
            related_requests=tuple(data.get("related_requests", [])),
            offer_advisor=bool(data.get("offer_advisor", False)),
            path=label,
        )

    messages: dict[str, Any] = {}
    if messages_file.exists():
        label = messages_file.name
        data = _read_yaml(messages_file, label, problems)
        if data is not None:
            found = _validate(data, jsonschema.Draft202012Validator(_load_schema("messages.schema.json")), label)
            problems.extend(found)
            if not found:
                found = _check_messages(data, set(articles), label)
                problems.extend(found)
            if not found:
                for message in data["routes"].values():
                    message["text"] = unwrap_paragraphs(message["text"])
                for texts in data["urgent"].values():
                    for key in texts:
                        texts[key] = unwrap_paragraphs(texts[key])
                messages = data
    else:
        problems.append(ContentProblem(str(messages_file), "", "messages file not found"))

    if not articles and not problems:
        problems.append(ContentProblem(str(content_dir), "", "has no articles"))
    topics = _load_topics(Path(messages_file), problems)
    if problems:
        raise ContentError(problems)
    return KnowledgeBase(articles=dict(sorted(articles.items())), messages=messages, topics=topics)


def _load_topics(messages_file: Path, problems: list[ContentProblem]) -> tuple[Any, ...]:
    from knowledge_base.fallbacks import TOPICS_FILE, TopicsFileError, load_topics

    beside = messages_file.parent / TOPICS_FILE.name
    try:
        return load_topics(beside if beside.exists() else TOPICS_FILE)
    except TopicsFileError as exc:
        problems.append(ContentProblem(TOPICS_FILE.name, "topics", str(exc)))
        return ()
