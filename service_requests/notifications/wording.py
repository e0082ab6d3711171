"""What residents are told when their case changes, in plain English (pure: no I/O).

The same words serve the email, the text message, GOV.UK Notify's personalisation and the
chat's "Your report NB-… is now fixed".
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.status_words import headline, status_words

__all__ = ["WHAT_NEXT", "Change", "Wording", "compose", "headline", "status_words"]

WHAT_NEXT = {
    "OPEN": "It is waiting for a council officer to look at it.",
    "INVESTIGATING": "An officer is looking into it. We will tell you when that changes.",
    "IN_PROGRESS": "Work on it has started. We will tell you when it is finished.",
    "ACTION_SCHEDULED": "Work is booked in. We will tell you when it is done.",
    "FIXED": "Nothing more for you to do. If the problem comes back, please report it again.",
    "DUPLICATE": "Someone reported the same problem already; we are dealing with it under their report.",
    "NOT_COUNCILS_RESPONSIBILITY": "The note below says who looks after it, where we know.",
    "NO_FURTHER_ACTION": "We will not be taking further action. The note below says why, where given.",
    "INTERNAL_REFERRAL": "The team that deals with it will take it from here.",
    "CLOSED": "This report is now closed.",
}


@dataclass(frozen=True)
class Change:
    """One status change of one case, as the outbox holds it."""

    reference: str
    service_name: str
    old_status: str | None
    new_status: str
    notes: str | None
    first_name: str | None = None


@dataclass(frozen=True)
class Wording:
    subject: str
    body: str
    sms: str
    personalisation: dict[str, str]


def compose(change: Change, unsubscribe_url: str, chat_url: str, reply_by_email: bool) -> Wording:
    """The email, text message and Notify personalisation for one change.

    Args:
        change: What changed.
        unsubscribe_url: The signed link that stops updates about this case.
        chat_url: Where the web chat is (how to ask about the report).
        reply_by_email: Whether replying to the email reaches the council (a reply-to address is set).

    Returns:
        The words, ready to send.
    """
    head = headline(change.reference, change.new_status)
    was = f"It was {status_words(change.old_status)}. " if change.old_status else ""
    changed = f"{was}It is now {status_words(change.new_status)}."
    notes = (change.notes or "").strip()
    reply = (
        f"Reply to this email, or ask in the web chat at {chat_url} giving your reference {change.reference}."
        if reply_by_email
        else f"Ask in the web chat at {chat_url} giving your reference {change.reference}."
    )
    greeting = f"Dear {change.first_name.strip()}," if change.first_name and change.first_name.strip() else "Hello,"
    lines = [
        greeting,
        "",
        f"There is news about your {change.service_name.lower()} report, reference {change.reference}.",
        "",
        f"What changed: {changed}",
    ]
    if notes:
        lines += ["", f"Note from the council: {notes}"]
    lines += [
        "",
        f"What happens next: {WHAT_NEXT.get(change.new_status, 'We will tell you if anything changes.')}",
        "",
        f"Questions about this report? {reply}",
        "",
        "Northbridge Borough Council",
        "",
        f"You are getting this because you gave your email address for updates. Stop updates about this report: {unsubscribe_url}",
    ]
    sms = (
        f"Northbridge Council: {head}. Ask in the web chat quoting {change.reference}. Stop updates: {unsubscribe_url}"
    )
    personalisation = {
        "reference": change.reference,
        "service_name": change.service_name,
        "headline": head,
        "what_changed": changed,
        "status_notes": notes or "None given.",
        "what_happens_next": WHAT_NEXT.get(change.new_status, "We will tell you if anything changes."),
        "how_to_reply": reply,
        "unsubscribe_url": unsubscribe_url,
    }
    return Wording(subject=head, body="\n".join(lines) + "\n", sms=sms, personalisation=personalisation)
