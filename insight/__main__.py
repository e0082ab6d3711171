"""Council insight: the web chat's monthly performance report.

    python -m insight report [--month 2026-10 | --from 2026-10-01 --to 2026-10-15]
                             (--events FILE.jsonl | --redis) [--open311 URL] [--out reports/2026-10.html]
    python -m insight generate --month 2026-10 [--seed 1] (--out FILE.jsonl | --redis)

The default month is the previous calendar month (UK time). --redis reads (or writes) the
relay's stream ``{RELAY_KEY_PREFIX}:analytics`` in ``REDIS_URL`` (defaults ``fd`` and
redis://127.0.0.1:6379/0). Reports written to a file carry their styles with them; use
--link-css for a page served behind the front door (which serves /reports/report.css).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import asdict
from pathlib import Path

from insight import events as ev
from insight import figures as fg
from insight import labels, report
from insight.figures import previous_month
from insight.open311 import lookup_statuses
from insight.settings import DEFAULT_REDIS, Settings, SettingsError

__all__ = ["DEFAULT_REDIS", "MONTHS", "main", "parser", "previous_month"]
MONTHS = report.MONTHS


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-10-01") from None


def _redis_settings(args: argparse.Namespace) -> tuple[str, str]:
    settings: Settings = args.settings
    return settings.redis_url, args.prefix or settings.key_prefix


def _period(args: argparse.Namespace) -> tuple[dt.date, dt.date, str]:
    if args.start or args.end:
        if not (args.start and args.end):
            raise SystemExit("insight: give both --from and --to (or --month)")
        if args.month:
            raise SystemExit("insight: give either --month or --from/--to, not both")
        if args.end < args.start:
            raise SystemExit("insight: --to is before --from")
        return args.start, args.end, report.period_text(args.start, args.end)
    month = args.month or previous_month(dt.datetime.now(fg.LONDON).date())
    try:
        start, end = fg.month_period(month)
    except ValueError as exc:
        raise SystemExit(f"insight: {exc}") from None
    return start, end, f"{MONTHS[start.month - 1]} {start.year}"


def _bank_holidays() -> frozenset[dt.date]:
    try:
        from contracts.calendar import bank_holidays

        return bank_holidays()
    except Exception:  # noqa: BLE001 - the report works without them
        return frozenset()


def cmd_report(args: argparse.Namespace) -> int:
    start, end, when = _period(args)
    if args.redis:
        url, prefix = _redis_settings(args)
        first, after = fg.period_bounds(start, end)
        try:
            # A week before, for repeat contact; a day after, for chats still going at midnight.
            events = ev.read_redis(url, prefix, first - fg.REPEAT_WINDOW, after + dt.timedelta(days=1))
        except Exception as exc:  # noqa: BLE001 - redis errors, shown plainly
            print(
                f"insight: could not read {prefix}:analytics from Redis ({type(exc).__name__}: {exc})", file=sys.stderr
            )
            return 1
    else:
        try:
            events = ev.read_jsonl(args.events)
        except (OSError, ValueError) as exc:
            print(f"insight: {exc}", file=sys.stderr)
            return 1
    statuses: dict[str, str] | None = None
    notes: list[str] = []
    if args.open311:
        first, after = fg.period_bounds(start, end)
        started = {e.conversation_id for e in events if e.kind == "conversation_started" and first <= e.at < after}
        references = {
            str(e.get("reference"))
            for e in events
            if e.kind == "case_created" and e.conversation_id in started and e.get("reference")
        }
        statuses, notes = lookup_statuses(args.open311, references, api_key=args.settings.open311_staff_key)
    figures = fg.compute(events, start, end, statuses=statuses, notes=notes, holidays=_bank_holidays())
    title = args.title or f"Council insight: {when}"
    produced = dt.datetime.now(fg.LONDON).strftime("%d/%m/%Y at %H:%M")
    html = report.render_html(figures, title, inline_css=not args.link_css, labels=labels.load(), produced=produced)
    if args.out:
        out = Path(args.out)
    elif args.start:
        out = Path("reports") / f"{start.isoformat()}_to_{end.isoformat()}.html"
    else:
        out = Path("reports") / f"{start.year:04d}-{start.month:02d}.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(asdict(figures), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{out}: {title}")
    for headline in report.headlines(figures):
        print(f"  {headline.label}: {headline.value}")
    for note in notes:
        print(f"  note: {note}")
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from insight.generate import generate

    try:
        fg.month_period(args.month)
    except ValueError as exc:
        raise SystemExit(f"insight: {exc}") from None
    events = generate(args.month, seed=args.seed, conversations=args.conversations)
    if args.redis:
        url, prefix = _redis_settings(args)
        try:
            written = ev.write_redis(events, url, prefix)
        except ValueError as exc:
            print(f"insight: {exc}", file=sys.stderr)
            return 1
        except Exception as exc:  # noqa: BLE001
            print(f"insight: could not write to Redis ({type(exc).__name__}: {exc})", file=sys.stderr)
            return 1
        print(f"{written} events for {args.month} written to {prefix}:analytics")
    else:
        written = ev.write_jsonl(events, args.out)
        print(f"{written} events for {args.month} written to {args.out}")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m insight", description="Council insight: the web chat report.")
    commands = top.add_subparsers(dest="command", required=True)

    rep = commands.add_parser("report", help="write the HTML report for a month or a range of days")
    rep.add_argument("--month", help="YYYY-MM (default: the previous calendar month)")
    rep.add_argument("--from", dest="start", type=_date, help="first day, YYYY-MM-DD (with --to)")
    rep.add_argument("--to", dest="end", type=_date, help="last day, included, YYYY-MM-DD")
    source = rep.add_mutually_exclusive_group(required=True)
    source.add_argument("--events", help="a JSON Lines file of events (python -m insight generate)")
    source.add_argument("--redis", action="store_true", help="read the relay's analytics stream (REDIS_URL)")
    rep.add_argument("--prefix", help="key prefix (default: RELAY_KEY_PREFIX or fd)")
    rep.add_argument("--open311", metavar="URL", help="look up each case's current status, e.g. http://127.0.0.1:8311/")
    rep.add_argument(
        "--out",
        help="the HTML file to write (default: reports/YYYY-MM.html for a month, "
        "reports/FROM_to_TO.html for a range of days)",
    )
    rep.add_argument("--json", help="also write the figures as JSON to this file")
    rep.add_argument("--title", help="the report's title")
    rep.add_argument("--link-css", action="store_true", help=f"link {report.CSS_URL} instead of copying the styles in")
    rep.set_defaults(run=cmd_report)

    gen = commands.add_parser("generate", help="make a realistic month of events (demonstration data)")
    gen.add_argument("--month", default=None, help="YYYY-MM (default: the previous calendar month)")
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument("--conversations", type=int, default=3000, help="about how many conversations")
    target = gen.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", help="the JSON Lines file to write")
    target.add_argument(
        "--redis",
        action="store_true",
        help="append to the analytics stream of REDIS_URL (use a spare RELAY_KEY_PREFIX)",
    )
    gen.add_argument("--prefix", help="key prefix (default: RELAY_KEY_PREFIX or fd)")
    gen.set_defaults(run=cmd_generate)
    return top


def main(argv: list[str] | None = None, settings: Settings | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        args.settings = settings if settings is not None else Settings.from_env()
    except SettingsError as exc:
        print(f"insight: {exc}", file=sys.stderr)
        return 2
    if args.command == "generate" and not args.month:
        args.month = previous_month(dt.datetime.now(fg.LONDON).date())
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
