"""Content editors' API (role "editor"): list, preview, try, publish, retrain, check, and
what residents asked (from the relay's measurement events).

Publishing writes the content files the action server reads (FRONT_DESK_CONTENT_DIR, from
the front door's settings), so
answer and link edits reach residents within seconds; question edits start a background
retrain whose progress the page shows (knowledge_base/retraining.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import aiohttp
import redis
from aiohttp import web

from front_door.settings import Settings as DoorSettings
from insight import events as insight_events
from insight.figures import shipped_urgent_words, urgent_contacts
from knowledge_base import checks, editing
from knowledge_base.articles import Article, ContentError, Link, load_knowledge_base, unwrap_paragraphs
from knowledge_base.replies import render_article
from knowledge_base.retraining import Retrainer
from knowledge_base.routes import decide_route, route_for_intent
from knowledge_base.urgent import PhraseMatcher, UrgentPhrasesError
from live_handoff import KNOWLEDGE, SETTINGS, error, read_json, require

ROOT = Path(__file__).resolve().parents[1]
log = logging.getLogger(__name__)


class RoutingCheck:
    """The routing part of kb-check (which article each question reaches with the running
    model) takes about a minute, so it runs in the background; the page polls."""

    def __init__(self, python: str, content_dir: Path, messages_file: Path) -> None:
        self.python, self.content_dir, self.messages_file = python, content_dir, messages_file
        self.state, self.checked_at, self.model, self.message = "idle", "", "", ""
        self.findings: list[dict[str, Any]] = []
        self._task: asyncio.Task | None = None

    def start(self, model: Path) -> None:
        if self._task and not self._task.done():
            return
        self.state, self.model = "running", str(model)
        self._task = asyncio.create_task(self._run(model))

    async def _run(self, model: Path) -> None:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "FRONT_DESK_CONTENT_DIR": str(self.content_dir),
            "FRONT_DESK_MESSAGES_FILE": str(self.messages_file),
            "TF_CPP_MIN_LOG_LEVEL": "3",
        }
        try:
            process = await asyncio.create_subprocess_exec(
                self.python,
                "-m",
                "knowledge_base",
                "check",
                "--only-routing",
                "--model",
                str(model),
                cwd=str(ROOT),
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            try:
                out, err = await process.communicate()
            except asyncio.CancelledError:
                process.kill()
                await process.wait()
                raise
            if process.returncode != 0:
                raise RuntimeError(err.decode(errors="replace").strip().splitlines()[-1:] or "failed")
            self.findings = json.loads(out.decode().strip().splitlines()[-1])
            self.state, self.message = "done", ""
        except Exception as exc:  # noqa: BLE001 - shown on the page
            self.state, self.message = "failed", f"The routing check could not run: {exc}"
        self.checked_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")

    async def stop(self) -> None:
        if self._task and not self._task.done():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def public(self) -> dict:
        return {
            "state": self.state,
            "checked_at": self.checked_at,
            "message": self.message,
            "model": Path(self.model).name if self.model else "",
        }


RETRAINER = web.AppKey("retrainer", Retrainer)
ROUTING = web.AppKey("routing", RoutingCheck)
DOOR = web.AppKey("door_settings", DoorSettings)
# Who published what, when FRONT_DESK_AUDIT_FILE is not set.
AUDIT_FILE = ROOT / "var" / "content-audit.jsonl"


def _audit_file(request: web.Request) -> Path:
    return request.app[DOOR].audit_file or AUDIT_FILE


def _knowledge_paths(request: web.Request) -> tuple[Path, Path]:
    knowledge = request.app[DOOR].knowledge
    return knowledge.content_dir, knowledge.messages_file


async def _editor(request: web.Request, state_changing: bool = False) -> dict[str, str]:
    return await require(request, "editor", state_changing)


def _problems(exc: ContentError) -> web.Response:
    return web.json_response(
        {
            "error": {
                "code": "invalid",
                "message": "The change was not published.",
                "problems": [{"file": p.file, "field": p.field, "problem": p.message} for p in exc.problems],
            }
        },
        status=422,
    )


def _summary(article: Article, today: dt.date) -> dict:
    due = article.last_reviewed + dt.timedelta(days=365)
    return {
        "id": article.id,
        "title": article.title,
        "topic": article.topic,
        "owner": article.owner,
        "last_reviewed": article.last_reviewed.isoformat(),
        "review_due": due.isoformat(),
        "overdue": due < today,
        "questions": len(article.questions),
    }


async def list_articles(request: web.Request) -> web.Response:
    await _editor(request)
    kb = request.app[KNOWLEDGE].get()
    today = dt.date.today()
    topic, owner = request.query.get("topic", ""), request.query.get("owner", "")
    due_before = request.query.get("review_before", "")
    items = []
    for article in sorted(kb.articles.values(), key=lambda a: (a.topic, a.title)):
        row = _summary(article, today)
        if (topic and article.topic != topic) or (owner and article.owner != owner):
            continue
        if due_before and row["review_due"] > due_before:
            continue
        items.append(row)
    return web.json_response(
        {
            "articles": items,
            "topics": sorted({a.topic for a in kb.articles.values()}),
            "owners": sorted({a.owner for a in kb.articles.values()}),
        }
    )


async def get_article(request: web.Request) -> web.Response:
    await _editor(request)
    content_dir, _ = _knowledge_paths(request)
    kb = request.app[KNOWLEDGE].get()
    try:
        raw = editing.read_raw(editing.article_path(content_dir, kb, request.match_info["id"]))
    except ContentError:
        return error(404, "unknown_article", "There is no article with that id.")
    return web.json_response({"article": raw, "history": editing.history(_audit_file(request), raw["id"], 20)})


def _article_from(body: dict, kb) -> Article:
    links = tuple(
        Link(title=str(link.get("title", "")), url=str(link.get("url", "")))
        for link in body.get("links") or []
        if isinstance(link, dict)
    )
    return Article(
        id=str(body.get("id", "preview")),
        title=str(body.get("title", "")),
        topic="",
        owner="",
        last_reviewed=dt.date.today(),
        questions=(),
        answer=unwrap_paragraphs(str(body.get("answer", ""))),
        links=links,
        related_requests=tuple(
            r for r in body.get("related_requests") or [] if r in kb.messages.get("service_names", {})
        ),
        offer_advisor=bool(body.get("offer_advisor")),
    )


async def preview(request: web.Request) -> web.Response:
    """What residents would see for an unpublished answer: the same function the bot uses."""
    await _editor(request)
    try:
        body = await read_json(request)
    except ValueError:
        return error(400, "invalid", "Send the article as JSON.")
    kb = request.app[KNOWLEDGE].get()
    reply = render_article(_article_from(body, kb), kb)
    return web.json_response(
        {"text": reply.text, "buttons": [{"title": b.title, "payload": b.payload} for b in reply.buttons]}
    )


async def try_question(request: web.Request) -> web.Response:
    """Which article the running bot would give for a question, and how sure it is."""
    await _editor(request)
    try:
        text = str((await read_json(request))["text"]).strip()[:500]
    except (ValueError, KeyError, TypeError):
        return error(400, "invalid", 'Send JSON: {"text": "..."}.')
    if not text:
        return error(400, "invalid", "Type a question to try.")
    settings = request.app[SETTINGS]
    params = {"token": settings.rasa_token} if settings.rasa_token else {}
    try:
        async with aiohttp.ClientSession() as http:
            async with http.post(
                f"{settings.rasa_url}/model/parse",
                json={"text": text},
                params=params,
                timeout=aiohttp.ClientTimeout(total=10),
            ) as response:
                parsed = await response.json(content_type=None)
                if response.status != 200:
                    raise ValueError(response.status)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        return error(503, "unavailable", "The bot is not answering right now, so questions cannot be tried.")
    kb = request.app[KNOWLEDGE].get()
    route, _, confidence = decide_route(parsed, kb.articles)  # the same decision the bot makes
    article = kb.articles.get(route.split(":", 1)[1]) if route.startswith("faq:") else None
    return web.json_response(
        {
            "route": route,
            "confidence": round(confidence, 4),
            "article": {"id": article.id, "title": article.title} if article else None,
            "ranking": [
                {"route": route_for_intent(r["name"], kb.articles), "confidence": round(r["confidence"], 4)}
                for r in (parsed.get("intent_ranking") or [])[:5]
                if r.get("name") != "nlu_fallback"
            ],
        }
    )


async def publish(request: web.Request) -> web.Response:
    user = await _editor(request, state_changing=True)
    try:
        changes = await read_json(request)
        assert isinstance(changes, dict)
    except (ValueError, AssertionError):
        return error(400, "invalid", "Send the changed fields as a JSON object.")
    content_dir, messages_file = _knowledge_paths(request)
    try:
        published = await asyncio.to_thread(
            editing.publish,
            content_dir,
            messages_file,
            request.match_info["id"],
            changes,
            user["username"],
            _audit_file(request),
        )
    except ContentError as exc:
        return _problems(exc)
    job = request.app[RETRAINER].request(user["username"]) if published.questions_changed else None
    return web.json_response(
        {
            "published": published.article_id,
            "changed": list(published.changed),
            "live": "Answer and link changes reach residents within a few seconds."
            if not published.questions_changed
            else "Answer changes are live in seconds; the new questions work once retraining finishes.",
            "job": job.public() if job else None,
        }
    )


async def job_status(request: web.Request) -> web.Response:
    await _editor(request)
    retrainer = request.app[RETRAINER]
    job = retrainer.jobs.get(request.match_info["id"]) if request.match_info.get("id") else retrainer.current
    if job is None:
        return error(404, "unknown_job", "No such retraining job.")
    return web.json_response(job.public())


async def history(request: web.Request) -> web.Response:
    await _editor(request)
    return web.json_response({"history": editing.history(_audit_file(request), None, 100)})


async def check(request: web.Request) -> web.Response:
    """`make kb-check` in the page; the routing part comes from the last background run
    (POST /api/editor/check/routing starts one)."""
    await _editor(request)
    content_dir, messages_file = _knowledge_paths(request)
    try:
        kb = await asyncio.to_thread(load_knowledge_base, content_dir, messages_file)
    except ContentError as exc:
        return web.json_response(
            {
                "valid": False,
                "findings": [
                    {"kind": "schema", "file": p.file, "field": p.field, "problem": p.message} for p in exc.problems
                ],
            }
        )
    today = dt.date.today()
    routing = request.app[ROUTING]
    findings = await asyncio.to_thread(
        lambda: (
            [("duplicate", f) for f in checks.near_duplicate_questions(kb)]
            + [("link", f) for f in checks.link_problems(kb)]
            + [("review", f) for f in checks.stale_articles(kb, today)]
            + [("readability", f) for f in checks.hard_to_read(kb)]
        )
    )
    return web.json_response(
        {
            "valid": True,
            "routing": routing.public(),
            "findings": [{"kind": kind, "file": f.file, "field": f.field, "problem": f.message} for kind, f in findings]
            + (routing.findings if routing.state == "done" else []),
        }
    )


async def start_routing_check(request: web.Request) -> web.Response:
    """Check which article every question reaches with the model the bot runs now."""
    await _editor(request, state_changing=True)
    request.app[ROUTING].start(request.app[RETRAINER].active_model)
    return web.json_response(request.app[ROUTING].public(), status=202)


RESIDENTS_DAYS = 30  # how far back "what residents asked" looks
QUESTIONS_SHOWN = 20  # per article or topic: enough to act on, and a bounded page


def _words(text: object) -> str:
    return " ".join(str(text or "").split())


def count_questions(texts: Iterable[str], known: Iterable[str] = ()) -> list[dict]:
    """What residents asked, counted without regard to case or spacing, most frequent first.

    Each question is shown as residents most often wrote it. Texts in ``known`` (an
    article's questions already) are left out: there is nothing left to add for them.
    """
    skip = {_words(k).casefold() for k in known}
    counts: Counter = Counter()
    forms: dict[str, Counter] = defaultdict(Counter)
    for text in texts:
        shown = _words(text)
        if shown and shown.casefold() not in skip:
            counts[shown.casefold()] += 1
            forms[shown.casefold()][shown] += 1
    order = sorted(counts, key=lambda k: (-counts[k], k))[:QUESTIONS_SHOWN]
    return [{"text": forms[k].most_common(1)[0][0], "count": counts[k]} for k in order]


def residents_questions(
    events: Iterable[insight_events.Event], articles: Mapping[str, Article], urgent_words: PhraseMatcher
) -> dict:
    """Questions that led residents to choose an offered article, and council matters with no
    article yet, from ``suggestion_chosen`` and ``unanswered`` (with a ``topic``) events. Pure.

    As in the insight report, nothing from an urgent contact reaches editors (a conversation
    that touched an urgent category, or a question whose words are urgent): those are
    reviewed through the safeguarding process, not as content gaps.
    """
    events = list(events)
    touched = urgent_contacts(events, urgent_words)
    urgent_conversations = set().union(*touched.values()) if touched else set()

    def kept(event: insight_events.Event, text: str) -> bool:
        return bool(text) and event.conversation_id not in urgent_conversations and not urgent_words.match_all(text)

    chosen: dict[str, list[str]] = defaultdict(list)
    missing: dict[str, list[str]] = defaultdict(list)
    topic_forms: dict[str, Counter] = defaultdict(Counter)
    for event in events:
        if event.kind == "suggestion_chosen":
            route, text = str(event.get("route") or ""), _words(event.get("question"))
            # An article since removed cannot take questions: leave it out.
            if route.startswith("faq:") and route[4:] in articles and kept(event, text):
                chosen[route].append(text)
        elif event.kind == "unanswered" and _words(event.get("topic")):
            topic, text = _words(event.get("topic")), _words(event.get("text"))
            if kept(event, text):
                missing[topic.casefold()].append(text)
                topic_forms[topic.casefold()][topic] += 1
    ranked = []  # the articles residents chose most come first
    for route, texts in chosen.items():
        article = articles[route[4:]]
        questions = count_questions(texts, article.questions)
        if questions:
            ranked.append(
                (
                    -len(texts),
                    article.title,
                    {"route": route, "article_id": article.id, "title": article.title, "questions": questions},
                )
            )
    out_chosen = [row for *_, row in sorted(ranked, key=lambda r: r[:2])]
    out_missing = [
        {"topic": topic_forms[key].most_common(1)[0][0], "questions": count_questions(texts)}
        for key, texts in sorted(missing.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]
    return {"chosen": out_chosen, "missing": out_missing}


async def what_residents_asked(request: web.Request) -> web.Response:
    """The last 30 days of what residents asked, for editors: from the relay's events."""
    await _editor(request)
    settings = request.app[SETTINGS]
    now = dt.datetime.now(dt.timezone.utc)
    kb = request.app[KNOWLEDGE].get()

    def read() -> dict:
        events = insight_events.read_redis(
            settings.redis_url,
            settings.key_prefix,
            now - dt.timedelta(days=RESIDENTS_DAYS),
            now + dt.timedelta(minutes=1),
        )
        return residents_questions(events, kb.articles, shipped_urgent_words())

    try:
        found = await asyncio.to_thread(read)
    except (redis.RedisError, UrgentPhrasesError) as exc:
        # Without the urgent phrases nothing is shown: an urgent message must never be
        # listed as a content gap.
        log.warning("what residents asked could not be read: %s", type(exc).__name__)
        return error(503, "unavailable", "What residents asked cannot be read right now. Try again in a minute.")
    return web.json_response({**found, "days": RESIDENTS_DAYS})


def setup(app: web.Application, door: DoorSettings, models_dir: Path | None = None) -> None:
    """The editors' API on ``app`` (the relay's), with the front door's settings ``door``."""
    app[DOOR] = door
    content_dir, messages_file = door.knowledge.content_dir, door.knowledge.messages_file
    settings = app[SETTINGS]

    async def switch(model: Path) -> None:
        params = {"token": settings.rasa_token} if settings.rasa_token else {}
        async with aiohttp.ClientSession() as http:
            async with http.put(
                f"{settings.rasa_url}/model",
                json={"model_file": str(model)},
                params=params,
                timeout=aiohttp.ClientTimeout(total=300),
            ) as response:
                if response.status != 204:
                    raise RuntimeError(f"the Rasa server refused the new model (HTTP {response.status})")

    models_dir = models_dir or door.published_models
    python = str(ROOT / ".venv" / "bin" / "python")
    app[ROUTING] = RoutingCheck(python, content_dir, messages_file)

    async def switch_and_check(model: Path) -> None:
        await switch(model)
        app[ROUTING].start(model)  # questions may now reach different articles

    app[RETRAINER] = Retrainer(
        content_dir,
        messages_file,
        models_dir,
        switch_and_check,
        python,
        active_model=door.knowledge.model,
        min_accuracy=door.knowledge.retrain_min_accuracy,
    )

    async def stop_background_work(app: web.Application) -> None:
        await app[ROUTING].stop()
        await app[RETRAINER].stop()

    app.on_cleanup.append(stop_background_work)  # type: ignore[arg-type]  # aiohttp 3.9's Signal typing
    app.add_routes(
        [
            web.get("/api/editor/articles", list_articles),
            web.get("/api/editor/articles/{id}", get_article),
            web.put("/api/editor/articles/{id}", publish),
            web.post("/api/editor/preview", preview),
            web.post("/api/editor/try", try_question),
            web.get("/api/editor/retraining", job_status),
            web.get("/api/editor/retraining/{id}", job_status),
            web.get("/api/editor/history", history),
            web.get("/api/editor/check", check),
            web.post("/api/editor/check/routing", start_routing_check),
            web.get("/api/editor/residents-questions", what_residents_asked),
        ]
    )
