"""Advisors' and editors' logins: Argon2id password hashes, expiring sessions, CSRF tokens."""

from __future__ import annotations

import asyncio
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from live_handoff import passwords
from live_handoff.limits import LOGIN_ACCOUNT, LOGIN_ADDRESS, LOGIN_WINDOW, Limits, in_words, login_schedule
from live_handoff.store import Store

USERNAME = re.compile(r"^[a-z0-9._-]{2,40}$")
ROLES = frozenset({"advisor", "editor", "manager", "supervisor", "dpo"})
# A data protection officer answers subject access and erasure requests (the privacy page); no other role does.
# A supervisor takes chats and reads the managers' report: what they may do is the union.
IMPLIED_ROLES = {"supervisor": ("advisor", "manager")}
MIN_PASSWORD = passwords.MIN_LENGTH
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
    """Too many wrong passwords lately from here: the try must wait ``retry_after`` seconds.
    Never a lock-out: once the wait is over, a correct password gets in."""

    def __init__(self, message: str, retry_after: float, limit: str = LOGIN_ACCOUNT) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.limit = limit  # which gate: the account at this address, or the address


async def _slowed_down(store: Store, username: str, address: str, limits: Limits) -> None:
    """Pass both login gates (``store_limits``) or raise TooManyAttemptsError: the
    account's at this address (so wrong passwords elsewhere never hold up its owner) and
    the address's, for any account (guessing across usernames)."""
    gates = [(f"{username}@{address}", limits.login_failures, LOGIN_ACCOUNT)]
    if address:
        gates.append(("@" + address, limits.login_address_failures, LOGIN_ADDRESS))
    for who, free, name in gates:
        wait = await store.login_gate(who, login_schedule(free, limits.login_max_delay))
        if wait:
            raise TooManyAttemptsError(f"Too many wrong passwords. Wait {in_words(wait)} and try again.", wait, name)


async def login(
    store: Store,
    username: str,
    password: str,
    session_seconds: int,
    address: str = "",
    limits: Limits | None = None,
) -> tuple[str, str, dict[str, str]]:
    """Check a password; a new session id and CSRF token, or AuthError (same message for
    unknown users and wrong passwords).

    Repeated wrong passwords slow further tries down (``limits.login_delay``): for the
    account at this address after ``limits.login_failures``, and for every account at
    this address after ``limits.login_address_failures``.

    Raises:
        TooManyAttemptsError: the try must wait first (``retry_after`` seconds).
        AuthError: wrong username or password.
    """
    limits = limits or Limits()
    if not USERNAME.match(username) or len(password) > 1000:
        raise AuthError("Wrong username or password.")
    await _slowed_down(store, username, address, limits)
    user = await store.advisor(username)
    async with _HASHING:
        ok = await asyncio.to_thread(check_password, user.get("password") if user else None, password)
    if not ok:
        await store.count_failed_login(f"{username}@{address}", LOGIN_WINDOW)
        if address:
            await store.count_failed_login("@" + address, LOGIN_WINDOW)
        raise AuthError("Wrong username or password.")
    if user is None:  # a good password implies a stored account
        raise AuthError("Wrong username or password.")
    await store.clear_failed_logins(f"{username}@{address}")
    await store.open_login_gate(f"{username}@{address}")
    if address:
        await store.open_login_gate("@" + address)
    sid, csrf = await store.new_session(username, session_seconds)
    return sid, csrf, user
