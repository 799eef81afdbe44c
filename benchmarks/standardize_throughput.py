"""Throughput of standardization: synthetic messy leads through the Spark step.

Builds `--rows` raw records in Spark (phones in every spelling the sources use, emails
with domain typos, names with titles and initials, a sprinkling of placeholders), runs
`standardize_contacts` and `expand_initials`, forces the whole plan with a no-op write
and logs records per second.

    .venv/bin/python benchmarks/standardize_throughput.py --rows 200000
"""

from __future__ import annotations

import argparse
import logging
import time

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from cdp_assets.spark import get_spark
from cdp_assets.standardize import expand_initials, standardization_stats, standardize_contacts

log = logging.getLogger("benchmarks.standardize_throughput")

SOURCES = ["99acres", "website", "facebook", "freshdesk", "whatsapp"]
FIRST_NAMES = ["Rahul", "Priya", "Amit", "Neha", "Vikram", "Anita", "Rohit", "Sneha", "Arjun"]
LAST_NAMES = ["Sharma", "Verma", "Nair", "Iyer", "Patel", "Reddy", "Gupta", "Das", "Khan"]
TITLES = ["", "", "", "Mr. ", "Mrs ", "Dr. ", "Shri "]
DOMAINS = [
    "gmail.com",
    "gmail.com",
    "gmial.com",
    "yahoo.co.in",
    "yaho.co.in",
    "rediffmail.com",
    "outlook.com",
    "hotmail.con",
    "prestige-homes.in",
]
PHONE_PLACEHOLDERS = ["9999999999", "1234567890", "0000000000"]
CITIES = ["mumbai", " NAVI MUMBAI", "Pune ", "bengaluru", "Hyderabad"]
LOCALITIES = ["Kharghar", "whitefield ", "Baner", "Gachibowli", None]
PROJECTS = ["Sky Gardens", "lake  view", "Palm Grove", None]


def _pick(values: list, index: Column) -> Column:
    return F.element_at(
        F.array(*[F.lit(value) for value in values]), ((index % len(values)) + 1).cast("int")
    )


def _messy_phone(digits: Column, variant: Column) -> Column:
    spellings = [
        digits,
        F.concat(F.lit("+91"), digits),
        F.concat(F.lit("091-"), F.substring(digits, 1, 4), F.lit("-"), F.substring(digits, 5, 6)),
        F.concat_ws(
            "-", F.substring(digits, 1, 3), F.substring(digits, 4, 3), F.substring(digits, 7, 4)
        ),
        F.concat(F.lit("+91 "), F.substring(digits, 1, 5), F.lit(" "), F.substring(digits, 6, 5)),
        F.concat(F.lit("91"), digits),
        F.concat(F.lit("0"), digits),
    ]
    return F.element_at(F.array(*spellings), ((variant % len(spellings)) + 1).cast("int"))


def synthetic_raw_leads(spark: SparkSession, rows: int) -> DataFrame:
    """`rows` raw leads for about a quarter as many people, spelled as sources spell them."""
    people = max(rows // 4, 1)
    ids = spark.range(rows).withColumn("person", (F.col("id") * 7919) % people)

    person = F.col("person")
    first = _pick(FIRST_NAMES, person)
    last = _pick(LAST_NAMES, F.floor(person / len(FIRST_NAMES)))
    digits = (F.lit(9_000_000_000) + (person * 104_729) % 999_999_999).cast("string")
    spelled_name = F.concat(
        _pick(TITLES, F.col("id")),
        F.when(F.col("id") % 7 == 0, F.concat(F.substring(first, 1, 1), F.lit(". "))).otherwise(
            F.concat(first, F.lit(" "))
        ),
        last,
    )
    email = F.concat(
        F.lower(first), F.lit("."), F.lower(last), (person % 100).cast("string"), F.lit("@")
    )

    return ids.select(
        _pick(SOURCES, F.col("id")).alias("source"),
        F.col("id").cast("string").alias("record_id"),
        (F.lit(1_793_000_000) + F.col("id")).cast("timestamp").alias("event_time"),
        F.when(F.col("id") % 4 == 0, F.upper(spelled_name)).otherwise(spelled_name).alias("name"),
        F.when(F.col("id") % 50 == 0, _pick(PHONE_PLACEHOLDERS, F.col("id")))
        .otherwise(_messy_phone(digits, F.col("id")))
        .alias("phone"),
        F.when(F.col("id") % 3 == 0, F.lit(None))
        .when(F.col("id") % 61 == 0, F.lit("test@test.com"))
        .otherwise(F.concat(F.lit(" "), email, _pick(DOMAINS, F.col("id") + person)))
        .alias("email"),
        _pick(CITIES, person).alias("city"),
        _pick(LOCALITIES, person).alias("locality"),
        _pick(PROJECTS, F.col("id")).alias("project"),
        F.lit("enquiry").alias("event_type"),
        F.when(F.col("id") % 97 == 0, F.lit(True)).alias("opt_out"),
        F.lit("2026-11-02").cast("date").alias("day"),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="raw leads to standardize")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    spark = get_spark()
    spark.sparkContext.setLogLevel("ERROR")
    raw = synthetic_raw_leads(spark, args.rows).cache()
    raw.count()

    started = time.perf_counter()
    contacts = expand_initials(standardize_contacts(raw)).cache()
    contacts.write.format("noop").mode("overwrite").save()
    seconds = time.perf_counter() - started

    log.info("Standardized %d records in %.2f seconds.", args.rows, seconds)
    log.info("Throughput: %.0f records per second.", args.rows / seconds)
    log.info("Counts: %s", standardization_stats(contacts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
