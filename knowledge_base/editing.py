"""Publishing an editor's change to an article: the same validation as the files, written
back to the same files (so a council can keep them in version control), with an audit
record of who changed what and when.

The whole knowledge base is validated with the change in place (in a private copy)
before anything is written, so a change that breaks anything (a question already used by
another article, a malformed link) is refused with the same messages `make kb-check`
gives, and residents never see a half-written file.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from knowledge_base.articles import ContentError, ContentProblem, KnowledgeBase, load_knowledge_base

EDITABLE = ("title", "owner", "answer", "links", "questions", "offer_advisor", "related_requests")


@dataclass(frozen=True)
class Published:
    article_id: str
    changed: tuple[str, ...]
    questions_changed: bool
    audit: dict[str, Any]


def _yaml():
    """Round-trip YAML: an edit changes the lines it changes and nothing else (comments,
    quotes, indentation and order stay as editors wrote them), so version control shows
    exactly what was published."""
    from ruamel.yaml import YAML

    handler: Any = YAML(typ="rt")
    handler.preserve_quotes = True
    handler.width = 10_000
    handler.indent(mapping=2, sequence=4, offset=2)
    return handler


def updated_text(original: str, after: dict[str, Any]) -> str:
    """The article file's text with the fields of ``after`` changed in place."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

    handler = _yaml()
    data = handler.load(original)
    for key, value in after.items():
        if data.get(key) == value:
            continue
        if key == "answer" and isinstance(value, str):
            value = LiteralScalarString(value.strip() + "\n")
        elif key == "last_reviewed":
            value = DoubleQuotedScalarString(value)
        data[key] = value
    out = io.StringIO()
    handler.dump(data, out)
    return out.getvalue()


def article_path(content_dir: Path, kb: KnowledgeBase, article_id: str) -> Path:
    article = kb.articles.get(article_id)
    if article is None:
        raise ContentError([ContentProblem(article_id, "", "there is no article with this id")])
    return content_dir / article.topic / f"{article_id}.yml"


def read_raw(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(data.get("last_reviewed"), dt.date):
        data["last_reviewed"] = data["last_reviewed"].isoformat()
    return data


def publish(
    content_dir: Path,
    messages_file: Path,
    article_id: str,
    changes: dict[str, Any],
    who: str,
    audit_file: Path,
    today: dt.date | None = None,
) -> Published:
    """Apply ``changes`` to an article, check everything, write it, record it.

    Raises:
        ContentError: nothing was written; the problems say what to fix.
    """
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ContentError([ContentProblem(article_id, unknown[0], "cannot be changed here")])
    kb = load_knowledge_base(content_dir, messages_file)
    path = article_path(content_dir, kb, article_id)
    before = read_raw(path)
    after = {**before, **changes, "last_reviewed": (today or dt.date.today()).isoformat()}
    changed = tuple(k for k in EDITABLE if before.get(k) != after.get(k))
    text = updated_text(path.read_text(encoding="utf-8"), after)
    with tempfile.TemporaryDirectory(prefix="kb-publish-") as staging:
        copy = Path(staging) / "content"
        shutil.copytree(content_dir, copy)
        (copy / path.parent.name / path.name).write_text(text, encoding="utf-8")
        load_knowledge_base(copy, messages_file)  # raises ContentError with every problem
    staged = path.with_suffix(".yml.publishing")
    staged.write_text(text, encoding="utf-8")
    os.replace(staged, path)  # residents see the old answer or the new one, never half of one
    audit = {
        "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "who": who,
        "article": article_id,
        "changed": list(changed),
        "before": {k: before.get(k) for k in changed},
        "after": {k: after.get(k) for k in changed},
    }
    audit_file.parent.mkdir(parents=True, exist_ok=True)
    with audit_file.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(audit, ensure_ascii=False) + "\n")
    return Published(article_id, changed, "questions" in changed, audit)


def history(audit_file: Path, article_id: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Newest first."""
    if not audit_file.exists():
        return []
    entries = [json.loads(line) for line in audit_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    if article_id:
        entries = [e for e in entries if e.get("article") == article_id]
    return list(reversed(entries))[:limit]
