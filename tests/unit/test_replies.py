import pytest

from knowledge_base import load_knowledge_base
from knowledge_base.replies import render_route


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


def test_an_article_reply_is_its_answer(kb):
    reply = render_route("faq:council-tax-pay", kb)
    assert reply.text.startswith(kb.article("council-tax-pay").answer)


def test_related_requests_and_advisor_offers_become_buttons(kb):
    with_requests = [a for a in kb.articles.values() if a.related_requests]
    with_advisor = [a for a in kb.articles.values() if a.offer_advisor]
    assert with_requests and with_advisor
    payloads = [b.payload for b in render_route(f"faq:{with_requests[0].id}", kb).buttons]
    assert f"/request_{with_requests[0].related_requests[0]}" in payloads
    assert "/handoff" in [b.payload for b in render_route(f"faq:{with_advisor[0].id}", kb).buttons]


def test_safeguarding_gives_999_both_safeguarding_lines_out_of_hours_and_an_advisor(kb):
    reply = render_route("urgent:safeguarding", kb)
    for must in ("999", "01632 960400", "01632 960300", "01632 960500"):
        assert must in reply.text
    assert [b.payload for b in reply.buttons] == ["/handoff"]


def test_emergency_gives_the_24_hour_line_and_what_to_do_now(kb):
    reply = render_route("urgent:emergency", kb)
    assert "01632 960999" in reply.text and "999" in reply.text and "What to do now" in reply.text


def test_second_misunderstanding_offers_an_advisor_instead_of_looping(kb):
    first = render_route("out_of_scope", kb, misunderstandings=0)
    second = render_route("out_of_scope", kb, misunderstandings=1)
    assert first.text != second.text
    assert "advisor" in second.text and "/handoff" in [b.payload for b in second.buttons]


def test_out_of_scope_points_to_gov_uk_where_it_is_the_right_place(kb):
    assert (
        "https://www.gov.uk/browse/abroad/passports" in render_route("out_of_scope", kb, text="renew my passport").text
    )
    assert "gov.uk" not in render_route("out_of_scope", kb, text="best pancake recipe").text


def test_tracking_uses_the_reference_when_given_and_asks_for_it_otherwise(kb):
    assert "NB-2026-000123" in render_route("track_request", kb, reference="NB-2026-000123").text
    assert "reference" in render_route("track_request", kb).text.lower()


def test_each_service_request_says_what_happens_next(kb):
    reply = render_route("request:missed_bin", kb)
    assert "report a missed bin" in reply.text and "reference number" in reply.text and "{" not in reply.text


def test_asking_for_a_person_carries_a_handoff(kb):
    assert render_route("handoff", kb).handoff == {"reason": "resident_asked", "priority": "normal"}


def test_a_mistyped_reference_gets_an_explanation_of_the_format(kb):
    reply = render_route("track_request", kb, text="any news on NB-2026-12")
    assert "NB, the year and six numbers" in reply.text
