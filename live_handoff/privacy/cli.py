"""``python -m live_handoff privacy export|erase``: subject access and erasure from a terminal.

    python -m live_handoff privacy export --email jo@example.com --by dpo.jo --why "SAR 2026-041" [--out DIR]
    python -m live_handoff privacy erase --phone "07700 900123" --by dpo.jo --why "erasure request 2026-042" [--yes]

Exactly one of --email, --phone, --reference or --conversation. ``--by`` must be a staff
account with the ``dpo`` role. Exit codes: 0 done, 1 nothing found, 2 bad arguments or
settings (or erasure not confirmed), 3 Redis or the Open311 service unreachable.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import sys
from pathlib import Path

import aiohttp
from redis.exceptions import RedisError

from live_handoff import auth, masking
from live_handoff.privacy import register
from live_handoff.privacy.finding import Selector, SelectorError, selector
from live_handoff.privacy.gather import CaseSystem, CaseSystemError, Found, find
from live_handoff.privacy.recorded import erase_recorded, export_recorded
from live_handoff.privacy.render import html_page, summary
from live_handoff.settings import Settings
from live_handoff.store import Store, connect_redis

DEFAULT_OUT = Path("var/privacy")


def add_parser(groups: argparse._SubParsersAction) -> None:
    """Add the ``privacy`` command group to the relay's command line."""
    privacy = groups.add_parser("privacy", help="subject access (export) and erasure of one person's data")
    commands = privacy.add_subparsers(dest="command", required=True)
    for name, text in (("export", "write everything held about a person"), ("erase", "remove it everywhere")):
        command = commands.add_parser(name, help=text)
        who = command.add_mutually_exclusive_group(required=True)
        who.add_argument("--email")
        who.add_argument("--phone")
        who.add_argument("--reference", help="a case reference, like NB-2026-000123")
        who.add_argument("--conversation", help="a conversation id (c_...)")
        command.add_argument("--by", required=True, help="your username (an account with the dpo role)")
        command.add_argument(
            "--why", required=True, help="the request's reason or log number (never the person's name)"
        )
        if name == "export":
            command.add_argument(
                "--out", type=Path, default=DEFAULT_OUT, help=f"folder for the files (default {DEFAULT_OUT})"
            )
        else:
            command.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def who_from(args: argparse.Namespace) -> Selector:
    for kind in ("email", "phone", "reference", "conversation"):
        value = getattr(args, kind)
        if value is not None:
            return selector(kind, value)
    raise SelectorError("give --email, --phone, --reference or --conversation")


def _private_file(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(text)


def write_export(doc: dict, out: Path) -> tuple[Path, Path]:
    """Write the export as JSON and HTML into ``out`` (made 0700), files 0600; names hold no identifier."""
    if not out.exists():
        out.mkdir(parents=True, mode=0o700)
        out.chmod(0o700)  # whatever the umask
    stem = f"subject-access-{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"
    json_path, html_path = out / f"{stem}.json", out / f"{stem}.html"
    _private_file(json_path, json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    _private_file(html_path, html_page(doc))
    return json_path, html_path


def _print_counts(counts: dict[str, int]) -> None:
    for name, value in counts.items():
        print(f"  {name.replace('_', ' ')}: {value}")


def _case_notes(found: Found) -> None:
    if found.case_system == "own" and found.references:
        print(
            "Cases are held in the council's own case system, which has no privacy extension here: use its own "
            "process for these references: " + ", ".join(sorted(found.references))
        )
    elif found.case_system == "none":
        print("No Open311 service is configured (OPEN311_URL, OPEN311_STAFF_KEY): cases were not searched.")


async def _is_dpo(store: Store, username: str) -> bool:
    account = await store.advisor(username) or {}
    return bool(account) and "dpo" in auth.effective_roles(account.get("roles", ""))


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``privacy export`` or ``privacy erase``; returns the exit code."""
    try:
        who = who_from(args)
    except SelectorError as exc:
        print(exc, file=sys.stderr)
        return 2
    why = masking.mask(args.why.strip())
    if not why:
        print("--why must say why (the request's reason or log number).", file=sys.stderr)
        return 2
    redis = connect_redis(settings.redis_url)
    store = Store(redis, settings.key_prefix, settings.retention_seconds)
    try:
        async with aiohttp.ClientSession() as session:
            cases = (
                CaseSystem(session, settings.open311_url, settings.open311_staff_key) if settings.open311_url else None
            )
            if cases is not None and not cases.configured:
                print(
                    "OPEN311_URL is set but OPEN311_STAFF_KEY is not: privacy requests need the staff key.",
                    file=sys.stderr,
                )
                return 2
            if not await _is_dpo(store, args.by):
                print(
                    f"{args.by} is not a staff account with the dpo role (python -m live_handoff user list).",
                    file=sys.stderr,
                )
                return 2
            found = await find(store, cases, who)
            if args.command == "export":
                return await _export(store, found, args, why)
            return await _erase(store, found, cases, args, why)
    except CaseSystemError as exc:
        print(f"Cannot reach the case system: {exc}. Nothing was changed.", file=sys.stderr)
        return 3
    except (RedisError, OSError) as exc:
        print(f"Cannot reach Redis ({type(exc).__name__}): is REDIS_URL right and the server running?", file=sys.stderr)
        return 3
    finally:
        await redis.close()


async def _export(store: Store, found: Found, args: argparse.Namespace, why: str) -> int:
    counts = summary(found)
    print(f"Searched {found.scanned} conversations in {found.seconds:.2f} s.")
    _case_notes(found)
    if found.empty:
        print(f"Nothing is held about that {found.who.kind}.")
        await register.record(store, "export", args.by, why, found.who.kind, counts)
        return 1
    json_path, html_path = write_export(await export_recorded(store, found, args.by, why), args.out)
    _print_counts(counts)
    print(f"Wrote {json_path}\nWrote {html_path}")
    return 0


async def _erase(store: Store, found: Found, cases: CaseSystem | None, args: argparse.Namespace, why: str) -> int:
    print(f"Searched {found.scanned} conversations in {found.seconds:.2f} s.")
    _case_notes(found)
    if found.empty:
        print(f"Nothing is held about that {found.who.kind}.")
        await register.record(store, "erase", args.by, why, found.who.kind, {})
        return 1
    print("Found:")
    _print_counts(summary(found))
    if not args.yes:
        print("Erasing cannot be undone. Type ERASE to go ahead: ", end="", flush=True)
        if sys.stdin.readline().strip() != "ERASE":
            print("Not confirmed: nothing was erased.", file=sys.stderr)
            return 2
    counts = await erase_recorded(store, found, cases, args.by, why)
    print("Erased:")
    _print_counts(counts)
    return 0


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse ``privacy ...`` arguments on their own (for tests)."""
    parser = argparse.ArgumentParser(prog="python -m live_handoff")
    add_parser(parser.add_subparsers(dest="group", required=True))
    return parser.parse_args(argv)
