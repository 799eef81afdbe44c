"""Bronze ingestion: a source's landing files for a range of days, parsed into Delta.

Parsing runs on the driver with the source's own parser (the formats are irregular and
every rejected row must keep its file and line); the parsed rows go to Spark as Arrow
and replace exactly the days being ingested, so a rerun never duplicates a record.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.pandas.types import from_arrow_schema

from cdp_assets import lake
from cdp_assets.landing import LandingFile, LandingZone
from cdp_assets.sources.base import ParsedRecord, Rejected, SourceFileError

if TYPE_CHECKING:
    from cdp_assets.sources import Source

log = logging.getLogger(__name__)

QUARANTINE_TABLE = "quarantine"

RAW_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("record_id", pa.string()),
        ("day", pa.date32()),
        ("event_time", pa.timestamp("us", tz="UTC")),
        ("name", pa.string()),
        ("phone", pa.string()),
        ("email", pa.string()),
        ("city", pa.string()),
        ("locality", pa.string()),
        ("project", pa.string()),
        ("event_type", pa.string()),
        ("opt_out", pa.bool_()),
        ("attributes", pa.map_(pa.string(), pa.string())),
        ("payload", pa.string()),
        ("file", pa.string()),
        ("line", pa.int32()),
        ("ingested_at", pa.timestamp("us", tz="UTC")),
    ]
)

QUARANTINE_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("day", pa.date32()),
        ("file", pa.string()),
        ("line", pa.int32()),
        ("reason", pa.string()),
        ("raw_text", pa.string()),
        ("ingested_at", pa.timestamp("us", tz="UTC")),
    ]
)


@dataclass
class IngestReport:
    """What one ingestion run read, wrote and set aside."""

    source: str
    first_day: date
    last_day: date
    files: list[str] = field(default_factory=list)
    rows: int = 0
    quarantined: int = 0
    reasons: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def quarantine_rate(self) -> float:
        total = self.rows + self.quarantined
        return self.quarantined / total if total else 0.0


def raw_table_path(source_name: str) -> str:
    return lake.table_path("raw", source_name)


def quarantine_table_path() -> str:
    return lake.table_path(QUARANTINE_TABLE)


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def _reason_kind(reason: str) -> str:
    """The leading words of a reason, so metadata can count rejects by kind."""
    return reason.split(":", 1)[0].split("'", 1)[0].strip()


class _Batch:
    """Columns of parsed records and rejected rows, built up file by file."""

    def __init__(self, source: str, ingested_at: datetime):
        self.source = source
        self.ingested_at = ingested_at
        self.rows = {name: [] for name in RAW_SCHEMA.names}
        self.rejects = {name: [] for name in QUARANTINE_SCHEMA.names}
        self.first_seen: dict[str, str] = {}

    def add_record(self, record: ParsedRecord, day: date, file: LandingFile) -> None:
        where = f"{file.name}:{record.line}"
        earlier = self.first_seen.get(record.record_id)
        if earlier is not None:
            self.add_reject(
                Rejected(
                    record.line, f"duplicate record id, first seen at {earlier}", record.payload
                ),
                day,
                file,
            )
            return
        self.first_seen[record.record_id] = where
        event_time = record.event_time.astimezone(UTC) if record.event_time else None
        values = {
            "source": self.source,
            "record_id": record.record_id,
            "day": day,
            "event_time": event_time,
            "name": record.name,
            "phone": record.phone,
            "email": record.email,
            "city": record.city,
            "locality": record.locality,
            "project": record.project,
            "event_type": record.event_type,
            "opt_out": record.opt_out,
            "attributes": list(record.attributes.items()),
            "payload": record.payload,
            "file": file.key,
            "line": record.line,
            "ingested_at": self.ingested_at,
        }
        for name, value in values.items():
            self.rows[name].append(value)

    def add_reject(self, rejected: Rejected, day: date, file: LandingFile) -> None:
        values = {
            "source": self.source,
            "day": day,
            "file": file.key,
            "line": rejected.line,
            "reason": rejected.reason,
            "raw_text": rejected.raw_text,
            "ingested_at": self.ingested_at,
        }
        for name, value in values.items():
            self.rejects[name].append(value)

    def records_table(self) -> pa.Table:
        return pa.Table.from_pydict(self.rows, schema=RAW_SCHEMA)

    def rejects_table(self) -> pa.Table:
        return pa.Table.from_pydict(self.rejects, schema=QUARANTINE_SCHEMA)


def parse_file(source: Source, landing: LandingZone, file: LandingFile):
    """Yields the parse results of one file; a file that cannot be read fails with its name."""
    data = landing.read_bytes(file)
    try:
        yield from source.parse(data, file.name)
    except SourceFileError:
        raise
    except Exception as error:
        raise SourceFileError(
            f"{file.location}: cannot be parsed as {source.title}: {error}"
        ) from error


def ingest(
    spark: SparkSession,
    source: Source,
    landing: LandingZone,
    first_day: date,
    last_day: date,
) -> IngestReport:
    """Parses every landing file of `source` for `first_day..last_day` into its bronze table.

    The days' rows in the bronze table and in the quarantine are replaced as a whole.
    """
    started = time.monotonic()
    report = IngestReport(source=source.name, first_day=first_day, last_day=last_day)
    batch = _Batch(source.name, datetime.now(UTC))

    for day in days_between(first_day, last_day):
        for file in landing.list_files(source.name, day.isoformat()):
            report.files.append(file.key)
            for result in parse_file(source, landing, file):
                if isinstance(result, Rejected):
                    batch.add_reject(result, day, file)
                else:
                    batch.add_record(result, day, file)

    records = batch.records_table()
    rejects = batch.rejects_table()
    report.rows = records.num_rows
    report.quarantined = rejects.num_rows
    report.reasons = Counter(
        _reason_kind(reason) for reason in rejects.column("reason").to_pylist()
    )

    days = lake.day_range_predicate("day", first_day, last_day)
    _replace_slice(spark, records, raw_table_path(source.name), days)
    _replace_slice(
        spark,
        rejects,
        quarantine_table_path(),
        f"source = '{source.name}' AND {days}",
        partition_by=("source",),
    )
    report.seconds = time.monotonic() - started
    log.info(
        "Ingested %s for %s..%s: %d rows, %d quarantined, %d files in %.1f seconds",
        source.name,
        first_day,
        last_day,
        report.rows,
        report.quarantined,
        len(report.files),
        report.seconds,
    )
    return report


def _replace_slice(
    spark: SparkSession,
    table: pa.Table,
    path: str,
    predicate: str,
    partition_by: tuple[str, ...] = (),
) -> None:
    """Makes `table` the rows of the slice `predicate` selects in the Delta table at `path`.

    An empty batch (most days reject nothing) only deletes what an earlier run of the
    slice left, which writes nothing when there is nothing to delete.
    """
    if table.num_rows == 0 and lake.table_exists(spark, path):
        lake.delete_where(spark, path, predicate)
    else:
        lake.replace_where(_to_spark(spark, table), path, predicate, partition_by=partition_by)


def _to_spark(spark: SparkSession, table: pa.Table) -> DataFrame:
    if table.num_rows == 0:
        # Spark Connect cannot infer a schema from an empty Arrow table; give it one.
        return spark.createDataFrame(
            [], from_arrow_schema(table.schema, prefer_timestamp_ntz=False)
        )
    return spark.createDataFrame(table)
