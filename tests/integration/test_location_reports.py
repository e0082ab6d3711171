"""A pothole reported by "Use my location" through the real bot, action server and Open311."""

import json
import urllib.request

import jsonschema

from tests.integration.conftest import Conversation, buttons_of, route_of, text_of
from tests.integration.test_report_conversations import case, reference_in

HERE = {"lat": 52.452137, "long": -1.501249, "accuracy": 18}


def say(conversation: Conversation, text: str, metadata: dict | None = None) -> list[dict]:
    """What the relay sends for one message (metadata as in contracts/schemas/bot_metadata)."""
    body = {"sender": conversation.sender, "message": text, "metadata": {"channel": "web", **(metadata or {})}}
    request = urllib.request.Request(
        conversation.url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_a_pothole_reported_by_location_alone_reaches_open311_with_lat_and_long(servers, conversation):
    first = say(conversation, "there's a massive pothole on our road")
    location_button = next(b for b in buttons_of(first) if b["title"] == "Use my location")
    shared = say(conversation, location_button["payload"], {"location": HERE})
    assert "I'll use your current location (accuracy about 20 m)" in text_of(shared)
    assert route_of(shared)["location"] == "used"  # counted by the relay
    reply = say(conversation, "skip")
    assert "what is the problem" in text_of(reply)
    reply = say(conversation, "deep hole in the middle of the lane, a car tyre could go in")
    for _ in range(4):  # the pothole's own questions: the first option each time
        if "Would you like updates" in text_of(reply):
            break
        reply = say(conversation, buttons_of(reply)[0]["payload"])
    summary = say(conversation, "no thanks")
    assert "**Map location**: Your current location (accuracy about 20 m)" in text_of(summary)
    assert "openstreetmap.org/?mlat=52.45214&mlon=-1.50125" in text_of(summary)
    stored = case(servers, reference_in(say(conversation, "send")))
    assert (stored["lat"], stored["long"]) == (52.452, -1.501)  # anonymous read: rounded to the street
    assert not stored.get("address") and not stored.get("zipcode")  # empty fields are left out


def test_a_street_typed_instead_of_the_location_is_sent_as_before(servers, conversation):
    say(conversation, "there's a massive pothole on our road")
    reply = say(conversation, "NB4 2QT")
    assert "Use my location" in [b["title"] for b in buttons_of(reply)]
    reply = say(conversation, "outside 16 Station Road")
    assert "what is the problem" in text_of(reply) and "current location" not in text_of(reply)


def test_a_position_outside_the_area_is_said_in_the_route_metadata_valid_against_its_schema(
    servers, conversation, schemas
):
    say(conversation, "there's a massive pothole on our road")
    refused = say(conversation, "use my location", {"location": {"lat": 51.5007, "long": -0.1246, "accuracy": 9}})
    assert "outside Northbridge" in text_of(refused)
    route = [m["custom"] for m in refused if "route" in (m.get("custom") or {})][0]
    jsonschema.validate(route, schemas["bot_route"])
    assert route["route"]["location"] == "outside"
