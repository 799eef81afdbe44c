"""Recall of perfect phone-or-email linking: the bar identity resolution's recall must meet.

A perfect linker joins exactly the records of one person that share a standardized phone
or email, directly or through other records of that person, and nothing else. Its
pairwise recall against the truth is what shared identifiers alone can give; under the
policy weights a pair without a shared identifier auto-merges only when its last seven
digits agree and it comes from one source within the window, so the built customers
should reach at least this recall. Reads a lake and truth that `scale.py` left behind.

    .venv/bin/python benchmarks/identifier_recall.py --workdir data/bench/scale-100k-focused
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path


def _pairs(sizes: Counter) -> int:
    return sum(size * (size - 1) // 2 for size in sizes.values())


class _Components:
    def __init__(self) -> None:
        self._parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        parent = self._parent.setdefault(item, item)
        while parent != item:
            grandparent = self._parent.setdefault(parent, parent)
            self._parent[item] = grandparent
            item, parent = parent, grandparent
        return item

    def union(self, left: str, right: str) -> None:
        left, right = self.find(left), self.find(right)
        if left != right:
            self._parent[max(left, right)] = min(left, right)


def identifier_recall(rows) -> dict:
    """Pairwise recall of perfect phone-or-email linking over (record_key, person_id,
    phone, email) rows."""
    components = _Components()
    first_holder: dict[tuple[str, str, str], str] = {}
    people: Counter = Counter()
    for record_key, person_id, phone, email in rows:
        people[person_id] += 1
        components.find(record_key)
        for kind, value in (("phone", phone), ("email", email)):
            if value:
                key = (person_id, kind, value)
                holder = first_holder.setdefault(key, record_key)
                components.union(holder, record_key)
    linked = Counter(components.find(record_key) for record_key, *_ in rows)
    true_pairs = _pairs(people)
    linked_pairs = _pairs(linked)
    return {
        "records": sum(people.values()),
        "true_pairs": true_pairs,
        "pairs_sharing_identifiers": linked_pairs,
        "recall": linked_pairs / true_pairs if true_pairs else 1.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True, help="a scale.py work folder")
    parser.add_argument("--driver-memory", default="8g")
    args = parser.parse_args()
    workdir = args.workdir.resolve()
    os.environ["CDP_LAKE_ROOT"] = str(workdir / "lake")
    os.environ["CDP_SPARK_DRIVER_MEMORY"] = args.driver_memory
    os.environ.setdefault("CDP_SPARK_UI", "false")

    from pyspark.sql import functions as F

    from cdp_assets import lake
    from cdp_assets.spark import get_spark
    from cdp_assets.standardized.assets import contacts_table_path

    spark = get_spark()
    truth = spark.read.csv(str(workdir / "landing" / "_truth" / "truth.csv"), header=True)
    truth = truth.select(
        F.concat_ws(":", "source", "source_record_id").alias("record_key"), "person_id"
    )
    contacts = lake.read_table(spark, contacts_table_path()).select("record_key", "phone", "email")
    rows = (
        contacts.join(truth, "record_key")
        .select("record_key", "person_id", "phone", "email")
        .toLocalIterator()
    )
    result = identifier_recall([tuple(row) for row in rows])
    sys.stdout.write(
        f"records {result['records']:,}  true pairs {result['true_pairs']:,}"
        f"  pairs sharing a phone or email {result['pairs_sharing_identifiers']:,}"
        f"  recall of perfect phone-or-email linking {result['recall']:.4f}\n"
    )


if __name__ == "__main__":
    main()
