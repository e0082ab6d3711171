"""A report sent again (after a timeout, a dropped connection, a server error or a restart of
the action server) gets the case the first send made: the key comes from the conversation."""

import sqlite3

import pytest
from aiohttp import web
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.open311 import Open311Client, Open311Settings, Open311UncertainError
from actions.reports import actions as report_actions
from actions.reports.report_key import report_key, report_started
from service_requests.app import create_standalone_app
from service_requests.settings import Settings
from tests.actions.test_report_actions import KEY, golden


def slot(name, value, timestamp):
    return {"event": "slot", "name": name, "value": value, "timestamp": timestamp}


STARTED = [
    {"event": "action", "name": "action_session_start", "timestamp": 1.0},
    {"event": "session_started", "timestamp": 1.1},
    {"event": "user", "text": "pothole on my road", "timestamp": 2.0},
    slot("report_service", "pothole", 2.5),
    {"event": "active_loop", "name": "report_form", "timestamp": 2.6},
]
ANSWERED = STARTED + [slot("report_postcode", "NB4 2QT", 3.0), slot("report_confirmation", "send", 4.0)]


def test_every_send_of_one_report_has_the_same_key_however_far_the_conversation_went():
    key = report_key("conv-1", STARTED)
    assert key and key.startswith("chat-") and len(key) == 37
    assert report_key("conv-1", ANSWERED) == key
    # "Try again" (/request_pothole) starts the form again with the same service: the same report.
    assert report_key("conv-1", ANSWERED + [slot("report_service", "pothole", 9.0)]) == key


def test_a_new_report_another_service_or_another_conversation_has_another_key():
    key = report_key("conv-1", ANSWERED)
    sent_then_new = ANSWERED + [slot("report_service", None, 5.0), slot("report_service", "pothole", 6.0)]
    switched = ANSWERED + [slot("report_service", "graffiti", 5.0)]
    assert (
        len({key, report_key("conv-1", sent_then_new), report_key("conv-1", switched), report_key("conv-2", ANSWERED)})
        == 4
    )


def test_no_key_when_no_report_is_being_taken_or_the_session_started_again():
    assert report_key("conv-1", []) is None
    assert report_key("conv-1", ANSWERED + [slot("report_service", None, 5.0)]) is None
    assert report_started(ANSWERED + [{"event": "session_started", "timestamp": 7.0}]) is None
    assert report_key("conv-1", ANSWERED + [{"event": "restart", "timestamp": 7.0}]) is None


def with_events(events, **slots) -> Tracker:
    tracker = golden("report_ready_to_send", **slots)
    return Tracker.from_dict({**tracker.current_state(), "sender_id": "conv-resend", "events": events})


class Gateway:
    """A real HTTP hop in front of Open311 that passes a POST on, then loses the answer the
    way a crash (``drop``) or a gateway (``502``) does, once; later requests, and every
    request with ``pass``, go through untouched."""

    def __init__(self, upstream: str, mode: str):
        self.upstream, self.mode, self.failed = upstream, mode, mode == "pass"

    async def handle(self, request: web.Request) -> web.StreamResponse:
        import aiohttp

        body = await request.read()
        async with aiohttp.ClientSession() as session:
            async with session.request(
                request.method,
                self.upstream + request.match_info["tail"],
                params=request.query,
                data=body,
                headers={"Content-Type": request.headers.get("Content-Type", "")},
            ) as answer:
                status, payload = answer.status, await answer.read()
        if request.method == "POST" and not self.failed:
            self.failed = True
            if self.mode == "drop":  # the connection dies before the answer is written
                assert request.transport is not None
                request.transport.abort()
                return web.Response()
            return web.Response(status=502, text="Bad gateway")
        return web.Response(status=status, body=payload, content_type="application/json")


@pytest.fixture
async def open311_behind(aiohttp_server, tmp_path, monkeypatch):
    database = tmp_path / "cases.sqlite3"
    settings = Settings.from_env(
        {"OPEN311_API_KEYS": KEY, "OPEN311_STAFF_KEYS": "staff-key-0123456789", "OPEN311_DB": str(database)}
    )
    service = await aiohttp_server(create_standalone_app(settings))

    async def start(mode: str) -> Open311Client:
        gateway = Gateway(str(service.make_url("/open311/v2/")), mode)
        app = web.Application()
        app.router.add_route("*", "/open311/v2/{tail:.*}", gateway.handle)
        server = await aiohttp_server(app)
        client = Open311Client(Open311Settings(str(server.make_url("/open311/v2/")), KEY, 5.0))
        monkeypatch.setattr(report_actions, "open311", lambda: client)
        return client

    start.database = database  # type: ignore[attr-defined]
    return start


def cases(database) -> int:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT COUNT(*) FROM requests").fetchone()[0]


@pytest.mark.parametrize("mode", ["drop", "502"])
async def test_the_client_resending_under_the_same_key_gets_the_first_case(open311_behind, mode):
    client = await open311_behind(mode)
    form = {"service_code": "pothole", "description": "Hole", "address_string": "Mill Lane"}
    form.update({"attribute[surface]": "road", "attribute[size]": "large"})
    with pytest.raises(Open311UncertainError):
        await client.submit(form, "chat-client-resend-1")
    again = await client.submit(form, "chat-client-resend-1")
    stored = await client.get_request(again["service_request_id"])
    assert stored is not None and stored["description"] == "Hole"
    assert cases(open311_behind.database) == 1


@pytest.mark.parametrize("mode", ["drop", "502"])
async def test_a_retry_after_the_action_server_lost_the_answer_gives_the_first_reference(open311_behind, mode):
    await open311_behind(mode)
    tracker = with_events(ANSWERED)
    lost = CollectingDispatcher()
    await report_actions.ActionSubmitReport().run(lost, tracker, {})
    assert not any("reference is" in (m.get("text") or "") for m in lost.messages)
    # The server that ran it died before Rasa stored its events: the tracker is as it was.
    retried = CollectingDispatcher()
    events = await report_actions.ActionSubmitReport().run(retried, tracker, {})
    reference = next(e["value"] for e in events if e.get("name") == "reference")
    assert any(f"Your reference is **{reference}**" in (m.get("text") or "") for m in retried.messages)
    assert cases(open311_behind.database) == 1


async def test_a_second_report_in_the_same_conversation_is_a_second_case(open311_behind):
    await open311_behind("pass")
    first = await report_actions.ActionSubmitReport().run(CollectingDispatcher(), with_events(ANSWERED), {})
    later = ANSWERED + [slot("report_service", None, 5.0), slot("report_service", "pothole", 6.0)]
    second = await report_actions.ActionSubmitReport().run(CollectingDispatcher(), with_events(later), {})
    references = {next(e["value"] for e in run if e.get("name") == "reference") for run in (first, second)}
    assert len(references) == 2 and cases(open311_behind.database) == 2


def test_the_form_the_chat_sends_matches_the_written_contract():
    import json
    from pathlib import Path

    import jsonschema

    from actions.reports import flow

    schema = json.loads(
        (Path(__file__).resolve().parents[2] / "contracts" / "open311" / "request_submission.schema.json").read_text()
    )
    tracker = with_events(ANSWERED)
    form = flow.submission("pothole", tracker.current_slot_values())
    sent = {**form, "api_key": KEY, "client_request_key": report_key(tracker.sender_id, tracker.events)}
    jsonschema.Draft202012Validator(schema).validate(sent)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate({**sent, "client_request_key": "not a key"})


def crashed_mid_send(text="send", **slots) -> Tracker:
    state = with_events(ANSWERED, **slots).current_state()
    state["latest_message"] = {"text": text, "intent": {"name": "out_of_scope", "confidence": 0.3}, "entities": []}
    return Tracker.from_dict(state)


def test_send_repeated_after_a_crash_mid_send_runs_the_form_again_with_every_answer():
    dispatcher = CollectingDispatcher()
    events = report_actions.resume_interrupted_send(crashed_mid_send("Send report"), dispatcher)
    assert events is not None and events[-1] == {"event": "followup", "timestamp": None, "name": "report_form"}
    assert dispatcher.messages[0]["custom"]["route"]["name"] == "request:pothole"
    assert not any(m.get("text") for m in dispatcher.messages)  # the submit action does the talking


@pytest.mark.parametrize(
    "tracker",
    [
        crashed_mid_send("what is the tip opening time"),  # another question: answered as usual
        crashed_mid_send(report_confirmation=None),  # the send finished (any outcome clears "send")
        crashed_mid_send(report_confirmation=report_actions.MAYBE_SENT),  # "Try again" handles that
        crashed_mid_send(report_service=None),
    ],
)
def test_anything_else_is_routed_as_usual(tracker):
    assert report_actions.resume_interrupted_send(tracker, CollectingDispatcher()) is None


def test_nothing_is_resumed_while_the_form_is_still_asking():
    state = crashed_mid_send().current_state()
    state["active_loop"] = {"name": "report_form"}
    assert report_actions.resume_interrupted_send(Tracker.from_dict(state), CollectingDispatcher()) is None


async def test_a_confirmed_report_sent_again_does_not_call_its_own_case_a_possible_duplicate(open311_behind):
    await open311_behind("pass")
    await report_actions.ActionSubmitReport().run(CollectingDispatcher(), with_events(ANSWERED), {})
    dispatcher = CollectingDispatcher()
    await report_actions.ValidateReportForm().validate_report_postcode("NB4 2QT", dispatcher, crashed_mid_send(), {})
    assert not dispatcher.messages
