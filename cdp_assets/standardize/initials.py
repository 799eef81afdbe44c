"""Initials spelled out where another record of the same person shows the full name."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F


def _spellings_sharing(identifier: str) -> Column:
    """Full first names on records sharing `identifier`, last name and first letter."""
    # A record without the identifier gets a group of its own: no false link, and no
    # single huge group of nulls.
    group = Window.partitionBy(
        F.coalesce(F.col(identifier), F.col("record_key")),
        F.col("last_name"),
        F.substring(F.col("first_name"), 1, 1),
    )
    spelled_out = F.when(F.length("first_name") > 1, F.col("first_name"))
    return F.when(F.col(identifier).isNotNull(), F.collect_set(spelled_out).over(group))


def expand_initials(contacts: DataFrame) -> DataFrame:
    """Contacts with an initial replaced by the first name another record spells out.

    `r sharma` becomes `rahul sharma` when a record with the same phone or email has the
    same last name and a first name starting with `r`, and only when exactly one such
    spelling exists: `rahul` and `rohit` together leave the initial alone. Window
    functions over the whole table given, with no join back; the schema is unchanged.
    """
    no_spellings = F.array().cast("array<string>")
    spellings = F.array_union(
        F.coalesce(_spellings_sharing("phone"), no_spellings),
        F.coalesce(_spellings_sharing("email"), no_spellings),
    )
    is_initial = (F.length("first_name") == 1) & F.col("last_name").isNotNull()
    expansion = F.when(is_initial & (F.size(spellings) == 1), spellings[0])
    with_expansion = contacts.withColumn("expanded_first_name", expansion)

    has_expansion = F.col("expanded_first_name").isNotNull()
    # The initial is the name's first character, so the rest of the name follows it.
    rest_of_name = F.expr("substring(name, 2)")
    expanded_name = F.concat(F.col("expanded_first_name"), rest_of_name)
    replaced = {
        "name": F.when(has_expansion, expanded_name).otherwise(F.col("name")),
        "first_name": F.coalesce(F.col("expanded_first_name"), F.col("first_name")),
    }
    return with_expansion.select(
        *[replaced.get(column, F.col(column)).alias(column) for column in contacts.columns]
    )


EXPANDED_FLAG = "initial_expanded"


def expand_initials_marked(contacts: DataFrame) -> DataFrame:
    """`expand_initials`, with a boolean column `initial_expanded` on every row.

    The flag says which rows had their initial spelled out, so `as_standardized` can put
    the initial back when the records around one change.
    """
    given = contacts.withColumn("_given_first_name", F.col("first_name"))
    return (
        expand_initials(given)
        .withColumn(EXPANDED_FLAG, ~F.col("first_name").eqNullSafe(F.col("_given_first_name")))
        .drop("_given_first_name")
    )


def as_standardized(contacts: DataFrame) -> DataFrame:
    """Rows of `expand_initials_marked` as standardization left them, without the flag."""
    expanded = F.coalesce(F.col(EXPANDED_FLAG), F.lit(False))
    initial = F.substring(F.col("first_name"), 1, 1)
    # The spelling replaced the name's first character, and the rest of the name follows.
    name = F.concat(initial, F.expr("substring(name, length(first_name) + 1)"))
    return (
        contacts.withColumn("name", F.when(expanded, name).otherwise(F.col("name")))
        .withColumn("first_name", F.when(expanded, initial).otherwise(F.col("first_name")))
        .drop(EXPANDED_FLAG)
    )
