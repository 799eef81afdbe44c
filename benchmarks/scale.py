"""The whole build at scale: time, memory and identity quality per stage.

Generates `--records` leads across the 12 sources with their truth into a fresh work
folder, materializes the graph stage by stage in one process and one Spark session
(ingest, standardize, contacts, identity, golden records), and reports per stage the wall
time, the peak RSS of the Spark driver JVM, of this Python process and of PySpark's Python
workers, the peak of their summed PSS (each shared page counted once), and the load
average. After identity it reports Splink's comparisons per blocking rule, pairwise
precision, recall and F1 against the truth, the open review share, the misses by cause,
and a plain Splink run over the same contacts for comparison.

    .venv/bin/python benchmarks/scale.py --records 100000 --incremental-day

With `--incremental-day` one more day of leads by the same people is generated with the
rest, held back, then landed after the base build, and resolving it is timed stage by
stage. The generator piles touches past its last day onto that day, so this mode
generates two extra days and drops the last: the base then holds about two thirds of
`--records` at 20 days (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import psutil

log = logging.getLogger("benchmarks.scale")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
IDENTITY_KEYS = ["match_pairs", "customers", "customer_merges", "review_queue"]
GOLDEN_KEYS = [
    "contact_sources",
    "golden_records",
    "suppression_list",
    "customer_events",
    "cdp_metrics",
]
GIB = 1024**3


def _write(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _proportional_size(process: psutil.Process) -> int:
    """A process's PSS: its private pages plus its share of pages mapped by others."""
    with open(f"/proc/{process.pid}/smaps_rollup") as rollup:
        for line in rollup:
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    return 0


class PeakMemory:
    """Samples the RSS of this process, its Spark JVM and the JVM's Python workers.

    `total` is the largest sum of all of them at one instant, each counted by its PSS, so
    pages the forked Python workers share are counted once: the machine's real use.
    """

    def __init__(self, interval: float = 0.5) -> None:
        self._interval = interval
        self._process = psutil.Process()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._peaks = {"python": 0, "jvm": 0, "workers": 0, "total": 0}
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def reset(self) -> dict[str, float]:
        """Returns the peaks (GiB) since the last reset and starts counting afresh."""
        with self._lock:
            peaks = {name: round(value / GIB, 2) for name, value in self._peaks.items()}
            self._peaks = dict.fromkeys(self._peaks, 0)
        return peaks

    def _sample(self) -> dict[str, int]:
        sample = {
            "python": self._process.memory_info().rss,
            "jvm": 0,
            "workers": 0,
            "total": _proportional_size(self._process),
        }
        for child in self._process.children(recursive=True):
            try:
                rss = child.memory_info().rss
                kind = "jvm" if child.name() == "java" else "workers"
                pss = _proportional_size(child)
            except (psutil.Error, OSError):
                continue
            sample[kind] += rss
            sample["total"] += pss
        return sample

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            sample = self._sample()
            with self._lock:
                for name, value in sample.items():
                    self._peaks[name] = max(self._peaks[name], value)


@dataclass
class StageReport:
    """One stage's wall time, memory peaks and the load around it."""

    name: str
    seconds: float
    memory: dict[str, float]
    load: float
    metadata: dict = field(default_factory=dict)

    def line(self) -> str:
        return (
            f"{self.name:<26} {self.seconds:>9.1f} s  jvm {self.memory['jvm']:>5.2f} GiB"
            f"  python {self.memory['python']:>5.2f} GiB"
            f"  workers {self.memory['workers']:>5.2f} GiB"
            f"  all (PSS) {self.memory['total']:>5.2f} GiB  load {self.load:>5.2f}"
        )


def use_workdir(workdir: Path, driver_memory: str, shuffle_partitions: int | str) -> None:
    """Points the project at a work folder's landing zone, lake and Spark scratch.

    cdp_assets reads these when Spark starts and when assets are defined: call this before
    anything from the project is imported.
    """
    os.environ["CDP_LAKE_ROOT"] = str(workdir / "lake")
    os.environ["CDP_LANDING_ROOT"] = str(workdir / "landing")
    os.environ["CDP_SPARK_DRIVER_MEMORY"] = driver_memory
    os.environ["CDP_SPARK_SHUFFLE_PARTITIONS"] = str(shuffle_partitions)
    os.environ["CDP_SPARK_LOCAL_DIR"] = str(workdir / "spark-tmp")
    os.environ["CDP_SPARK_UI"] = "false"
    os.environ.pop("DAGSTER_HOME", None)


def _configure_environment(args: argparse.Namespace, workdir: Path) -> None:
    use_workdir(workdir, args.driver_memory, args.shuffle_partitions)
    os.environ["CDP_MATCH_PROFILE"] = args.profile


def _generate(args: argparse.Namespace, workdir: Path) -> dict:
    """Writes the landing zone; with an incremental day, holds that day's files back.

    The generator piles every touch that would fall after its last day onto that day, so
    the incremental run generates two extra days, holds back the first of them and drops
    the overloaded second (its truth rows stay, as records no build ever sees).
    """
    from cdp_assets.generator import generate, people_for_records

    landing = workdir / "landing"
    extra_days = 2 if args.incremental_day else 0
    records = args.records * (args.days + extra_days) // args.days
    started = time.perf_counter()
    summary = generate(
        out=landing,
        people=people_for_records(records),
        days=args.days + extra_days,
        start=args.start,
        seed=7,
    )
    if args.incremental_day:
        _move_day(landing, workdir / "held", args.start + timedelta(days=args.days))
        _move_day(landing, workdir / "dropped", args.start + timedelta(days=args.days + 1))
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "people": summary.people,
        "records_generated": summary.total_records,
    }


def _move_day(landing: Path, target_root: Path, day: date) -> None:
    """Moves one day's files of every source from the landing zone to `target_root`."""
    for folder in sorted(landing.glob(f"*/{day.isoformat()}")):
        target = target_root / folder.parent.name / folder.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(folder), str(target))


def _snapshot_lake(workdir: Path) -> None:
    """Copies the lake as built so far to `lake-base/`, replacing any older copy."""
    shutil.rmtree(workdir / "lake-base", ignore_errors=True)
    shutil.copytree(workdir / "lake", workdir / "lake-base", ignore=_scratch_folders)


def _scratch_folders(folder: str, names: list[str]) -> list[str]:
    return [name for name in names if name == "_checkpoints"]


def _land_held_day(landing: Path, held: Path) -> None:
    for folder in sorted(held.glob("*/*")):
        target = landing / folder.parent.name / folder.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(folder), str(target))


def _metadata(result) -> dict[str, dict]:
    by_asset = {}
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        by_asset[materialization.asset_key.to_user_string()] = {
            key: value.value for key, value in materialization.metadata.items()
        }
    return by_asset


def _markdown_counts(table: str) -> dict[str, int]:
    counts = {}
    for row in table.splitlines()[2:]:
        cells = [cell.strip() for cell in row.strip().strip("|").split("|")]
        counts[cells[0]] = int(cells[1])
    return counts


class Build:
    """Runs stages of the asset graph in one process, one instance and one Spark session."""

    def __init__(self, memory: PeakMemory) -> None:
        import dagster as dg
        from dagster_pyspark import PySparkResource

        from cdp_assets.definitions import defs
        from cdp_assets.landing import LocalLandingZone
        from cdp_assets.settings import landing_root
        from cdp_assets.spark import spark_config

        self._dg = dg
        self._assets = list(defs.assets or [])
        self._instance = dg.DagsterInstance.ephemeral()
        self._resources = {
            "pyspark": PySparkResource(spark_config=spark_config()),
            "landing_zone": LocalLandingZone(root=landing_root()),
        }
        self._memory = memory
        self.reports: list[StageReport] = []

    @property
    def spark(self):
        from cdp_assets.spark import get_spark

        # The resource's session lives only inside a run; getOrCreate returns the same one.
        return get_spark()

    def keys_with_prefix(self, prefix: str) -> list[str]:
        return [
            key.to_user_string()
            for asset in self._assets
            for key in asset.keys
            if key.to_user_string().startswith(prefix)
        ]

    def stage(
        self, name: str, keys: list[str], first: date | None = None, last: date | None = None
    ) -> StageReport:
        """Materializes `keys` (for days `first..last` when they are partitioned)."""
        from cdp_assets.raw.sensors import RANGE_END_TAG, RANGE_START_TAG

        tags = {}
        if first is not None:
            tags = {RANGE_START_TAG: first.isoformat(), RANGE_END_TAG: last.isoformat()}
        self._memory.reset()
        started = time.perf_counter()
        result = self._dg.materialize(
            self._assets,
            selection=[self._dg.AssetKey(key) for key in keys],
            resources=self._resources,
            instance=self._instance,
            tags=tags,
        )
        seconds = time.perf_counter() - started
        report = StageReport(
            name, round(seconds, 1), self._memory.reset(), os.getloadavg()[0], _metadata(result)
        )
        self.reports.append(report)
        _write(report.line())
        return report

    def timed(self, name: str, work) -> tuple[StageReport, object]:
        """Runs `work()` as a stage of its own, outside Dagster."""
        self._memory.reset()
        started = time.perf_counter()
        value = work()
        seconds = time.perf_counter() - started
        report = StageReport(name, round(seconds, 1), self._memory.reset(), os.getloadavg()[0])
        self.reports.append(report)
        _write(report.line())
        return report, value

    def full_build(self, first: date, last: date, prefix: str = "") -> dict[str, StageReport]:
        return {
            "ingest": self.stage(f"{prefix}ingest", self.keys_with_prefix("raw_"), first, last),
            "standardize": self.stage(
                f"{prefix}standardize", self.keys_with_prefix("standardized_"), first, last
            ),
            "contacts": self.stage(f"{prefix}contacts", ["contacts"]),
            "identity": self.stage(f"{prefix}identity", IDENTITY_KEYS),
            "golden": self.stage(f"{prefix}golden records", GOLDEN_KEYS),
        }


def _quality(spark, truth_path: Path) -> dict:
    from cdp_assets import lake
    from cdp_assets.customers import tables
    from cdp_assets.identity import evaluate

    truth = spark.read.csv(str(truth_path), header=True)
    customers = lake.read_table(spark, tables.path(tables.CUSTOMERS))
    clusters = customers.selectExpr("record_key AS record_id", "customer_id")
    quality = evaluate(truth, clusters)
    records = quality["records"]
    review = lake.read_table(spark, tables.path(tables.REVIEW_QUEUE)).count()
    quality["review_queue"] = review
    quality["review_share"] = review / records if records else 0.0
    return quality


def _quality_lines(quality: dict) -> list[str]:
    return [
        f"precision {quality['precision']:.4f}  recall {quality['recall']:.4f}"
        f"  F1 {quality['f1']:.4f}",
        f"true pairs {quality['true_pairs']:,}  predicted {quality['predicted_pairs']:,}"
        f"  correct {quality['correct_pairs']:,}",
        f"records {quality['records']:,}  over-merged customers"
        f" {quality['over_merged_clusters']:,}  split people {quality['split_people']:,}"
        f"  largest customer {quality['largest_cluster']}",
        f"review queue {quality['review_queue']:,} pairs = {quality['review_share']:.4f}"
        " of records",
    ]


def _plain_splink(build: Build, workdir: Path) -> dict:
    from plain_splink import run_plain_splink

    from cdp_assets import lake
    from cdp_assets.customers import tables
    from cdp_assets.standardized.assets import contacts_table_path

    spark = build.spark
    checkpoints = workdir / "lake" / "_checkpoints" / "plain_splink"
    shutil.rmtree(checkpoints, ignore_errors=True)
    report, result = build.timed(
        "plain Splink (same rules)",
        lambda: run_plain_splink(
            spark,
            lake.read_table(spark, contacts_table_path()),
            lake.read_table(spark, tables.path(tables.IDENTIFIER_HUBS)),
            str(checkpoints),
        ),
    )
    result["report"] = report
    return result


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, required=True, help="leads to generate")
    parser.add_argument("--days", type=int, default=20, help="days the base build spans")
    parser.add_argument("--start", type=date.fromisoformat, default=date(2024, 1, 1))
    parser.add_argument("--workdir", type=Path, help="default: data/bench/scale-<records>")
    parser.add_argument("--incremental-day", action="store_true")
    parser.add_argument("--driver-memory", default="8g")
    parser.add_argument("--shuffle-partitions", type=int, default=16)
    parser.add_argument("--misses", type=int, default=12, help="sample misses to show")
    parser.add_argument("--skip-plain", action="store_true", help="no plain Splink run")
    parser.add_argument(
        "--snapshot-base",
        action="store_true",
        help="copy the base lake to lake-base/ before the incremental day, for later trials",
    )
    parser.add_argument(
        "--profile", default="focused", help="match profile: focused (default) or exhaustive"
    )
    parser.add_argument(
        "--keep-landing",
        action="store_true",
        help="reuse the landing zone a previous run generated in the work folder",
    )
    return parser.parse_args()


def main() -> None:
    args = _args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    workdir = (args.workdir or PROJECT_ROOT / "data" / "bench" / f"scale-{args.records}").resolve()
    if args.keep_landing:
        for name in ("lake", "spark-tmp"):
            shutil.rmtree(workdir / name, ignore_errors=True)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
    _configure_environment(args, workdir)
    sys.path.insert(0, str(Path(__file__).resolve().parent))

    _write(f"scale benchmark: {args.records:,} records over {args.days} days into {workdir}")
    _write(
        f"driver memory {args.driver_memory}, shuffle partitions {args.shuffle_partitions},"
        f" cores {os.cpu_count()}, load {os.getloadavg()[0]:.2f}, profile {args.profile}"
    )
    if args.keep_landing:
        if not (workdir / "landing" / "_truth").is_dir():
            raise SystemExit(f"--keep-landing: no generated landing zone in {workdir}")
        generation = {"reused": str(workdir / "landing")}
    else:
        generation = _generate(args, workdir)
    _write(f"generated: {generation}")

    memory = PeakMemory()
    memory.start()
    build = Build(memory)
    last_base_day = args.start + timedelta(days=args.days - 1)
    _write(f"\n{'stage':<26} {'wall':>11}")
    stages = build.full_build(args.start, last_base_day)
    identity = stages["identity"].metadata
    comparisons = _markdown_counts(identity["match_pairs"]["comparisons_per_blocking_rule"])
    links = _markdown_counts(identity["match_pairs"]["links_by_rule"])
    _write(f"\nSplink comparisons per blocking rule: {comparisons}")
    _write(f"links by rule: {links}")
    _write(f"identity stats: {identity['customers']}")

    quality_report, quality = build.timed(
        "evaluate against truth",
        lambda: _guarded(
            "evaluation",
            lambda: _quality(build.spark, workdir / "landing" / "_truth" / "truth.csv"),
        ),
    )
    for line in _quality_lines(quality) if quality else []:
        _write(line)

    misses = _guarded(
        "misses",
        lambda: describe_misses(
            build.spark, workdir / "landing" / "_truth" / "truth.csv", args.misses
        ),
    )
    if misses:
        _write("\n" + misses["text"])

    plain = None
    if not args.skip_plain:
        plain = _guarded("plain Splink", lambda: _plain_splink(build, workdir))
    if plain:
        plain_quality = _evaluate_clusters(
            build.spark, workdir / "landing" / "_truth" / "truth.csv", plain.pop("clusters_df")
        )
        ratio = stages["identity"].seconds / plain["seconds"]
        _write(
            f"plain Splink: {plain['comparisons']:,} comparisons, {plain['merged_pairs']:,}"
            f" merged pairs, {plain['clusters']:,} clusters; predict {plain['predict_seconds']}"
            f" s, cluster {plain['cluster_seconds']} s"
        )
        _write(
            f"plain Splink quality: precision {plain_quality['precision']:.4f}"
            f" recall {plain_quality['recall']:.4f} F1 {plain_quality['f1']:.4f}"
        )
        _write(f"identity stage / plain Splink = {ratio:.2f}")
        plain["quality"] = plain_quality
        plain["ratio"] = round(ratio, 2)
        plain["report"] = plain["report"].__dict__

    if args.snapshot_base:
        build.timed("snapshot base lake", lambda: _snapshot_lake(workdir))

    incremental = None
    if args.incremental_day:
        new_day = args.start + timedelta(days=args.days)
        _land_held_day(workdir / "landing", workdir / "held")
        _write(f"\nincremental day {new_day}")
        started = time.perf_counter()
        day_stages = build.full_build(new_day, new_day, prefix="day+1 ")
        total = time.perf_counter() - started
        new_records = (
            day_stages["identity"].metadata["customers"]["records"]
            - identity["customers"]["records"]
        )
        _write(f"day+1 total {total:.1f} s for {new_records:,} new records")
        day_quality = _guarded(
            "evaluation",
            lambda: _quality(build.spark, workdir / "landing" / "_truth" / "truth.csv"),
        )
        for line in _quality_lines(day_quality) if day_quality else []:
            _write(line)
        incremental = {
            "seconds": round(total, 1),
            "new_records": new_records,
            "stages": {name: report.__dict__ for name, report in day_stages.items()},
            "quality": day_quality,
        }

    memory.stop()
    summary = {
        "args": {key: str(value) for key, value in vars(args).items()},
        "generation": generation,
        "stages": {name: report.__dict__ for name, report in stages.items()},
        "evaluation": quality_report.__dict__,
        "comparisons_per_blocking_rule": comparisons,
        "links_by_rule": links,
        "quality": quality,
        "misses": misses["counts"] if misses else None,
        "plain_splink": plain,
        "incremental": incremental,
    }
    (workdir / "results.json").write_text(json.dumps(summary, indent=2, default=str))
    _write(f"\nresults written to {workdir / 'results.json'}")


def _guarded(name: str, work):
    """Runs one analysis; a failure is logged so the timings measured so far are kept."""
    try:
        return work()
    except Exception:
        log.exception("%s failed", name)
        return None


def _same(column: str):
    from pyspark.sql import functions as F

    left, right = F.col(f"{column}_l"), F.col(f"{column}_r")
    return (
        F.when(left.isNull() | right.isNull(), F.lit("missing"))
        .when(left == right, F.lit("equal"))
        .otherwise(F.lit("differ"))
    )


def _labelled_contacts(spark, truth_path: Path):
    from pyspark.sql import functions as F

    from cdp_assets import lake
    from cdp_assets.customers import tables
    from cdp_assets.standardized.assets import contacts_table_path

    truth = spark.read.csv(str(truth_path), header=True).select(
        F.concat_ws(":", "source", "source_record_id").alias("record_key"), "person_id"
    )
    customers = lake.read_table(spark, tables.path(tables.CUSTOMERS)).select(
        "record_key", "customer_id"
    )
    hubs = lake.read_table(spark, tables.path(tables.IDENTIFIER_HUBS))
    hub_values = hubs.select(F.col("value").alias("hub_value")).distinct()
    contacts = lake.read_table(spark, contacts_table_path()).select(
        "record_key", "source", "event_ts", "name", "phone", "phone_last7", "email", "interests"
    )
    contacts = (
        contacts.join(
            F.broadcast(hub_values.withColumnRenamed("hub_value", "phone")).withColumn(
                "hub_phone", F.lit(True)
            ),
            "phone",
            "left",
        )
        .join(
            F.broadcast(hub_values.withColumnRenamed("hub_value", "email")).withColumn(
                "hub_email", F.lit(True)
            ),
            "email",
            "left",
        )
        .withColumn("hub", F.coalesce("hub_phone", "hub_email", F.lit(False)))
        .drop("hub_phone", "hub_email")
    )
    return truth.join(customers, "record_key").join(contacts, "record_key")


def _pair_features(pairs):
    """Adds the policy's features, S and decision, and how phones and emails compare."""
    from pyspark.sql import functions as F

    from cdp_assets.identity.policy import MatchPolicy
    from cdp_assets.identity.probabilistic import policy_scores

    scored = policy_scores(pairs, MatchPolicy())
    hours = F.abs(F.unix_timestamp("event_ts_l") - F.unix_timestamp("event_ts_r")) / 3600
    return (
        scored.withColumn("phones", _same("phone"))
        .withColumn("emails", _same("email"))
        .withColumn("last7", _same("phone_last7"))
        .withColumn("hours_apart", F.round(hours, 1))
    )


def _miss_cause():
    from pyspark.sql import functions as F

    phones, emails, last7 = F.col("phones"), F.col("emails"), F.col("last7")
    shared = (phones == "equal") | (emails == "equal")
    return (
        F.when(shared & (F.col("hub_l") | F.col("hub_r")), "shared identifier is a hub")
        .when(shared, "shares a phone or email")
        .when((last7 == "equal") & (F.col("decision") == "review"), "phone slip, review band")
        .when(last7 == "equal", "phone slip, below review")
        .when((phones == "missing") & (emails == "missing"), "phone and email missing")
        .when(phones == "missing", "phone missing, emails differ")
        .when(emails == "missing", "phones differ, email missing")
        .otherwise("different phone and email")
    )


_SAMPLE_COLUMNS = [
    "cause",
    "source_l",
    "source_r",
    "hours_apart",
    "name_l",
    "name_r",
    "name_similarity",
    "interest_overlap",
    "phones",
    "last7",
    "emails",
    "score",
    "decision",
]


def _sample_lines(frame, limit: int) -> list[str]:
    lines = []
    for row in frame.select(*_SAMPLE_COLUMNS).limit(limit).collect():
        lines.append(
            f"  [{row['cause']}] {row['source_l']} / {row['source_r']}, {row['hours_apart']} h"
            f" apart; names {row['name_l']!r} / {row['name_r']!r}"
            f" (JW {row['name_similarity']:.3f}); interests {row['interest_overlap']:.2f};"
            f" phones {row['phones']}, last7 {row['last7']}, emails {row['emails']};"
            f" S {row['score']:.3f} {row['decision']}"
        )
    return lines


def describe_misses(spark, truth_path: Path, samples: int) -> dict:
    """False negatives and false positives against the truth, counted and sampled by cause.

    A false negative is a pair of one person's records in two customers; a false positive
    is a link the build merged on (a shared phone or email, or S at or above the merge
    threshold) between records of two people.
    """
    from pyspark.sql import functions as F

    from cdp_assets import lake
    from cdp_assets.customers import tables

    labelled = _labelled_contacts(spark, truth_path).localCheckpoint()
    columns = list(labelled.columns)
    left = labelled.select(*[F.col(column).alias(f"{column}_l") for column in columns])
    right = labelled.select(*[F.col(column).alias(f"{column}_r") for column in columns])

    split = left.join(
        right,
        (F.col("person_id_l") == F.col("person_id_r"))
        & (F.col("record_key_l") < F.col("record_key_r"))
        & (F.col("customer_id_l") != F.col("customer_id_r")),
    )
    false_negatives = _pair_features(split).withColumn("cause", _miss_cause()).localCheckpoint()

    merged_links = (
        lake.read_table(spark, tables.path(tables.MATCH_PAIRS))
        .where(F.col("decision") == "merge")
        .select(
            "record_key_l",
            "record_key_r",
            F.coalesce("deterministic_identifier", F.lit("probabilistic")).alias("link"),
        )
    )
    wrong = (
        merged_links.join(left, "record_key_l")
        .join(right, "record_key_r")
        .where(F.col("person_id_l") != F.col("person_id_r"))
    )
    false_positives = (
        _pair_features(wrong)
        .withColumn(
            "cause",
            F.when(F.col("hub_l") | F.col("hub_r"), F.concat("link", F.lit(", hub")))
            .when(F.col("name_similarity") >= 0.9, F.concat("link", F.lit(", namesakes")))
            .otherwise(F.concat("link", F.lit(", different names"))),
        )
        .localCheckpoint()
    )

    fn_counts = {
        row["cause"]: row["count"]
        for row in false_negatives.groupBy("cause").count().orderBy(F.desc("count")).collect()
    }
    fp_counts = {
        row["cause"]: row["count"]
        for row in false_positives.groupBy("cause").count().orderBy(F.desc("count")).collect()
    }
    lines = [f"false negative pairs by cause: {fn_counts}"]
    for cause in fn_counts:
        lines += _sample_lines(
            false_negatives.where(F.col("cause") == cause), max(1, samples // len(fn_counts))
        )
    lines.append(f"false positive merge links by cause: {fp_counts}")
    for cause in fp_counts:
        lines += _sample_lines(
            false_positives.where(F.col("cause") == cause), max(1, samples // len(fp_counts))
        )
    return {
        "text": "\n".join(lines),
        "counts": {"false_negatives": fn_counts, "false_positives": fp_counts},
    }


def _evaluate_clusters(spark, truth_path: Path, clusters) -> dict:
    from cdp_assets.identity import evaluate

    return evaluate(spark.read.csv(str(truth_path), header=True), clusters)


if __name__ == "__main__":
    main()
