"""What residents and advisors read from the relay itself, in plain English, in one place.

Facts (numbers, hours) follow knowledge_base/FACTS.md.
"""

from __future__ import annotations

EMERGENCY_REASONS = frozenset({"safeguarding", "emergency"})

QUEUED = "You're in the queue for an advisor. You can keep this page open and carry on browsing."
JOINED = "{name} has joined the chat."
TRANSFERRED = "You're now chatting with {name}."
HANDED_BACK = "{name} has passed you back to the assistant. Ask another question any time."
WAIT_CANCELLED = "You've stopped waiting. The assistant is here if you need it."
CLOSED_BY_ADVISOR = "{name} has ended the chat. Thank you for contacting Northbridge Borough Council."
CLOSED_IDLE = "We've closed this chat because we didn't hear from you. You can start a new one any time."
CLOSED_BY_RESIDENT = "You've ended the chat. Thank you for contacting Northbridge Borough Council."
BOT_SLOW = "Sorry, this is taking longer than usual. You can wait, or talk to an advisor."
BOT_UNAVAILABLE = ("Sorry, the assistant isn't working at the moment. Your message is saved. "
                   "You can try again, or talk to an advisor.")
ADVISOR_GONE = ("{name} has been disconnected. You're back in the queue and the next advisor will see "
                "everything you've said.")
STILL_QUEUED = "You're already in the queue for an advisor."
ALREADY_WITH_ADVISOR = "You're already chatting with an advisor."
MESSAGE_LEFT = ("Thank you, your message has been passed to our contact centre (reference {reference}). "
                "An advisor will reply on the next working day.")
MESSAGE_SAVED = ("Thank you, your message is saved and will reach our contact centre. "
                 "An advisor will reply on the next working day.")
RATING_THANKS = "Thank you for your feedback."

_EMERGENCY_NUMBERS = (
    "If anyone is in immediate danger, call **999**.\n\n"
    "Out of hours:\n"
    "- Emergency Duty Team (adults and children at risk): **01632 960500**\n"
    "- Council emergencies (trees down, dangerous buildings, flooding, no heating or water in a "
    "council home): **01632 960999**"
)


def contact_centre_status(open_now: bool, next_opening: str, hours_text: str = "Monday to Friday, 8:30am to 5pm") -> str:
    if open_now:
        return f"Advisors are available {hours_text}."
    return f"Our advisors are not available right now. They're back {next_opening}."


def no_advisor(reason: str | None, open_now: bool, next_opening: str,
               hours_text: str = "Monday to Friday, 8:30am to 5pm") -> str:
    """Why nobody can take the chat now, and what the resident can do instead."""
    if open_now:
        lead = "Sorry, no advisors are free to chat right now."
    else:
        lead = (f"Our advisors are not available right now ({hours_text}, closed on "
                f"bank holidays). They're back {next_opening}.")
    extra = f"\n\n{_EMERGENCY_NUMBERS}" if reason in EMERGENCY_REASONS else ""
    return (f"{lead}{extra}\n\nYou can leave a message and an advisor will reply on the next working day, "
            "or phone **01632 960000** during opening hours.")
