"""The report conversation, as pure functions: which question is next, what an answer
means, what the summary says. The questions come from the Open311 service definition.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from actions.reports import location
from actions.reports.reading import postcode_in
from contracts.masking import mask

HTML = re.compile(r"<\s*[a-zA-Z!/]|javascript:", re.IGNORECASE)
EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
PHONE = re.compile(r"^(\+44\s?7\d{3}|07\d{3})\s?\d{3}\s?\d{3}$|^0\d{2,4}\s?\d{3,4}\s?\d{3,4}$")
SKIP_WORDS = {"skip", "no", "none", "dont know", "don't know", "not sure", "no thanks", "no thank you", "n/a", "na"}
MAX_DESCRIPTION = 500
SKIPPED = ""
NO_CONTACT = "none"  # not empty: an empty slot would count as unanswered
POSTCODE_NOT_KNOWN = "not known"  # the resident does not know it; the street is enough for Open311

FIXED_FIELDS = {
    "report_postcode": "Postcode",
    "report_location": "Where",
    "report_description": "What",
    "report_contact": "Updates to",
}


def _plain(text: str) -> str:
    return " ".join((text or "").split())


def _has_html(text: str) -> bool:
    return bool(HTML.search(text or ""))


def check_postcode(text: str) -> tuple[str | None, str | None]:
    """(postcode, None) or (None, what to tell the resident)."""
    postcode = postcode_in(text or "")
    if postcode:
        return postcode, None
    return None, (
        "That doesn't look like a UK postcode. Please type the postcode where the problem is, for example NB4 2QT."
    )


def check_location(text: str) -> tuple[str | None, str | None]:
    text = _plain(text)
    if _has_html(text):
        return None, "Please use plain words, without < or > symbols."
    if len(text) < 3:
        return None, "Please tell me the street name, or a landmark such as a shop or bus stop."
    if len(text) > 200:
        return None, "That's a bit long. Please give just the street name or a nearby landmark (up to 200 characters)."
    return text, None


def check_description(text: str) -> tuple[str | None, str | None]:
    text = _plain(text)
    if _has_html(text):
        return None, "Please describe it in plain words, without < or > symbols."
    if len(text) < 3:
        return None, "Please say in a few words what the problem is."
    if len(text) > MAX_DESCRIPTION:
        return None, (
            f"That's a bit long for a report (up to {MAX_DESCRIPTION} characters). "
            "Please describe the problem in a sentence or two."
        )
    return text, None


def contact_question(retention_days: int) -> str:
    return (
        'Would you like updates? Type an email address or a UK phone number, or say "no thanks". '
        f"We use it only to tell you about this report, and delete it {retention_days} days after the "
        "report is closed."
    )


def check_contact(text: str) -> tuple[str | None, str | None]:
    """An email address, a UK phone number, or NO_CONTACT (the resident wants no updates)."""
    text = _plain(text)
    if text.lower().strip(".! ") in SKIP_WORDS:
        return NO_CONTACT, None
    if EMAIL.match(text):
        return text, None
    if PHONE.match(text):
        return re.sub(r"\s+", " ", text), None
    return None, ('Please give an email address or a UK phone number, or say "no thanks" if you don\'t want updates.')


def questions(definition: dict[str, Any]) -> list[dict[str, Any]]:
    """The service's own questions, in their order."""
    return sorted(definition.get("attributes", []), key=lambda a: a.get("order", 0))


def next_question(definition: dict[str, Any], answers: dict[str, str]) -> dict[str, Any] | None:
    for attribute in questions(definition):
        if attribute["code"] not in answers:
            return attribute
    return None


def answer_question(attribute: dict[str, Any], text: str) -> tuple[str | None, str | None]:
    """Interpret a reply to one of the service's questions: (value, None) or (None, message)."""
    text = _plain(text)
    if _has_html(text):
        return None, "Please use plain words, without < or > symbols."
    values = attribute.get("values") or []
    if values:
        lowered = text.lower().strip(".! ")
        for i, value in enumerate(values, start=1):
            if lowered in (value["key"].lower(), value["name"].lower(), str(i)):
                return value["key"], None
        for value in values:  # "the grey one", "grey bin please"
            if re.search(rf"\b{re.escape(value['key'].lower())}\b", lowered):
                return value["key"], None
        options = "; ".join(v["name"] for v in values)
        return None, f"Please choose one of: {options}."
    if not attribute.get("required") and text.lower().strip(".! ") in SKIP_WORDS:
        return SKIPPED, None
    if not text:
        return None, "Please type an answer."
    if len(text) > 200:
        return None, "Please keep this answer under 200 characters."
    return text, None


def answer_label(attribute: dict[str, Any], value: str) -> str:
    for option in attribute.get("values") or []:
        if option["key"] == value:
            return str(option["name"])
    return value or "(not given)"


def question_label(attribute: dict[str, Any]) -> str:
    """ "Which bin was missed" for the summary and buttons (the question without its "?" or notes)."""
    return str(attribute["description"]).split("?")[0].split("(")[0].strip()


def _short(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def change_buttons(slots: dict[str, Any], definition: dict[str, Any]) -> list[dict[str, str]]:
    """One button per answer given, showing the answer ("Where: 14 Elm Road")."""
    buttons = []
    for slot, label in FIXED_FIELDS.items():
        value = slots.get(slot)
        if value:
            shown = "no updates" if value == NO_CONTACT else str(value)
            buttons.append({"title": f"{label}: {_short(shown)}", "payload": f"change {slot.removeprefix('report_')}"})
    answers = slots.get("report_answers") or {}
    for attribute in questions(definition):
        if attribute["code"] in answers:
            buttons.append(
                {
                    "title": f"{question_label(attribute)}: {_short(answer_label(attribute, answers[attribute['code']]))}",
                    "payload": f"change {attribute['code']}",
                }
            )
    return buttons


def summary_lines(service_name: str, slots: dict[str, Any], definition: dict[str, Any]) -> list[str]:
    lines = [
        f"- **Problem**: {service_name}",
        f"- **Postcode**: {slots.get('report_postcode')}",
        f"- **Where**: {slots.get('report_location')}",
        f"- **What**: {slots.get('report_description')}",
    ]
    shared = location.summary_line(slots)
    if shared:  # in place of "Where" when no street was typed, else just after it
        lines[2:3] = [shared] if slots.get("report_location") == location.LOCATION_ONLY else [lines[2], shared]
    answers = slots.get("report_answers") or {}
    for attribute in questions(definition):
        if attribute["code"] in answers:
            question = question_label(attribute)
            lines.append(f"- **{question}**: {answer_label(attribute, answers[attribute['code']])}")
    contact = slots.get("report_contact") or NO_CONTACT
    lines.append(f"- **Updates**: {contact}")
    return lines


CHANGE = re.compile(r"^change[: ]+(.+)$", re.IGNORECASE)
ADVISOR_BUTTON = {"title": "Talk to an advisor", "payload": "/handoff"}
EXAMPLES = {
    "report_location": 'For example: "outside 14 Elm Road" or "by the bus stop on Mill Lane".',
    "report_description": 'For example: "The grey bin was out by 7am but wasn\'t emptied."',
}


def second_failure(key: str, problem: str, question: dict[str, Any] | None = None) -> tuple[str, list[dict[str, str]]]:
    """What to say when an answer fails a second time: why, an example, and ways out.

    The question itself is not asked again after this (see :func:`third_failure`).
    """
    if key == "report_postcode":
        return (
            "I still can't find a postcode in that. A postcode has two parts, like **NB4 2QT**: letters "
            "and numbers, a space, then a number and two letters. It is on any letter from the council. "
            "If you don't know it, that's fine: press \"I don't know the postcode\" and I'll go by the street.",
            [{"title": "I don't know the postcode", "payload": "I don't know the postcode"}, ADVISOR_BUTTON],
        )
    if key == "report_contact":
        return (
            "I still can't read that as an email address or a UK phone number. An email address looks like "
            "**name@example.com** and a mobile number like **07700 900123**. You don't have to give one: "
            'press "No thanks" to carry on without updates.',
            [{"title": "No thanks", "payload": "no thanks"}, ADVISOR_BUTTON],
        )
    if key == "report_confirmation":
        return (
            'I\'m not sure what you\'d like to do. Press "Send report" to send it as it is, "Change an '
            'answer" to correct something, or "Cancel" if you don\'t want to send it.',
            [
                {"title": "Send report", "payload": "send"},
                {"title": "Change an answer", "payload": "change"},
                {"title": "Cancel", "payload": "cancel"},
                ADVISOR_BUTTON,
            ],
        )
    if question and question.get("values"):
        return (
            "Please choose one of these (press a button or type its number):",
            [{"title": v["name"], "payload": v["key"]} for v in question["values"]] + [ADVISOR_BUTTON],
        )
    buttons = [{"title": "Skip", "payload": "skip"}] if question and not question.get("required") else []
    example = EXAMPLES.get(key, "")
    return (
        f"{problem} {example}".strip() + " If it's easier, an advisor can take the report with you.",
        buttons + [ADVISOR_BUTTON],
    )


def third_failure(
    key: str, value: str, question: dict[str, Any] | None, slots: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    """After two failed answers, go on without the answer where the report can, else pause.

    Returns the slot values to set and what to tell the resident. ``report_stopped`` in the
    values pauses the report (nothing is lost; an advisor is offered).
    """
    if key == "report_postcode":
        values: dict[str, Any] = {"report_postcode": POSTCODE_NOT_KNOWN}
        location, problem = check_location(value)
        if not problem and location and not slots.get("report_location") and len(location.split()) >= 2:
            values["report_location"] = location
        return values, "I'll carry on without the postcode; the street is enough for the crew to find it."
    if key == "report_contact":
        return {"report_contact": NO_CONTACT}, (
            "I'll carry on without contact details. You can still check progress with the reference I give you."
        )
    if question is not None and not question.get("required"):
        answers = dict(slots.get("report_answers") or {})
        answers[question["code"]] = SKIPPED
        return {"report_answers": answers}, "I'll leave that question out."
    return {"report_stopped": True}, (
        "Sorry, I'm not getting this right. An advisor can take the report with you, or you can carry on with it later."
    )


def interpret_confirmation(text: str) -> tuple[str, str | None]:
    """What the resident wants at the summary: ("send"|"cancel"|"change"|"unclear", field)."""
    lowered = _plain(text).lower().strip(".! ")
    match = CHANGE.match(lowered)
    if match:
        return "change", match.group(1).strip()
    if lowered in {
        "send",
        "yes",
        "y",
        "yes please",
        "send it",
        "send report",
        "submit",
        "confirm",
        "correct",
        "that's right",
        "thats right",
        "ok",
        "okay",
    }:
        return "send", None
    if lowered in {"cancel", "no", "cancel report", "don't send", "dont send", "cancel it"}:
        return "cancel", None
    if lowered in {"change", "change an answer", "edit", "wrong", "something's wrong"}:
        return "change", None
    return "unclear", None


def submission(service_code: str, slots: dict[str, Any]) -> dict[str, str]:
    """The Open311 POST form for the collected answers."""
    form = {
        "service_code": service_code,
        "address_string": slots["report_location"],
        "description": slots["report_description"],
        **location.form_fields(slots),
    }
    if form["address_string"] == location.LOCATION_ONLY:
        del form["address_string"]  # lat/long say where; there is no street to send
    if slots.get("report_postcode") and slots["report_postcode"] != POSTCODE_NOT_KNOWN:
        form["zipcode"] = slots["report_postcode"]
    for code, value in (slots.get("report_answers") or {}).items():
        if value != SKIPPED and code != location.KEY:
            form[f"attribute[{code}]"] = value
    contact = slots.get("report_contact") or NO_CONTACT
    if "@" in contact:
        form["email"] = contact
    elif contact != NO_CONTACT:
        form["phone"] = contact
    return form


def same_report(request: dict[str, Any], form: dict[str, str]) -> bool:
    """Whether a stored request is this submission (same place and words).

    The chat reads cases without a staff key, so the built-in service answers with the
    description masked; a council's own service may answer with it whole. Either counts.
    """
    description = request.get("description")
    return request.get("address") == form.get("address_string") and description in (
        form["description"],
        mask(form["description"]),
    )


STATUS_TEXT = {
    "OPEN": "We have your report and it is waiting to be looked at.",
    "INVESTIGATING": "We are looking into it.",
    "IN_PROGRESS": "Work on it is in progress.",
    "ACTION_SCHEDULED": "Work is booked in.",
    "FIXED": "It has been fixed.",
    "DUPLICATE": "It was already reported by someone else, so we are dealing with it under that report.",
    "NOT_COUNCILS_RESPONSIBILITY": "It is not something the council looks after, so we have passed it on or told the owner.",
    "NO_FURTHER_ACTION": "We looked at it and no further action is needed.",
    "INTERNAL_REFERRAL": "We have passed it to another council team.",
    "CLOSED": "It is closed.",
}


def status_in_plain_english(request: dict[str, Any]) -> str:
    """What is happening with a request, for a resident."""
    lines = [
        f"**{request['service_request_id']}** ({request.get('service_name', 'report')}): "
        + STATUS_TEXT.get(request.get("extended_status", ""), f"Status: {request.get('status')}.")
    ]
    if request.get("status_notes"):
        lines.append(f"Latest note: {request['status_notes']}")
    target = expected_by(request)
    if target:
        lines.append(target)
    return "\n\n".join(lines)


def _friendly_date(iso: str) -> str | None:
    """ "Friday 4 December 2026" for an ISO 8601 date-time (any zone form), None if unreadable."""
    try:
        moment = dt.datetime.fromisoformat(str(iso).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.strftime("%A %-d %B %Y")


DIFFICULTY = re.compile(
    r"\b(disab\w*|wheelchair|mobility|elderly|frail|can.?t (lift|carry|push|pull|manage)|struggl\w*|"
    r"difficult\w*|hard for me|bad back|arthritis|too heavy|poorly|ill health)\b",
    re.IGNORECASE,
)
ASSISTED_COLLECTION = (
    "If it's hard for you to get your bins out, you may be able to get an "
    "[assisted bin collection](https://www.northbridge.example/bins/assisted-collection), where the crew "
    "collects them from your property."
)
BULKY_WASTE = (
    "Need to get rid of large items yourself? You can book a "
    "[bulky waste collection](https://www.northbridge.example/bins/bulky-waste)."
)


def related_service(service_code: str, description: str) -> str | None:
    """One related service to mention after a report, where it helps."""
    if service_code in ("missed_bin", "bin_replacement") and DIFFICULTY.search(description or ""):
        return ASSISTED_COLLECTION
    if service_code == "fly_tipping":
        return BULKY_WASTE
    return None


def expected_by(request: dict[str, Any]) -> str | None:
    """ "We aim to deal with it by <date>." for an open request with a target date."""
    if request.get("status") == "open" and request.get("expected_datetime"):
        day = _friendly_date(request["expected_datetime"])
        return f"We aim to deal with it by {day}." if day else None
    return None
