"""Whether a staff password is strong enough, and a clear word on what is wrong if not.

Strength is judged by zxcvbn (offline: its own lists of common and breached passwords,
English words, names, keyboard patterns, dates, repeats and l33t spellings), with the
person's username and name and the council's own words as extra dictionary words.

Why a zxcvbn score of 3 or more: score 3 means at least 10^8 guesses are needed. After 5
failures logins are slowed to one try a minute, so online guessing never gets near that; 10^8 guesses against an
Argon2id hash (about 0.2 s of CPU each) is years of one core's work if the Redis holding
the hashes were ever copied. Score 4 (10^10) would refuse many ordinary three-word
passphrases, which people then write down.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 1000  # logins refuse longer passwords, so no account may have one
MIN_SCORE = 3
# zxcvbn's cost grows quickly with length and it refuses more than 72 characters; a
# password whose first 72 characters are hard to guess is hard to guess.
JUDGED_LENGTH = 72
COUNCIL_WORDS = ("northbridge", "borough", "council", "frontdesk", "front desk")
# Digits and symbols people put for letters, read back as letters to find a name in them.
_LEET = str.maketrans({"4": "a", "@": "a", "3": "e", "1": "i", "!": "i", "0": "o", "5": "s", "$": "s", "7": "t"})
_LEET_L = str.maketrans({"1": "l", "|": "l"})
ADVICE = (
    "Choose a passphrase instead: four or more everyday words picked at random, with spaces "
    "between them (for example from a dictionary opened at random pages), at least "
    f"{MIN_LENGTH} characters, and not your name, your username or the council's name."
)


def _personal_words(username: str, name: str) -> list[str]:
    """The words a guesser would try first for this person: username, its parts, name parts."""
    words = {username.lower(), *re.split(r"[._\-]+", username.lower()), *re.findall(r"[^\W\d_]+", name.lower())}
    return sorted(w for w in words if len(w) >= 3)


def _without(password: str, words: list[str]) -> tuple[str, bool]:
    """The password with every occurrence of ``words`` taken out (also spelt in l33t);
    and whether any was found."""
    keep = [True] * len(password)
    lowered = password.lower()
    for variant in (lowered, lowered.translate(_LEET), lowered.translate(_LEET).translate(_LEET_L)):
        for word in sorted(words, key=len, reverse=True):
            for found in re.finditer(re.escape(word), variant):
                keep[found.start() : found.end()] = [False] * (found.end() - found.start())
    remainder = "".join(char for char, kept in zip(password, keep) if kept)
    return remainder, len(remainder) < len(password)


def _reasons(result: dict[str, Any]) -> list[str]:
    """What zxcvbn found that makes the password guessable, in plain words."""
    reasons = []
    for match in result["sequence"]:
        pattern, source = match["pattern"], match.get("dictionary_name")
        if pattern == "dictionary" and source == "passwords":
            reasons.append("it is, or is close to, a commonly used password")
        elif pattern == "repeat":
            reasons.append("it repeats characters or words")
        elif pattern == "sequence":
            reasons.append("it contains a run such as abc or 1234")
        elif pattern == "spatial":
            reasons.append("it follows a keyboard pattern such as qwerty")
        elif pattern in ("date", "regex"):
            reasons.append("it contains a year or a date")
    return list(dict.fromkeys(reasons))


def problem(password: str, username: str = "", name: str = "") -> str | None:
    """What is wrong with ``password`` for this person, or None when it is strong enough.

    Args:
        password: the proposed password.
        username: the account's username (the password must not be built from it).
        name: the person's full name (nor from that).

    Returns:
        A message saying what is wrong and how to choose a better one, or None.
    """
    if len(password) < MIN_LENGTH:
        return f"That password is shorter than {MIN_LENGTH} characters. {ADVICE}"
    if len(password) > MAX_LENGTH:
        return f"That password is longer than {MAX_LENGTH} characters."
    personal = _personal_words(username, name)
    inputs = [*personal, *COUNCIL_WORDS]
    judged = password[:JUDGED_LENGTH]
    # zxcvbn keeps user_inputs in a module-level dictionary: call it from one thread at a time
    # (the CLI and add_user call it on the event loop's thread).
    result = zxcvbn(judged, user_inputs=inputs)
    # zxcvbn counts "SamPatel2026!!" as strong (a name is a rare word to it); what matters
    # is whether what is left after the person's and council's words is hard to guess.
    remainder, personal_found = _without(judged, personal)
    remainder, council_found = _without(remainder, list(COUNCIL_WORDS))
    reasons = []
    if personal_found or council_found:
        if not remainder.strip() or zxcvbn(remainder, user_inputs=inputs)["score"] < MIN_SCORE:
            if personal_found:
                reasons.append("it is built from your username or name")
            if council_found:
                reasons.append("it is built from the council's name")
    if result["score"] < MIN_SCORE:
        reasons += _reasons(result) or ([] if reasons else ["it is too predictable for its length"])
    if not reasons:
        return None
    return f"That password is too easy to guess: {', and '.join(reasons)}. {ADVICE}"


def generate(username: str = "", name: str = "") -> str:
    """A random password that always passes ``problem`` for this person (20 characters)."""
    while True:  # a random string is almost never weak; checking makes it never
        candidate = secrets.token_urlsafe(15)
        if problem(candidate, username, name) is None:
            return candidate
