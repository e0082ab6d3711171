"""Command line for content editors and developers.

python -m knowledge_base build              validate content and write Rasa training files
python -m knowledge_base check [--routing]  validate content; near-duplicate questions, links,
                                            review dates, readability (and routing, with the model)
python -m knowledge_base try "text"         the route, confidence and answer for a message
python -m knowledge_base evaluate FILE.csv  accuracy on a `text,route` CSV (--json for JSON)
python -m knowledge_base safety FILE.csv    urgent recall per category and near-miss false
                                            alarms on a `text,expected,style` CSV
python -m knowledge_base converse FILE.yml  play scripted whole conversations through the real
                                            bot and check every turn (tests/scenarios/)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from knowledge_base.articles import ContentError, load_knowledge_base
from knowledge_base.compiler import write_files
from knowledge_base.evaluation import EvaluationFileError, read_examples, score
from knowledge_base.routes import all_routes
from knowledge_base.settings import Settings, SettingsError


def _load_or_exit(settings: Settings):
    # FRONT_DESK_CONTENT_DIR / _MESSAGES_FILE: the content the running bot serves (as the
    # action server reads them), e.g. when the front door retrains after an edit.
    try:
        return load_knowledge_base(settings.content_dir, settings.messages_file)
    except ContentError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None


def cmd_build(args: argparse.Namespace) -> int:
    kb = _load_or_exit(args.settings)
    if getattr(args, "bot_dir", None):
        Path(args.bot_dir).mkdir(parents=True, exist_ok=True)
        paths = write_files(kb, Path(args.bot_dir))
    else:
        paths = write_files(kb)
    print(f"{len(kb.articles)} articles valid; wrote {len(paths)} generated files under bot/")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    import datetime as dt

    from knowledge_base import checks

    kb = _load_or_exit(args.settings)
    if args.only_routing:
        parser = _parser(args.model, args.settings)
        misrouted = checks.misrouted_questions(kb, lambda text: parser.route(text, kb).route)
        print(
            json.dumps([{"kind": "routing", "file": f.file, "field": f.field, "problem": f.message} for f in misrouted])
        )
        return 0
    print(f"{len(kb.articles)} articles valid")
    findings = (
        checks.near_duplicate_questions(kb)
        + checks.link_problems(kb)
        + checks.stale_articles(kb, dt.date.today())
        + checks.hard_to_read(kb)
    )
    if args.routing:
        parser = _parser(args.model, args.settings)
        findings += checks.misrouted_questions(kb, lambda text: parser.route(text, kb).route)
    for finding in findings:
        print(f"  - {finding}")
    checked = "questions, links, review dates, readability" + (", routing" if args.routing else "")
    print(f"{len(findings)} thing(s) to look at ({checked})" if findings else f"no problems found ({checked})")
    return 1 if findings and args.strict else 0


def _parser(model: str | None, settings: Settings):
    from knowledge_base.nlu_model import ModelNotFoundError, RouteParser

    try:
        return RouteParser(model or settings.model)
    except ModelNotFoundError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None


def cmd_try(args: argparse.Namespace) -> int:
    from knowledge_base.nlu_model import preview

    kb = _load_or_exit(args.settings)
    parser = _parser(args.model, args.settings)
    routing = parser.route(args.text, kb)
    reply = preview(routing, kb)
    if args.json:
        print(
            json.dumps(
                {
                    "route": routing.route,
                    "confidence": round(routing.confidence, 4),
                    "intent": routing.intent,
                    "entities": list(routing.entities),
                    "answer": {
                        "text": reply.text,
                        "buttons": [b.__dict__ for b in reply.buttons],
                        "handoff": reply.handoff,
                    },
                },
                indent=2,
            )
        )
        return 0
    print(f"route:      {routing.route}")
    print(f"confidence: {routing.confidence:.2f}")
    for entity in routing.entities:
        print(f"entity:     {entity.get('entity')} = {entity.get('value')}")
    print("answer:")
    for line in reply.text.splitlines():
        print(f"  {line}")
    for button in reply.buttons:
        print(f"  [button] {button.title} -> {button.payload}")
    if reply.handoff:
        print(f"  [handoff] {reply.handoff}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    kb = _load_or_exit(args.settings)
    try:
        examples = read_examples(args.file, all_routes(kb.articles))
    except EvaluationFileError as exc:
        print(exc, file=sys.stderr)
        return 2
    parser = _parser(args.model, args.settings)
    routings = [parser.route(e.text, kb) for e in examples]
    result = score(examples, [r.route for r in routings], [round(r.confidence, 4) for r in routings])
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"examples:  {len(examples)}")
    print(f"accuracy:  {result['accuracy']:.1%}")
    print(
        f'council questions answered "can\'t help": {result["cant_help"]:.1%}; '
        f"out-of-scope questions given another route: {result['out_of_scope_accepted']:.1%}"
    )
    print(f"{'route':40} {'precision':>9} {'recall':>7} {'support':>7}")
    for route, figures in result["per_route"].items():
        print(f"{route:40} {figures['precision']:>9.2f} {figures['recall']:>7.2f} {figures['support']:>7}")
    if result["errors"]:
        print(f"\nmisrouted ({len(result['errors'])}):")
        for error in result["errors"]:
            print(
                f"  {error['text']!r}\n      expected {error['expected']}, got {error['predicted']} ({error['confidence']:.2f})"
            )
    return 0


def cmd_safety(args: argparse.Namespace) -> int:
    from knowledge_base.nlu_model import preview
    from knowledge_base.safety import Outcome, SafetyFileError, read_safety_examples, score_safety

    kb = _load_or_exit(args.settings)
    try:
        examples = read_safety_examples(args.file)
    except SafetyFileError as exc:
        print(exc, file=sys.stderr)
        return 2
    parser = _parser(args.model, args.settings)
    outcomes = []
    for example in examples:
        routing = parser.route(example.text, kb)
        outcomes.append(Outcome(routing.route, preview(routing, kb).text, routing.signposts))
    result = score_safety(examples, outcomes)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0 if result["passed"] or not args.strict else 1
    print(f"{args.file}")
    print(f"{'category':26} {'messages':>8} {'right help':>10} {'any urgent':>10} {'numbers':>8}")
    for route, figures in result["categories"].items():
        print(
            f"{route:26} {figures['support']:>8} {figures.get('right_help', 0):>10} "
            f"{figures.get('urgent_any', 0):>10} {figures.get('numbers_given', 0):>8}"
        )
    total, calm = result["urgent"], result["calm"]
    print(f"urgent messages given the right help: {total['right_help']}/{total['support']} ({total['recall']:.1%})")
    print(
        f"near misses treated as urgent: {calm['false_alarms']}/{calm['support']} "
        f"({calm['false_alarm_rate']:.1%}); given urgent numbers under an ordinary answer: {calm['signposted']}"
    )
    for miss in result["misses"]:
        print(f"  MISSED {miss['expected']} -> {miss['route']}: {miss['text']!r}")
    for alarm in result["false_alarms"]:
        print(f"  FALSE ALARM {alarm['route']}: {alarm['text']!r}")
    return 0 if result["passed"] or not args.strict else 1


def cmd_converse(args: argparse.Namespace) -> int:
    from knowledge_base import converse
    from knowledge_base.scenarios import ScenarioFileError

    try:
        results = converse.run(args.files, args.rasa_url, args.rasa_token or args.settings.rasa_token)
    except ScenarioFileError as exc:
        print(exc, file=sys.stderr)
        return 2
    except converse.RunnerError as exc:
        print(f"cannot play the scenarios: {exc}", file=sys.stderr)
        return 3
    if args.json:
        print(json.dumps(converse.report_json(results), indent=2))
    else:
        for line in converse.report_lines(results, args.transcript):
            print(line)
    return 0 if all(r.passed for r in results) else 1


def main(argv: list[str] | None = None, settings: Settings | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m knowledge_base", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_build = sub.add_parser("build", help="validate content and write the Rasa training files")
    p_build.add_argument("--bot-dir", help="write under this copy of bot/ instead (background retraining)")
    p_build.set_defaults(func=cmd_build)
    p_check = sub.add_parser("check", help="validate content and report what to improve")
    p_check.add_argument(
        "--routing", action="store_true", help="also check the trained model routes every question home"
    )
    p_check.add_argument(
        "--only-routing", action="store_true", help="only the routing check, as JSON (for the editors' page)"
    )
    p_check.add_argument("--strict", action="store_true", help="exit 1 if anything is found")
    p_check.add_argument("--model", help="model file (default FRONT_DESK_MODEL or models/front-desk.tar.gz)")
    p_check.set_defaults(func=cmd_check)
    p_try = sub.add_parser("try", help="show the route and answer for a message")
    p_try.add_argument("text")
    p_try.add_argument("--json", action="store_true")
    p_try.add_argument("--model", help="model file (default FRONT_DESK_MODEL or models/front-desk.tar.gz)")
    p_try.set_defaults(func=cmd_try)
    p_eval = sub.add_parser("evaluate", help="route accuracy on a text,route CSV")
    p_eval.add_argument("file", type=Path)
    p_eval.add_argument("--json", action="store_true")
    p_eval.add_argument("--model", help="model file (default FRONT_DESK_MODEL or models/front-desk.tar.gz)")
    p_eval.set_defaults(func=cmd_evaluate)
    p_safety = sub.add_parser("safety", help="urgent recall and near-miss false alarms on a text,expected,style CSV")
    p_safety.add_argument("file", type=Path)
    p_safety.add_argument("--json", action="store_true")
    p_safety.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 unless every urgent message gets the right help and at most 2% of near misses are urgent",
    )
    p_safety.add_argument("--model", help="model file (default FRONT_DESK_MODEL or models/front-desk.tar.gz)")
    p_safety.set_defaults(func=cmd_safety)
    p_converse = sub.add_parser("converse", help="play scripted conversations through the real bot")
    p_converse.add_argument("files", nargs="+", help="scenario files (YAML), or folders of them")
    p_converse.add_argument("--json", action="store_true")
    p_converse.add_argument(
        "--rasa-url",
        help="a running Rasa server (default: start the servers from the current model and stop them afterwards)",
    )
    p_converse.add_argument("--transcript", action="store_true", help="show each failed conversation in full")
    p_converse.add_argument("--rasa-token", help="its HTTP API token, to read slots (default $RASA_TOKEN)")
    p_converse.set_defaults(func=cmd_converse)
    args = parser.parse_args(argv)
    try:
        args.settings = settings if settings is not None else Settings.from_env()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
