"""What one upsert into a large table costs, by itself: the floor under an incremental day.

Copies a table of a `scale.py` lake (contacts by default) to a scratch folder, then times
`lake.upsert`, the MERGE the incremental stages run, with a day's worth of rows: some of
the table's rows changed and some new ones. Each layout is copied afresh, so every trial
starts from the same table, its change data feed on as in the lake:

- `as-built`: a copy of the table's files, deletion vectors on (what the stages run);
- `copy-on-write`: a copy of the same files, deletion vectors off (touched files are
  rewritten whole);
- `more-files`: the rows spread over `--files` files, deletion vectors on.

    .venv/bin/python benchmarks/merge_cost.py --workdir data/bench/scale-2300k \\
        --updated 27 --updated 300 --inserted 1234

Updates are random rows of the table, so like a real day's they fall in every file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

LAYOUTS = ("as-built", "copy-on-write", "more-files")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True, help="a scale.py work folder")
    parser.add_argument("--table", default="contacts", help="a table of the lake")
    parser.add_argument("--key", default="record_key", help="the table's key column")
    parser.add_argument("--changed-column", default="name", help="a string column to change")
    parser.add_argument("--updated", type=int, action="append", help="rows changed, repeatable")
    parser.add_argument("--inserted", type=int, default=1234, help="new rows in the first trial")
    parser.add_argument("--files", type=int, default=128, help="files of the more-files layout")
    parser.add_argument("--layout", action="append", choices=LAYOUTS, help="default: all")
    parser.add_argument("--driver-memory", default="8g")
    parser.add_argument("--shuffle-partitions", default="16")
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    # Delta's SQL names a table by its path, which must not be relative.
    args.workdir = args.workdir.resolve()
    os.environ["CDP_SPARK_DRIVER_MEMORY"] = args.driver_memory
    os.environ["CDP_SPARK_SHUFFLE_PARTITIONS"] = args.shuffle_partitions
    os.environ["CDP_SPARK_UI"] = "false"
    os.environ.setdefault("CDP_SPARK_LOCAL_DIR", str(args.workdir / "spark-tmp"))

    from pyspark.sql import functions as F

    from cdp_assets import lake
    from cdp_assets.spark import get_spark

    spark = get_spark()
    spark.sparkContext.setLogLevel("ERROR")
    source = str(args.workdir / "lake-base" / args.table)
    if not Path(source).is_dir():
        source = str(args.workdir / "lake" / args.table)
    table = lake.read_table(spark, source)
    rows = table.count()
    updates = args.updated or [27, 300]
    key, column = args.key, args.changed_column

    # The rows each trial brings: a share of the table's rows changed, plus new keys.
    picked = table.sample(min(1.0, 4 * (max(updates) + args.inserted) / rows), seed=3)
    picked = picked.localCheckpoint()
    inserts = (
        picked.orderBy(F.rand(5))
        .limit(args.inserted)
        .withColumn(key, F.concat(F.lit("new:"), F.col(key)))
        .localCheckpoint()
    )
    gone = spark.createDataFrame([], f"{key} string")

    def changed(count: int, mark: str):
        return picked.limit(count).withColumn(
            column, F.concat(F.coalesce(F.col(column), F.lit("")), F.lit(mark))
        )

    scratch = args.workdir / "merge-cost"
    # A MERGE into a small copy first, so the first trial does not pay for warming the JVM.
    warm = str(scratch / "warm-up")
    shutil.rmtree(warm, ignore_errors=True)
    lake.overwrite(picked, warm, change_data_feed=True, deletion_vectors=True)
    lake.upsert(changed(10, "~warm").unionByName(inserts.limit(10)), gone, warm, key)
    sys.stdout.write(f"{args.table}: {rows:,} rows from {source}\n")
    for layout in args.layout or LAYOUTS:
        target = str(scratch / layout)
        shutil.rmtree(target, ignore_errors=True)
        if layout == "more-files":
            spread = table.repartition(args.files)
            lake.overwrite(spread, target, change_data_feed=True, deletion_vectors=True)
        else:
            shutil.copytree(source, target)
            lake.ensure_properties(spark, target, change_data_feed=True)
            switch = "false" if layout == "copy-on-write" else "true"
            spark.sql(
                f"ALTER TABLE {lake.delta_ref(target)}"
                f" SET TBLPROPERTIES ('delta.enableDeletionVectors' = '{switch}')"
            )
        files = spark.sql(f"DESCRIBE DETAIL {lake.delta_ref(target)}").first()["numFiles"]
        for index, count in enumerate(updates):
            batch = changed(count, f"~{index}")
            if index == 0:
                batch = batch.unionByName(inserts)
            batch = batch.localCheckpoint()
            started = time.perf_counter()
            counts = lake.upsert(batch, gone, target, key)
            seconds = time.perf_counter() - started
            sys.stdout.write(
                f"{layout:14} {files:4d} files  {counts.get('num_updated_rows', 0):6,} updated"
                f"  {counts.get('num_inserted_rows', 0):6,} inserted  {seconds:6.1f} s\n"
            )
            sys.stdout.flush()
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
