"""The `cdp` command: generate a landing zone, run the pipeline, and work with its output."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from datetime import date, timedelta
from pathlib import Path


def _write(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _generate(args: argparse.Namespace) -> int:
    from cdp_assets.generator import generate, people_for_records

    people = args.people if args.people else people_for_records(args.records)
    summary = generate(
        out=Path(args.out),
        people=people,
        days=args.days,
        start=date.fromisoformat(args.start),
        seed=args.seed,
    )
    _write(f"Wrote {summary.total_records:,} records for {summary.people:,} people to {args.out}")
    for source, count in sorted(summary.records.items()):
        _write(f"  {source:<12} {count:>10,}")
    return 0


def _run(args: argparse.Namespace) -> int:
    from cdp_assets.pipeline import run_pipeline

    first = date.fromisoformat(args.start)
    last = first + timedelta(days=args.days - 1)
    summary = run_pipeline(first, last)
    _write(summary)
    return 0


def _spark():
    from cdp_assets.spark import get_spark, is_connect

    spark = get_spark()
    if not is_connect(spark):
        spark.sparkContext.setLogLevel("ERROR")
    return spark


def _resolve(args: argparse.Namespace) -> int:
    from cdp_assets.identity.files import ContactFileError, resolve_file

    try:
        result = resolve_file(_spark(), args.input, args.out, args.review_out)
    except ContactFileError as error:
        _write(f"error: {error}")
        return 2
    _write(
        f"Resolved {result.records:,} records into {result.customers:,} customers: "
        f"{result.output_path}"
    )
    _write(f"{result.review_pairs:,} pairs for review: {result.review_path}")
    for rejected in result.rejected:
        _write(f"  line {rejected.line}: {rejected.reason}")
    if result.rejected:
        _write(f"{len(result.rejected):,} rows left out")
    return 0


def _read_table_file(spark, path: str):
    if path.lower().endswith(".parquet"):
        return spark.read.parquet(path)
    return spark.read.option("header", True).csv(path)


def _evaluate(args: argparse.Namespace) -> int:
    from cdp_assets.identity import evaluate

    spark = _spark()
    scores = evaluate(_read_table_file(spark, args.truth), _read_table_file(spark, args.clusters))
    if args.review:
        # The review file holds only open pairs: both records not yet one customer.
        pairs = _read_table_file(spark, args.review).count()
        scores["review_pairs"] = pairs
        scores["review_share"] = pairs / scores["records"] if scores["records"] else 0.0
    for key in ("precision", "recall", "f1"):
        _write(f"{key:<22} {scores[key]:.4f}")
    for key, value in scores.items():
        if key not in ("precision", "recall", "f1"):
            _write(f"{key:<22} {value}")
    return 0


def _format_pair(pair: dict) -> str:
    from cdp_assets.identity.probabilistic import FEATURE_COLUMNS
    from cdp_assets.identity.review import RECORD_FIELDS

    lines = [f"pair {pair['pair_id']}  score {pair['score']:.3f}"]
    lines.append(f"  {'':<12} {pair['record_key_l']:<40} {pair['record_key_r']}")
    lines.append(f"  {'customer':<12} {pair['customer_id_l']:<40} {pair['customer_id_r']}")
    for field in RECORD_FIELDS:
        left, right = pair.get(f"{field}_l"), pair.get(f"{field}_r")
        lines.append(f"  {field:<12} {str(left):<40} {right}")
    for feature in FEATURE_COLUMNS:
        lines.append(f"  {feature:<26} {pair.get(feature)}")
    return "\n".join(lines)


def _review(args: argparse.Namespace) -> int:
    from cdp_assets.identity import review

    spark = _spark()
    if args.action == "list":
        pairs = review.list_review_queue(spark, limit=args.limit)
        for pair in pairs:
            _write(
                f"{pair['pair_id']}  {pair['score']:.3f}  "
                f"{pair['name_l']} ({pair['source_l']})  ~  {pair['name_r']} ({pair['source_r']})"
            )
        _write(f"{len(pairs)} pairs shown")
        return 0
    if not args.pair_id:
        _write(f"error: review {args.action} needs a pair id")
        return 2
    try:
        if args.action == "show":
            _write(_format_pair(review.show_review_pair(spark, args.pair_id)))
            return 0
        decide = review.accept_review_pair if args.action == "accept" else review.reject_review_pair
        decided = decide(spark, args.pair_id, decided_by=args.by, note=args.note)
    except review.UnknownReviewPair as error:
        _write(f"error: {error}")
        return 2
    _write(f"{decided['decision']}ed pair {args.pair_id}; the next resolution applies it")
    return 0


def _customer(args: argparse.Namespace) -> int:
    from cdp_assets import lake
    from cdp_assets.customers import tables
    from cdp_assets.golden import customer_profile, format_profile

    spark = _spark()
    profile = customer_profile(
        lake.read_table(spark, tables.path(tables.GOLDEN_RECORDS)),
        lake.read_table(spark, tables.path(tables.CONTACT_SOURCES)),
        lake.read_table(spark, tables.path(tables.CUSTOMER_EVENTS)),
        args.query,
    )
    if profile is None:
        _write(f"No customer matches {args.query!r}")
        return 1
    _write(format_profile(profile))
    return 0


def _webhooks(args: argparse.Namespace) -> int:
    from cdp_assets.customers.propagation_assets import delivery_state_path
    from cdp_assets.propagation import replay_dead_letters

    replayed = replay_dead_letters(
        _spark(), delivery_state_path(), endpoint=args.endpoint, event_ids=args.event_id or None
    )
    _write(f"{replayed} dead deliveries set back to pending")
    if not replayed:
        return 0
    from cdp_assets.pipeline import deliver_webhooks

    delivery = deliver_webhooks()
    _write(
        f"Delivery run: {delivery.get('delivered', 0)} delivered,"
        f" {delivery.get('pending', 0)} pending, {delivery.get('dead_letters', 0)} dead letters"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cdp", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write a realistic landing zone with truth")
    size = generate.add_mutually_exclusive_group(required=True)
    size.add_argument("--people", type=int, help="number of people behind the leads")
    size.add_argument("--records", type=int, help="approximate number of lead records")
    generate.add_argument("--days", type=int, required=True, help="number of days of files")
    generate.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
    generate.add_argument("--out", required=True, help="landing zone folder to write")
    generate.add_argument("--seed", type=int, default=7, help="same seed, same files")
    generate.set_defaults(handler=_generate)

    run = commands.add_parser("run", help="materialize every asset for a range of days")
    run.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
    run.add_argument("--days", type=int, default=1, help="number of days from --start")
    run.set_defaults(handler=_run)

    resolve = commands.add_parser("resolve", help="resolve one CSV or Parquet file of contacts")
    resolve.add_argument("input", help="contacts with record_id, source, name, phone, email, ...")
    resolve.add_argument("--out", required=True, help="record_id, customer_id, match_confidence")
    resolve.add_argument("--review-out", help="pairs for human review (default: beside --out)")
    resolve.set_defaults(handler=_resolve)

    evaluate = commands.add_parser("evaluate", help="pairwise precision and recall vs truth")
    evaluate.add_argument("--truth", required=True, help="source, source_record_id, person_id")
    evaluate.add_argument("--clusters", required=True, help="record_id, customer_id")
    evaluate.add_argument(
        "--review", help="review pairs `cdp resolve` wrote: adds the open review share"
    )
    evaluate.set_defaults(handler=_evaluate)

    review = commands.add_parser("review", help="work the human review queue")
    review.add_argument("action", choices=["list", "show", "accept", "reject"])
    review.add_argument("pair_id", nargs="?", help="the pair, as `review list` shows it")
    review.add_argument("--limit", type=int, default=50, help="pairs to list")
    review.add_argument("--by", default=os.environ.get("USER", "reviewer"), help="who decides")
    review.add_argument("--note", default="", help="why")
    review.set_defaults(handler=_review)

    customer = commands.add_parser("customer", help="what an agent needs before a call")
    customer.add_argument("query", help="a phone in any spelling, an email or a customer id")
    customer.set_defaults(handler=_customer)

    webhooks = commands.add_parser("webhooks", help="webhook delivery")
    webhooks.add_argument("action", choices=["replay"], help="send dead-lettered events again")
    webhooks.add_argument("--endpoint", help="only this endpoint")
    webhooks.add_argument("--event-id", action="append", help="only these events (repeatable)")
    webhooks.set_defaults(handler=_webhooks)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=os.environ.get("CDP_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
