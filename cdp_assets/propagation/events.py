"""Change events: what downstream systems are told when a golden record changes.

A change is a pair of images of one customer's golden record, before and after. Pairs come
from two snapshots of `golden_records` or from its Delta change data feed (one pair per
customer and commit); both go through the same derivation, so the same change always yields
the same events with the same ids.

Event types:

- `customer.created`: the customer appears.
- `customer.updated`: profile fields changed; the payload lists each one with its old and
  new value. Consent fields are left to the two consent events below.
- `customer.opted_out`: the customer is opted out (also when created already opted out).
- `customer.re_consented`: an opted-out customer is opted back in.
- `customer.merged`: the customer was absorbed into another one and left golden records.
- `customer.deleted`: the customer left golden records without a recorded merge.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from cdp_assets.golden.golden_records import GOLDEN_COLUMNS

CREATED = "customer.created"
UPDATED = "customer.updated"
OPTED_OUT = "customer.opted_out"
RE_CONSENTED = "customer.re_consented"
MERGED = "customer.merged"
DELETED = "customer.deleted"

# Orders the events one change produces: a customer exists before it is updated or opted
# out, and leaves golden records last.
_RANK = {CREATED: 0, UPDATED: 1, OPTED_OUT: 2, RE_CONSENTED: 3, MERGED: 4, DELETED: 4}


# Fields whose changes a `customer.updated` event reports.
PROFILE_FIELDS = [
    "name",
    "phone",
    "email",
    "city",
    "locality",
    "project",
    "phones",
    "emails",
    "projects",
    "localities",
    "sources",
    "record_count",
    "first_seen",
    "last_seen",
    "min_link_confidence",
]

# Array fields are sets: a new order of the same values is no change.
_SET_FIELDS = {"phones", "emails", "projects", "localities", "sources"}

EVENT_COLUMNS = ["event_id", "customer_id", "event_type", "occurred_at", "payload", "sequence"]

# Receivers get ISO 8601 timestamps with an explicit offset, and null values spelled out.
_JSON_OPTIONS = {
    "ignoreNullFields": "false",
    "timestampFormat": "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX",
}


def golden_record_events(
    before: DataFrame | None, after: DataFrame, merges: DataFrame | None = None
) -> DataFrame:
    """Events turning the golden records `before` into `after`.

    Args:
        before: Golden records as receivers last knew them; None or empty on the first run.
        after: Golden records now.
        merges: `customer_merges` (from_customer_id, into_customer_id, merged_at, reason);
            a customer missing from `after` with a merge row is reported as merged.

    Returns:
        One row per event with EVENT_COLUMNS.
    """
    _require_golden_columns(after)
    if before is None:
        before = after.limit(0)
    _require_golden_columns(before)

    before_images = before.select("customer_id", _image().alias("before"))
    after_images = after.select("customer_id", _image().alias("after"))
    pairs = before_images.join(after_images, "customer_id", "full_outer").withColumn(
        "changed_at", F.lit(None).cast("timestamp")
    )
    return _events_from_pairs(pairs, after, merges)


def events_from_change_feed(
    spark: SparkSession,
    path: str,
    start_version: int,
    end_version: int,
    merges: DataFrame | None = None,
) -> DataFrame:
    """Events for the commits `start_version..end_version` (both included) of a golden table.

    The table must have the change data feed enabled from `start_version` on. Each commit
    is a change of its own, so a customer updated twice in the range gets two events.

    Args:
        spark: The Spark session.
        path: Location of the golden records Delta table.
        start_version: First commit to report.
        end_version: Last commit to report.
        merges: `customer_merges`, as for `golden_record_events`.

    Returns:
        One row per event with EVENT_COLUMNS.
    """
    feed = (
        spark.read.format("delta")
        .option("readChangeFeed", "true")
        .option("startingVersion", start_version)
        .option("endingVersion", end_version)
        .load(path)
    )
    _require_golden_columns(feed)
    images = feed.select(
        "customer_id",
        F.col("_change_type").alias("change_type"),
        F.col("_commit_version").alias("commit_version"),
        F.col("_commit_timestamp").alias("committed_at"),
        _image().alias("image"),
    )

    def images_of(change_types: list[str], name: str) -> DataFrame:
        return (
            images.where(F.col("change_type").isin(change_types))
            .groupBy("customer_id", "commit_version")
            .agg(F.first("image").alias(name), F.max("committed_at").alias(f"{name}_at"))
        )

    # An overwrite shows up as a delete and an insert in one commit: paired, it is an update.
    pairs = images_of(["update_preimage", "delete"], "before").join(
        images_of(["update_postimage", "insert"], "after"),
        ["customer_id", "commit_version"],
        "full_outer",
    )
    pairs = pairs.select(
        "customer_id",
        "before",
        "after",
        F.coalesce("after_at", "before_at").alias("changed_at"),
    )
    current = spark.read.format("delta").option("versionAsOf", end_version).load(path)
    return _events_from_pairs(pairs, current, merges)


def _require_golden_columns(df: DataFrame) -> None:
    missing = [column for column in GOLDEN_COLUMNS if column not in df.columns]
    if missing:
        raise ValueError(f"Golden records lack the columns {', '.join(missing)}")


def _image() -> Column:
    return F.struct(*[F.col(column) for column in GOLDEN_COLUMNS])


def _to_json(column: Column) -> Column:
    return F.coalesce(F.to_json(column, _JSON_OPTIONS), F.lit("null"))


def _micros_text(column: Column) -> Column:
    return F.unix_micros(column).cast("string")


def _field_changed(field: str) -> Column:
    old, new = F.col(f"before.{field}"), F.col(f"after.{field}")
    if field in _SET_FIELDS:
        old, new = F.array_sort(old), F.array_sort(new)
    return ~old.eqNullSafe(new)


def _changes_json() -> Column:
    """`{"field": {"old": ..., "new": ...}, ...}` for the profile fields that changed.

    Built as text because the changed fields differ from row to row, and a Spark struct has
    the same fields in every row; `"{}"` when nothing changed.
    """
    entries = [
        F.when(
            _field_changed(field),
            F.concat(
                F.lit(f'"{field}":'),
                _to_json(
                    F.struct(
                        F.col(f"before.{field}").alias("old"), F.col(f"after.{field}").alias("new")
                    )
                ),
            ),
        )
        for field in PROFILE_FIELDS
    ]
    return F.concat(F.lit("{"), F.concat_ws(",", *entries), F.lit("}"))


def _event(event_type: str, condition: Column, occurred_at: Column, identity: Column) -> Column:
    """A candidate event, null unless `condition` holds.

    `identity` is what makes this change distinct from any other change of the same type to
    the same customer; with the customer and type it determines the event id.
    """
    return F.when(
        condition,
        F.struct(
            F.lit(event_type).alias("event_type"),
            F.lit(_RANK[event_type]).alias("rank"),
            occurred_at.alias("occurred_at"),
            F.coalesce(identity, F.lit("")).alias("identity"),
        ),
    )


def _events_from_pairs(pairs: DataFrame, current: DataFrame, merges: DataFrame | None) -> DataFrame:
    """Events from customer_id, before, after (either may be null) and changed_at."""
    spark = pairs.sparkSession
    if merges is None:
        merges = spark.createDataFrame(
            [],
            "from_customer_id string, into_customer_id string, merged_at timestamp, reason string",
        )
    latest_merges = merges.groupBy("from_customer_id").agg(
        F.max_by(F.struct("into_customer_id", "merged_at", "reason"), "merged_at").alias("merge")
    )
    surviving = current.select(
        F.col("customer_id").alias("surviving_customer_id"), _image().alias("surviving")
    )
    pairs = (
        pairs.join(latest_merges, pairs["customer_id"] == latest_merges["from_customer_id"], "left")
        .join(
            surviving,
            F.col("merge.into_customer_id") == F.col("surviving_customer_id"),
            "left",
        )
        .withColumn("changes", _changes_json())
    )

    before, after, merge = F.col("before"), F.col("after"), F.col("merge")
    exists_before, exists_after = before.isNotNull(), after.isNotNull()
    was_opted_out = F.coalesce(F.col("before.opted_out"), F.lit(False))
    is_opted_out = F.coalesce(F.col("after.opted_out"), F.lit(False))
    departed = exists_before & ~exists_after

    # A departure carries no updated_at of its own; never order it before the customer's
    # last known state.
    changed_at = F.coalesce(
        F.col("after.updated_at"),
        F.greatest(
            F.coalesce(F.col("merge.merged_at"), F.col("changed_at")), F.col("before.updated_at")
        ),
        F.current_timestamp(),
    )
    candidates = F.array(
        _event(CREATED, ~exists_before & exists_after, changed_at, F.lit("")),
        _event(
            UPDATED,
            exists_before & exists_after & (F.col("changes") != "{}"),
            changed_at,
            F.concat_ws("|", _micros_text(F.col("after.updated_at")), F.col("changes")),
        ),
        _event(
            OPTED_OUT,
            exists_after & is_opted_out & ~was_opted_out,
            F.coalesce(F.col("after.opted_out_at"), changed_at),
            _micros_text(F.coalesce(F.col("after.opted_out_at"), changed_at)),
        ),
        _event(
            RE_CONSENTED,
            exists_before & exists_after & was_opted_out & ~is_opted_out,
            F.coalesce(F.col("after.re_consented_at"), changed_at),
            _micros_text(F.coalesce(F.col("after.re_consented_at"), changed_at)),
        ),
        _event(
            MERGED,
            departed & merge.isNotNull(),
            F.coalesce(F.col("merge.merged_at"), changed_at),
            F.col("merge.into_customer_id"),
        ),
        _event(
            DELETED,
            departed & merge.isNull(),
            changed_at,
            _micros_text(F.col("before.updated_at")),
        ),
    )

    events = (
        pairs.select(
            "*",
            changed_at.alias("change_time"),
            F.explode(F.filter(candidates, lambda event: event.isNotNull())).alias("event"),
        )
        .withColumn("event_type", F.col("event.event_type"))
        .withColumn("occurred_at", F.col("event.occurred_at"))
        .withColumn(
            "event_id",
            F.sha2(
                F.concat_ws(
                    "|", F.col("customer_id"), F.col("event_type"), F.col("event.identity")
                ),
                256,
            ),
        )
        .withColumn("sequence", F.unix_micros(F.col("change_time")) * 10 + F.col("event.rank"))
    )
    return events.withColumn("envelope", _envelope()).select(
        "event_id",
        "customer_id",
        "event_type",
        "occurred_at",
        _payload().alias("payload"),
        "sequence",
    )


def _envelope() -> Column:
    """The members every event's body has, the golden record after the change among them."""
    return _to_json(
        F.struct(
            "event_id",
            "event_type",
            "customer_id",
            "occurred_at",
            "sequence",
            F.col("after").alias("customer"),
        )
    )


def _payload() -> Column:
    """The JSON body receivers get: the envelope plus the members of the event's type."""
    merge_details = F.concat(
        F.lit('"merge":'),
        _to_json(
            F.struct(
                F.col("customer_id").alias("from_customer_id"),
                F.col("merge.into_customer_id").alias("into_customer_id"),
                F.col("merge.merged_at").alias("merged_at"),
                F.col("merge.reason").alias("reason"),
            )
        ),
        F.lit(',"surviving_customer":'),
        _to_json(F.col("surviving")),
    )
    details = F.when(
        F.col("event_type") == UPDATED, F.concat(F.lit('"changes":'), F.col("changes"))
    ).when(F.col("event_type") == MERGED, merge_details)
    # The type-specific members go in before the envelope's closing brace.
    return F.when(details.isNull(), F.col("envelope")).otherwise(
        F.concat(
            F.expr("substring(envelope, 1, length(envelope) - 1)"), F.lit(","), details, F.lit("}")
        )
    )
