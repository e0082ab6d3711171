"""What residents and advisors read from the relay itself, in plain English, in one place.

Facts (numbers, hours) follow knowledge_base/FACTS.md.
"""

from __future__ import annotations

from knowledge_base import urgent

# Handoff reasons that are urgent categories (knowledge_base/urgent.py): a resident who
# cannot get an advisor for one of these is given the category's own numbers first.
URGENT_REASONS = frozenset(urgent.BY_NAME)

QUEUED = "You're in the queue for an advisor. You can keep this page open and carry on browsing."
JOINED = "{name} has joined the chat."
TRANSFERRED = "You're now chatting with {name}."
HANDED_BACK = "{name} has passed you back to the assistant. Ask another question any time."
WAIT_CANCELLED = "You've stopped waiting. The assistant is here if you need it."
CLOSED_BY_ADVISOR = "{name} has ended the chat. Thank you for contacting Northbridge Borough Council."
CLOSED_IDLE = "We've closed this chat because we didn't hear from you. You can start a new one any time."
CLOSED_BY_RESIDENT = "You've ended the chat. Thank you for contacting Northbridge Borough Council."
REOPENED = "You're chatting with the assistant again."
BOT_SLOW = "Sorry, this is taking longer than usual. You can wait, or talk to an advisor."
# Over the cap on bot turns in flight (RELAY_LIMIT_BOT_TURNS): the message is answered when a slot frees.
BOT_BUSY = "Lots of people are using the chat right now. One moment, and we'll answer your message."
BOT_UNAVAILABLE = (
    "Sorry, the assistant isn't working at the moment. Your message is saved. You can try again, or talk to an advisor."
)
TURN_LOST = (
    "Sorry, the assistant didn't get to answer your last message. Your message is saved. "
    "You can try again, or talk to an advisor."
)
ADVISOR_GONE = (
    "{name} has been disconnected. You're back in the queue and the next advisor will see everything you've said."
)
STILL_QUEUED = "You're already in the queue for an advisor."
ALREADY_WITH_ADVISOR = "You're already chatting with an advisor."
MESSAGE_LEFT = (
    "Thank you, your message has been passed to our contact centre (reference {reference}). "
    "An advisor will reply on the next working day."
)
MESSAGE_SAVED = (
    "Thank you, your message is saved and will reach our contact centre. An advisor will reply on the next working day."
)
RATING_THANKS = "Thank you for your feedback."
SESSION_ENDED = "Your session has ended. Please log in again."
# Advisors' refusals (access.py): the same words whether or not the conversation exists.
NOT_YOURS_TO_OPEN = (
    "You can open a chat only while it is waiting in the queue, is yours, or was yours before. "
    "That one is not (or it has ended long ago). A supervisor can open any chat."
)
NOTES_ON_OWN_CHATS = "You can add notes only to chats you have now."
NO_LONGER_SHOWN = "That chat is now with another advisor, so it is no longer shown to you."


def first_name(name: str) -> str:
    """What residents see of an advisor's name."""
    return (name or "An advisor").split(" ", 1)[0]


# Only for when the knowledge base cannot be read, or an edit lost a number from its
# `urgent.<category>.no_advisor` text (the loader refuses such edits; this is the second
# line of defence). Each gives every number knowledge_base/urgent.py requires for its
# category; knowledge_base/FACTS.md says where each national number was checked.
URGENT_NO_ADVISOR_FALLBACK = {
    "crisis": (
        "Please don't wait for us. If your life, or someone else's, is at risk now, call **999**. "
        "**Samaritans** are there any time, free, on **116 123**. For urgent mental health help, "
        "call **NHS 111**."
    ),
    "domestic_abuse": (
        "If you are in danger now, call **999**. The **National Domestic Abuse Helpline** is free and "
        "open 24 hours a day on **0808 2000 247**. For somewhere safe to stay tonight, call Housing "
        "Options on **01632 960210** (Monday to Friday 8:30am to 5pm) or **01632 960999** out of hours."
    ),
    "safeguarding": (
        "If anyone is in immediate danger, call **999**. To tell us about a child at risk, call "
        "**01632 960400**; an adult at risk, **01632 960300** (Monday to Friday 8:30am to 5pm); out of "
        "hours, the Emergency Duty Team on **01632 960500**."
    ),
    "danger": (
        "If someone is in danger, hurt, or a crime is happening now, call **999** straight away. "
        "For police matters that are not an emergency, call **101**."
    ),
    "gas": (
        "If you smell gas or think there is carbon monoxide, get outside and call the **National Gas "
        "Emergency Service** free on **0800 111 999**, 24 hours a day. If anyone feels unwell, call **999**."
    ),
    "power": (
        "For a power cut or a damaged power line, call **105** (free, 24 hours) and stay well away "
        "from fallen cables. If anyone is in danger, call **999**."
    ),
    "emergency": (
        "If anyone is hurt or in danger, call **999**. For a council emergency that cannot wait (a tree "
        "down, a dangerous wall or building, flooding, a council home with no heating or water), call "
        "our 24-hour line on **01632 960999**."
    ),
}
# A category added to knowledge_base/urgent.py before its fallback is written here still
# gets 999 (tests/live_handoff/unit/test_texts.py fails until it is written).
_ANY_URGENT_FALLBACK = "If anyone is hurt or in danger now, call **999**."


def contact_centre_status(
    open_now: bool, next_opening: str, hours_text: str = "Monday to Friday, 8:30am to 5pm"
) -> str:
    if open_now:
        return f"Advisors are available {hours_text}."
    return f"Our advisors are not available right now. They're back {next_opening}."


def urgent_no_advisor(category: str, text: str | None) -> str:
    """What to do instead of waiting for an advisor, for an urgent category.

    Args:
        category: An urgent category's name (``crisis``, ``gas``...).
        text: The knowledge base's ``urgent.<category>.no_advisor`` text, or None when it
            could not be read.

    Returns:
        ``text`` when it gives every number the category requires, else the fallback here.
    """
    if text and text.strip() and category in urgent.BY_NAME and not urgent.missing_numbers(category, text):
        return text.strip()
    return URGENT_NO_ADVISOR_FALLBACK.get(category, _ANY_URGENT_FALLBACK)


def advisor_guide(category: str, text: str | None) -> str:
    """The "What to do" guide advisors see for chats of an urgent category.

    Args:
        category: An urgent category's name.
        text: The knowledge base's ``urgent.<category>.advisor_guide`` text, or None.

    Returns:
        ``text``, or, when the knowledge base has none, the numbers the resident must be given.
    """
    if text and text.strip():
        return text.strip()
    return "If anyone is in danger now, 999. Make sure the resident has these numbers: " + urgent_no_advisor(
        category, None
    ).replace("**", "")


def no_advisor(
    reason: str | None,
    open_now: bool,
    next_opening: str,
    hours_text: str = "Monday to Friday, 8:30am to 5pm",
    urgent_text: str | None = None,
) -> str:
    """Why nobody can take the chat now, and what the resident can do instead.

    Args:
        reason: The handoff reason. For an urgent category the category's numbers come
            first: someone in danger must not have to read past "not available" to find them.
        open_now: Whether the contact centre is open (if so, every advisor is busy or away).
        next_opening: When it opens next, in words.
        hours_text: The opening hours, in words.
        urgent_text: The knowledge base's ``urgent.<reason>.no_advisor`` text (None: the
            fallback in this module is used).

    Returns:
        Markdown for a ``system`` message.
    """
    if open_now:
        lead = "Sorry, no advisors are free to chat right now."
    else:
        lead = (
            f"Our advisors are not available right now ({hours_text}, closed on "
            f"bank holidays). They're back {next_opening}."
        )
    offer = (
        "leave a message and an advisor will reply on the next working day, or phone **01632 960000** "
        "during opening hours."
    )
    if reason in URGENT_REASONS:
        return f"{urgent_no_advisor(reason, urgent_text)}\n\n{lead}\n\nIf it can wait, you can {offer}"
    return f"{lead}\n\nYou can {offer}"
