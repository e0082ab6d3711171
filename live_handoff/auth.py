"""Advisors' and editors' logins: Argon2id password hashes, expiring sessions, CSRF tokens."""

from __future__ import annotations

import asyncio
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from live_handoff import passwords
from live_handoff.store import Store

USERNAME = re.compile(r"^[a-z0-9._-]{2,40}$")
ROLES = frozenset({"advisor", "editor", "manager", "supervisor", "dpo"})
# A data protection officer answers subject access and erasure requests (the privacy page); no other role does.
# A supervisor takes chats and reads the managers' report: what they may do is the union.
IMPLIED_ROLES = {"supervisor": ("advisor", "manager")}
MIN_PASSWORD = passwords.MIN_LENGTH
MAX_FAILURES = 5  # per username, per 15 minutes
MAX_ADDRESS_FAILURES = 20  # per client address, per 15 minutes: guessing across many usernames
# Hashing takes ~0.2 s of CPU: done in threads, two at a time, so logins never stall chats.
_HASHING = asyncio.Semaphore(2)
_hasher = PasswordHasher()
# A real hash to check against when the username is unknown, so timing does not tell.
_DUMMY = _hasher.hash("not-a-real-password-at-all")


def effective_roles(stored: str) -> list[str]:
    """The roles an account acts with: its own, plus those a role implies, in a stable order."""
    own = [r for r in stored.split(",") if r]
    implied = [i for r in own for i in IMPLIED_ROLES.get(r, ())]
    return sorted(set(own + implied))


class AuthError(Exception):
    """A login or account change that cannot go ahead; the message is safe to show."""


class WeakPasswordError(AuthError):
    """A new password that is too short or too easy to guess; the message says why and what to do."""


def hash_password(password: str, username: str = "", name: str = "") -> str:
    """The Argon2id hash of a new password, once it is strong enough for this person.

    Args:
        password: the new password.
        username, name: whose it is: a password built from them is refused.

    Raises:
        WeakPasswordError: too short, common, or built from the username, name or the
            council's name (``live_handoff.passwords``).
    """
    found = passwords.problem(password, username, name)
    if found:
        raise WeakPasswordError(found)
    return _hasher.hash(password)


def check_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def add_user(store: Store, username: str, name: str, password: str, roles: set[str], capacity: int) -> None:
    if not USERNAME.match(username):
        raise AuthError("Usernames are 2-40 lower-case letters, digits, dots, dashes or underscores.")
    if not roles or not roles <= ROLES:
        raise AuthError(f"Roles must be some of: {', '.join(sorted(ROLES))}.")
    if not 1 <= capacity <= 20:
        raise AuthError("Capacity (concurrent chats) must be between 1 and 20.")
    if not name.strip():
        raise AuthError("Give the person's name (residents see the first name).")
    hashed = hash_password(password, username, name)
    await store.save_advisor(username, name.strip(), hashed, ",".join(sorted(roles)), capacity)


class TooManyAttemptsError(AuthError):
    """Locked for a while after repeated failures."""


async def login(
    store: Store, username: str, password: str, session_seconds: int, address: str = ""
) -> tuple[str, str, dict[str, str]]:
    """Check a password; a new session id and CSRF token, or AuthError (same message for
    unknown users and wrong passwords)."""
    if not USERNAME.match(username) or len(password) > 1000:
        raise AuthError("Wrong username or password.")
    if await store.failed_logins(username) >= MAX_FAILURES or (
        address and await store.failed_logins("@" + address) >= MAX_ADDRESS_FAILURES
    ):
        raise TooManyAttemptsError("Too many failed attempts. Wait 15 minutes and try again, or ask a supervisor.")
    user = await store.advisor(username)
    async with _HASHING:
        ok = await asyncio.to_thread(check_password, user.get("password") if user else None, password)
    if not ok:
        await store.count_failed_login(username)
        if address:
            await store.count_failed_login("@" + address)
        raise AuthError("Wrong username or password.")
    if user is None:  # a good password implies a stored account
        raise AuthError("Wrong username or password.")
    await store.clear_failed_logins(username)
    sid, csrf = await store.new_session(username, session_seconds)
    return sid, csrf, user
