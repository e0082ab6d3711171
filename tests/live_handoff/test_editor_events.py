"""What the relay records for editors from whole conversations: which offered article a
resident chose after an unsure answer, and council matters with no article yet.

The relay runs against a real Redis; Rasa's REST channel is played by a small script (the
bot's own `suggest` and `missing_topic` routes are tested with the bot), so each turn's
route is exactly the one under test.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from aiohttp import web

from live_handoff.editor_events import OFFERED
from tests.live_handoff.conftest import kind, resident, turns_finished

KIDS = "anything for the kids round here? call me on 07700 900123"
OFFER = ["faq:children-families", "faq:libraries"]


def replies(message: str, signposts: list[str]) -> list[dict]:
    """What the scripted bot answers: route metadata first, as the real bot does."""
    extra = {"signposts": signposts} if signposts else {}
    if message.startswith("/faq_"):
        article = message[len("/faq_") :].replace("_", "-")
        return [
            {"custom": {"route": {"name": f"faq:{article}", "confidence": 1.0, **extra}}},
            {"text": f"Here is the answer about {article}."},
        ]
    if "kerb" in message:
        return [
            {"custom": {"route": {"name": "missing_topic", "topic": "dropped kerbs", "confidence": 0.3, **extra}}},
            {"text": "We don't have an answer about dropped kerbs yet."},
        ]
    return [
        {"custom": {"route": {"name": "suggest", "confidence": 0.4, "suggestions": OFFER, **extra}}},
        {
            "text": "Did you mean one of these?",
            "buttons": [
                {"title": "Children and families", "payload": "/faq_children_families"},
                {"title": "Libraries", "payload": "/faq_libraries"},
            ],
        },
    ]


@pytest.fixture
async def scripted_bot(aiohttp_server):
    """A stand-in for Rasa's REST channel; ``signposts`` are added to every route when set."""
    signposts: list[str] = []

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response(replies(body["message"], signposts))

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    server = await aiohttp_server(app)
    server.signposts = signposts
    return server


@pytest.fixture
async def chat(settings, store, scripted_bot, make_client):
    client = await make_client(replace(settings, rasa_url=str(scripted_bot.make_url(""))))
    sock, welcome = await resident(client)
    sent = 0

    async def say(text: str, payload: str | None = None) -> None:
        nonlocal sent
        sent += 1
        await sock.send(
            {"type": "message", "client_id": f"m{sent}", "text": text, **({"payload": payload} if payload else {})}
        )
        await sock.next(kind("message", **{"from": "bot"}), timeout=10)
        await turns_finished(store)  # what is kept for editors is written after the answer

    say.conversation_id = welcome["conversation_id"]
    return say


async def recorded(store, *kinds: str, routes: int) -> list[dict]:
    """The events of these kinds, after ``routes`` turns (each finished: see ``chat``)."""
    events = await store.analytics()
    assert sum(e["kind"] == "route" for e in events) == routes
    return [e for e in events if e["kind"] in kinds]


async def test_pressing_an_offered_article_records_the_masked_question_that_led_to_it(chat, store):
    await chat(KIDS)
    await chat("Libraries", "/faq_libraries")
    chosen = await recorded(store, "suggestion_chosen", routes=2)
    assert [(e["question"], e["route"], e["conversation_id"]) for e in chosen] == [
        ("anything for the kids round here? call me on [phone]", "faq:libraries", chat.conversation_id)
    ]
    assert await store.field(chat.conversation_id, OFFERED) == ""


async def test_the_same_button_pressed_again_later_is_not_counted_twice(chat, store):
    await chat(KIDS)
    await chat("Libraries", "/faq_libraries")
    await chat("Libraries", "/faq_libraries")
    assert len(await recorded(store, "suggestion_chosen", routes=3)) == 1


async def test_an_article_the_bot_did_not_offer_records_nothing(chat, store):
    await chat(KIDS)
    await chat("Council tax", "/faq_council_tax_pay")
    assert await recorded(store, "suggestion_chosen", "unanswered", routes=2) == []


async def test_a_missing_topic_is_kept_as_unanswered_with_its_topic(chat, store):
    await chat("can I get a dropped kerb outside 12 Acacia Road")
    unanswered = await recorded(store, "unanswered", routes=1)
    assert [(e["text"], e["topic"]) for e in unanswered] == [
        ("can I get a dropped kerb outside [address]", "dropped kerbs")
    ]


async def test_nothing_is_kept_for_editors_when_the_answers_carried_urgent_numbers(chat, store, scripted_bot):
    await chat(KIDS)
    scripted_bot.signposts.append("crisis")
    await chat("Libraries", "/faq_libraries")
    await chat("can I get a dropped kerb")
    assert await recorded(store, "suggestion_chosen", "unanswered", routes=3) == []
