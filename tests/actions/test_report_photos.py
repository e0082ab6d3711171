"""Photos with a report: offered at the description, listed in the summary, and sent to
the real Open311 service as media_url (the relay's metadata says which are waiting)."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.reports import actions as report_actions
from actions.reports import photos
from tests.actions.test_report_actions import golden, open311  # noqa: F401  (fixture)

PHOTOS = [
    {"id": "p_aaaaaaaaaaaaaaaaaaaaaa", "url": "https://chat.northbridge.example/photos/one.jpg"},
    {"id": "p_bbbbbbbbbbbbbbbbbbbbbb", "url": "https://chat.northbridge.example/photos/two.jpg"},
]


def with_metadata(tracker, metadata):
    tracker.latest_message["metadata"] = metadata
    return tracker


async def test_a_report_sent_with_photos_carries_the_first_as_media_url_and_all_to_the_relay(open311):  # noqa: F811
    dispatcher = CollectingDispatcher()
    tracker = with_metadata(golden("report_ready_to_send"), {"channel": "web", "photos": PHOTOS})
    events = await report_actions.ActionSubmitReport().run(dispatcher, tracker, {})
    reference = next(e["value"] for e in events if e.get("name") == "reference")
    stored = await open311.get_request(reference)
    assert stored["media_url"] == "https://chat.northbridge.example/photos/one.jpg"
    case = next(m["custom"]["case"] for m in dispatcher.messages if (m.get("custom") or {}).get("case"))
    assert case["photos"] == [p["id"] for p in PHOTOS]


async def test_a_report_without_photos_has_no_media_url_and_its_case_lists_none(open311):  # noqa: F811
    dispatcher = CollectingDispatcher()
    events = await report_actions.ActionSubmitReport().run(dispatcher, golden("report_ready_to_send"), {})
    reference = next(e["value"] for e in events if e.get("name") == "reference")
    assert (await open311.get_request(reference)).get("media_url") is None  # empty fields are left out
    case = next(m["custom"]["case"] for m in dispatcher.messages if (m.get("custom") or {}).get("case"))
    assert "photos" not in case


async def test_the_summary_before_sending_says_how_many_photos_go_with_it(open311):  # noqa: F811
    dispatcher = CollectingDispatcher()
    tracker = with_metadata(golden("report_ready_to_send", report_confirmation=None), {"photos": PHOTOS})
    await report_actions.ActionAskReportConfirmation().run(dispatcher, tracker, {})
    assert "- **Photos**: 2" in dispatcher.messages[0]["text"]


async def test_the_description_question_offers_a_photo_and_the_offer_is_never_taken_as_the_answer(open311):  # noqa: F811
    dispatcher = CollectingDispatcher()
    tracker = golden("report_ready_to_send", report_failures=None)
    await report_actions.ActionAskReportDescription().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["buttons"] == [{"title": "Add a photo", "payload": "/add_photo"}]
    result = await report_actions.ValidateReportForm().validate_report_description(
        "/add_photo", CollectingDispatcher(), tracker, {}
    )
    assert result == {"report_description": None}


def test_only_well_formed_photos_are_taken_from_the_metadata_and_at_most_three():
    given = [
        *PHOTOS,
        {"id": "p_c", "url": "javascript:alert(1)"},
        {"id": 5, "url": "https://x.example/a.jpg"},
        "p_d",
        {"id": "p_e", "url": "https://x.example/e.jpg"},
        {"id": "p_f", "url": "https://x.example/f.jpg"},
    ]
    assert [p["id"] for p in photos.waiting({"photos": given})] == [PHOTOS[0]["id"], PHOTOS[1]["id"], "p_e"]
    assert photos.waiting(None) == [] and photos.waiting({"photos": "p_x"}) == []
