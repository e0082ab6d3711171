"""What residents asked, for editors: the questions that led residents to choose an offered
article, and council matters with no article yet. The grouping is pure; the endpoint reads
the relay's measurement events from a real Redis."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest

from front_door.app import build_app
from front_door.editor_api import count_questions, residents_questions
from insight.events import Event
from insight.figures import shipped_urgent_words
from knowledge_base.cache import KnowledgeBaseCache
from live_handoff import auth
from live_handoff.settings import Settings
from live_handoff.store import Store, connect_redis
from tests.live_handoff.conftest import PASSWORD

NOW = dt.datetime(2026, 11, 20, 12, tzinfo=dt.timezone.utc)
CRISIS = "i want to end it all, anything for the kids"


@pytest.fixture(scope="module")
def articles():
    return KnowledgeBaseCache().get().articles


@pytest.fixture(scope="module")
def urgent_words():
    return shipped_urgent_words()


def chosen(cid: str, question: str, route: str = "faq:libraries") -> Event:
    return Event(NOW, "suggestion_chosen", cid, {"question": question, "route": route})


def unanswered(cid: str, text: str, topic: str | None = None) -> Event:
    return Event(NOW, "unanswered", cid, {"text": text, **({"topic": topic} if topic else {})})


def test_questions_are_counted_whatever_their_case_and_spacing_most_frequent_first():
    counted = count_questions(["Kids clubs", "kids  clubs", "KIDS CLUBS", "story time", "Story time", "a"])
    assert counted == [
        {"text": "Kids clubs", "count": 3},
        {"text": "story time", "count": 2},
        {"text": "a", "count": 1},
    ]


def test_questions_an_article_already_has_are_left_out():
    assert count_questions(["Library Card", "library card ", "kids books"], ["library card"]) == [
        {"text": "kids books", "count": 1}
    ]


def test_chosen_articles_come_with_their_title_and_the_questions_that_led_to_them(articles, urgent_words):
    known = articles["libraries"].questions[0]
    events = [
        chosen("c1", "somewhere quiet to study"),
        chosen("c2", "Somewhere quiet to study"),
        chosen("c3", known.upper()),
        chosen("c4", "toddler groups", "faq:children-families"),
        chosen("c5", "help with homework"),
        chosen("c6", "gone", "faq:no-such-article"),
    ]
    found = residents_questions(events, articles, urgent_words)
    assert found["chosen"] == [
        {
            "route": "faq:libraries",
            "article_id": "libraries",
            "title": articles["libraries"].title,
            "questions": [{"text": "somewhere quiet to study", "count": 2}, {"text": "help with homework", "count": 1}],
        },
        {
            "route": "faq:children-families",
            "article_id": "children-families",
            "title": articles["children-families"].title,
            "questions": [{"text": "toddler groups", "count": 1}],
        },
    ]
    assert found["missing"] == []


def test_missing_topics_are_grouped_by_topic_and_unanswered_questions_without_one_are_not(articles, urgent_words):
    events = [
        unanswered("c1", "dropped kerb outside my house", "dropped kerbs"),
        unanswered("c2", "How do I get a dropped kerb", "Dropped kerbs"),
        unanswered("c3", "how do i get a dropped kerb", "dropped kerbs"),
        unanswered("c4", "allotment waiting list", "allotments"),
        unanswered("c5", "banana bread recipe"),
    ]
    assert residents_questions(events, articles, urgent_words)["missing"] == [
        {
            "topic": "dropped kerbs",
            "questions": [
                {"text": "How do I get a dropped kerb", "count": 2},
                {"text": "dropped kerb outside my house", "count": 1},
            ],
        },
        {"topic": "allotments", "questions": [{"text": "allotment waiting list", "count": 1}]},
    ]


def test_nothing_from_an_urgent_contact_reaches_editors(articles, urgent_words):
    assert urgent_words.match_all(CRISIS), "the example must use the bot's own urgent words"
    events = [
        Event(NOW, "route", "c1", {"route": "urgent:crisis"}),
        chosen("c1", "youth clubs"),
        Event(NOW, "route", "c2", {"route": "faq:libraries", "signposts": ["crisis"]}),
        unanswered("c2", "dropped kerb", "dropped kerbs"),
        chosen("c3", CRISIS),
        unanswered("c4", CRISIS, "dropped kerbs"),
    ]
    assert residents_questions(events, articles, urgent_words) == {"chosen": [], "missing": []}


# Through the front door, with a real Redis ---------------------------------------------


@pytest.fixture
async def door(aiohttp_client, redis_server):
    settings = Settings(redis_url=redis_server.url, key_prefix=f"rq{uuid.uuid4().hex[:8]}")
    store = Store(connect_redis(settings.redis_url), settings.key_prefix)
    await auth.add_user(store, "eve", "Eve Editor", PASSWORD, {"editor"}, 1)
    await auth.add_user(store, "sam", "Sam Patel", PASSWORD, {"advisor"}, 1)
    client = await aiohttp_client(build_app(settings))
    client.store = store
    yield client
    await store.redis.close()


async def login(client, username: str) -> None:
    response = await client.post("/api/advisor/login", json={"username": username, "password": PASSWORD})
    assert response.status == 200


async def test_what_residents_asked_is_for_editors_only(door):
    assert (await door.get("/api/editor/residents-questions")).status == 401
    await login(door, "sam")
    assert (await door.get("/api/editor/residents-questions")).status == 403


async def test_editors_see_the_last_30_days_of_what_residents_asked(door):
    store = door.store
    old = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=31)
    old_ms = int(old.timestamp() * 1000)
    await store.redis.xadd(
        store.key("analytics"),
        id=f"{old_ms}-0",
        fields={
            "e": json.dumps(
                {
                    "kind": "suggestion_chosen",
                    "conversation_id": "c0",
                    "question": "a month ago",
                    "route": "faq:libraries",
                }
            )
        },
    )
    for cid, question in [("c1", "study space"), ("c2", "Study space"), ("c3", "wifi in the library")]:
        await store.record("route", conversation_id=cid, route="suggest")
        await store.record("suggestion_chosen", conversation_id=cid, question=question, route="faq:libraries")
    await store.record("unanswered", conversation_id="c4", text="dropped kerb please", topic="dropped kerbs")
    await store.record("unanswered", conversation_id="c5", text="banana bread")

    await login(door, "eve")
    response = await door.get("/api/editor/residents-questions")
    assert response.status == 200
    body = await response.json()
    assert [(a["article_id"], a["questions"]) for a in body["chosen"]] == [
        ("libraries", [{"text": "study space", "count": 2}, {"text": "wifi in the library", "count": 1}])
    ]
    assert body["chosen"][0]["route"] == "faq:libraries" and body["chosen"][0]["title"]
    assert body["missing"] == [{"topic": "dropped kerbs", "questions": [{"text": "dropped kerb please", "count": 1}]}]
    assert body["days"] == 30
