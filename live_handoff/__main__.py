"""Manage the people who log in to the front door.

    python -m live_handoff user add USERNAME --name "Sam Patel" [--role advisor] [--capacity 3]
    python -m live_handoff user passwd USERNAME
    python -m live_handoff user list
    python -m live_handoff user remove USERNAME
    python -m live_handoff privacy export|erase (--email E | --phone P | --reference R | --conversation C) --by DPO --why TEXT

Passwords are read from the terminal (or stdin when piped), or generated with
--generate-password and printed once. A password must be at least 12 characters and hard
to guess: not a common one, and not built from the username, the person's name or the
council's name (a passphrase of four or more random words is best); otherwise the command
says why and exits with status 2. REDIS_URL (and RELAY_KEY_PREFIX) say which Redis
holds the accounts; the relay's other settings are checked too, so a mistake in them is
found here rather than when the relay starts.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from redis.exceptions import RedisError

from live_handoff import auth, passwords
from live_handoff.privacy import cli as privacy_cli
from live_handoff.settings import Settings, SettingsError
from live_handoff.store import Store, connect_redis


def _password(args: argparse.Namespace, name: str) -> str:
    if args.generate_password:
        return passwords.generate(args.username, name)
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password (a passphrase of four or more random words is best): ")
    if getpass.getpass("Same again: ") != first:
        raise auth.AuthError("The two passwords were different.")
    return first


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    redis = connect_redis(settings.redis_url)
    store = Store(redis, settings.key_prefix)
    try:
        if args.command == "list":
            for username in await store.advisors():
                user = await store.advisor(username) or {}
                print(
                    f"{username}\t{user.get('name', '')}\t{user.get('roles', '')}\tcapacity {user.get('capacity', '')}"
                )
            return 0
        if args.command == "remove":
            if not await store.remove_advisor(args.username):
                print(f"No user called {args.username}.", file=sys.stderr)
                return 1
            print(f"Removed {args.username}.")
            return 0
        existing = await store.advisor(args.username)
        if args.command == "add" and existing:
            print(f"{args.username} already exists; use `user passwd` to change the password.", file=sys.stderr)
            return 1
        if args.command == "passwd" and not existing:
            print(f"No user called {args.username}.", file=sys.stderr)
            return 1
        name = args.name if args.command == "add" else (existing or {}).get("name", "")
        password = _password(args, name)
        if args.command == "add":
            await auth.add_user(store, args.username, args.name, password, set(args.role or ["advisor"]), args.capacity)
        else:
            hashed = auth.hash_password(password, args.username, name)
            await store.set_advisor_field(args.username, password=hashed)
            await store.end_all_sessions(args.username)  # everyone logged in as them must log in again
        if args.generate_password:
            print(f"username: {args.username}\npassword: {password}")
        else:
            print(f"Saved {args.username}.")
        return 0
    except auth.WeakPasswordError as exc:
        print(f"{exc} Or let the command make one: --generate-password.", file=sys.stderr)
        return 2
    except auth.AuthError as exc:
        print(exc, file=sys.stderr)
        return 2
    except (RedisError, OSError) as exc:
        print(f"Cannot reach Redis ({type(exc).__name__}): is REDIS_URL right and the server running?", file=sys.stderr)
        return 3
    finally:
        await redis.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m live_handoff", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="group", required=True)
    user = sub.add_parser("user", help="advisor, editor and manager accounts")
    commands = user.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="full name; residents see the first name")
    add.add_argument("--role", action="append", choices=sorted(auth.ROLES), help="repeat for several (default advisor)")
    add.add_argument("--capacity", type=int, default=3, help="chats at once (default 3)")
    add.add_argument("--generate-password", action="store_true")
    passwd = commands.add_parser("passwd")
    passwd.add_argument("username")
    passwd.add_argument("--generate-password", action="store_true")
    commands.add_parser("list")
    remove = commands.add_parser("remove")
    remove.add_argument("username")
    privacy_cli.add_parser(sub)
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"Setting not valid: {exc}", file=sys.stderr)
        return 2
    if args.group == "privacy":
        return asyncio.run(privacy_cli.run(args, settings))
    return asyncio.run(_run(args, settings))


if __name__ == "__main__":
    sys.exit(main())
