"""The Spark step turning parsed raw records into the common contact schema.

The rules in `phones`, `emails` and `names` are plain Python and phonenumbers is slow per
call, so each runs in a pandas UDF over the distinct raw values only (millions of records
carry far fewer distinct phones, emails and names) and the results are joined back.
Phones are looked up by their spelling without separators, and the prefixed spellings of
an Indian mobile by one key, so `987-654-3210`, `+91 98765 43210` and `09876543210` cost
one parse. Cities, localities and projects need only Spark SQL.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from cdp_assets.standardize.emails import is_placeholder_email, standardize_email
from cdp_assets.standardize.names import normalize_name, split_name
from cdp_assets.standardize.phones import standardize_phone

CONTACT_SCHEMA = T.StructType(
    [
        T.StructField("record_key", T.StringType()),
        T.StructField("source", T.StringType()),
        T.StructField("source_record_id", T.StringType()),
        T.StructField("event_ts", T.TimestampType()),
        T.StructField("day", T.DateType()),
        T.StructField("name_raw", T.StringType()),
        T.StructField("name", T.StringType()),
        T.StructField("first_name", T.StringType()),
        T.StructField("last_name", T.StringType()),
        T.StructField("phone_raw", T.StringType()),
        T.StructField("phone", T.StringType()),
        T.StructField("phone_type", T.StringType()),
        T.StructField("phone_last7", T.StringType()),
        T.StructField("phone_placeholder", T.BooleanType()),
        T.StructField("email_raw", T.StringType()),
        T.StructField("email", T.StringType()),
        T.StructField("email_corrected", T.BooleanType()),
        T.StructField("email_placeholder", T.BooleanType()),
        T.StructField("city", T.StringType()),
        T.StructField("locality", T.StringType()),
        T.StructField("project", T.StringType()),
        T.StructField("interests", T.ArrayType(T.StringType())),
        T.StructField("opt_out", T.BooleanType()),
        T.StructField("opt_out_ts", T.TimestampType()),
        T.StructField("event_type", T.StringType()),
    ]
)

CONTACT_COLUMNS = tuple(field.name for field in CONTACT_SCHEMA.fields)


def _struct(*fields: tuple[str, T.DataType]) -> T.StructType:
    # Typed structs rather than DDL strings: parsing DDL needs a running SparkContext.
    return T.StructType([T.StructField(name, data_type) for name, data_type in fields])


_PHONE_FIELDS = _struct(
    ("phone", T.StringType()),
    ("phone_type", T.StringType()),
    ("phone_placeholder", T.BooleanType()),
)
_EMAIL_FIELDS = _struct(
    ("email", T.StringType()),
    ("email_corrected", T.BooleanType()),
    ("email_placeholder", T.BooleanType()),
)
_NAME_FIELDS = _struct(
    ("name", T.StringType()), ("first_name", T.StringType()), ("last_name", T.StringType())
)


def _phone_row(raw: str) -> tuple[str | None, str | None, bool]:
    return tuple(standardize_phone(raw))


def _email_row(raw: str) -> tuple[str | None, bool, bool]:
    email, corrected = standardize_email(raw)
    return email, corrected, is_placeholder_email(raw)


def _name_row(raw: str) -> tuple[str | None, str | None, str | None]:
    name = normalize_name(raw)
    return name, *split_name(name)


def _standardize_phones(raw: pd.Series) -> pd.DataFrame:
    rows = [_phone_row(value) for value in raw]
    return pd.DataFrame(rows, columns=_PHONE_FIELDS.names)


def _standardize_emails(raw: pd.Series) -> pd.DataFrame:
    rows = [_email_row(value) for value in raw]
    return pd.DataFrame(rows, columns=_EMAIL_FIELDS.names)


def _standardize_names(raw: pd.Series) -> pd.DataFrame:
    rows = [_name_row(value) for value in raw]
    return pd.DataFrame(rows, columns=_NAME_FIELDS.names)


def _lookup(
    records: DataFrame,
    raw_column: str,
    standardize: Callable[[pd.Series], pd.DataFrame],
    fields: T.StructType,
) -> DataFrame:
    """Standardized fields for each distinct non-empty value of `raw_column`.

    The pandas UDF is made here, with a session running: made at import, it would be a
    local session's UDF even in a process driving Spark Connect.
    """
    udf = F.pandas_udf(standardize, fields)
    distinct_values = (
        records.select(raw_column)
        .where(F.col(raw_column).isNotNull() & (F.trim(F.col(raw_column)) != ""))
        .distinct()
    )
    return distinct_values.select(raw_column, udf(F.col(raw_column)).alias("standardized")).select(
        raw_column, "standardized.*"
    )


# An Indian mobile spelled with any of the prefixes people and channels put before it:
# +91, 0091, 091, 91 or a trunk zero. All of them are one number to phonenumbers.
_SPELLED_MOBILE = r"^(?:\+91|0091|091|91|0)?([6-9][0-9]{9})$"


def _phone_key(raw: Column) -> Column:
    """The spelling a raw phone is looked up by.

    Separators phonenumbers ignores anyway are dropped (letters stay, they may mark an
    extension), and the spellings of one Indian mobile share the key `+91<number>`, so
    each number is parsed once however many ways the sources write it.
    """
    compact = F.regexp_replace(raw, r"[\s\-.()]", "")
    mobile = F.regexp_extract(compact, _SPELLED_MOBILE, 1)
    return F.when(mobile != "", F.concat(F.lit("+91"), mobile)).otherwise(compact)


def _collapsed_text(column: str) -> Column:
    """Trimmed, inner whitespace collapsed to one space, empty as null."""
    text = F.trim(F.regexp_replace(F.col(column), r"\s+", " "))
    return F.when(text != "", text)


def standardize_contacts(raw: DataFrame) -> DataFrame:
    """Parsed raw records in the common contact schema (`CONTACT_SCHEMA`).

    Args:
        raw: Records with `source`, `record_id`, `event_time`, `name`, `phone`, `email`,
            `city`, `locality`, `project`, `event_type`, `opt_out` and `day`; other
            columns are ignored.

    Returns:
        One row per raw record with phones in E.164, emails corrected, names without
        titles, placeholders nulled and flagged, and the interests the record shows.
    """
    records = raw.select(
        F.concat(F.col("source"), F.lit(":"), F.col("record_id")).alias("record_key"),
        F.col("source").cast("string").alias("source"),
        F.col("record_id").cast("string").alias("source_record_id"),
        F.col("event_time").cast("timestamp").alias("event_ts"),
        F.col("day").cast("date").alias("day"),
        F.col("name").cast("string").alias("name_raw"),
        F.col("phone").cast("string").alias("phone_raw"),
        _phone_key(F.col("phone")).alias("phone_key"),
        F.col("email").cast("string").alias("email_raw"),
        F.initcap(_collapsed_text("city")).alias("city"),
        F.lower(_collapsed_text("locality")).alias("locality"),
        F.lower(_collapsed_text("project")).alias("project"),
        F.col("opt_out").cast("boolean").alias("opt_out"),
        F.col("event_type").cast("string").alias("event_type"),
    )

    phones = _lookup(records, "phone_key", _standardize_phones, _PHONE_FIELDS)
    emails = _lookup(records, "email_raw", _standardize_emails, _EMAIL_FIELDS)
    names = _lookup(records, "name_raw", _standardize_names, _NAME_FIELDS)
    contacts = (
        records.join(phones, "phone_key", "left")
        .join(emails, "email_raw", "left")
        .join(names, "name_raw", "left")
    )

    interests = F.array_sort(
        F.array_distinct(
            F.filter(F.array(F.col("project"), F.col("locality")), lambda value: value.isNotNull())
        )
    )
    contacts = (
        contacts.withColumn("phone_last7", F.substring(F.col("phone"), -7, 7))
        .withColumn("phone_placeholder", F.coalesce(F.col("phone_placeholder"), F.lit(False)))
        .withColumn("email_corrected", F.coalesce(F.col("email_corrected"), F.lit(False)))
        .withColumn("email_placeholder", F.coalesce(F.col("email_placeholder"), F.lit(False)))
        .withColumn("interests", interests)
        .withColumn("opt_out_ts", F.when(F.col("opt_out"), F.col("event_ts")))
    )
    return contacts.select(*CONTACT_COLUMNS)


def _count_true(column: str) -> Column:
    return F.coalesce(F.sum(F.col(column).cast("int")), F.lit(0))


def standardization_stats(contacts: DataFrame) -> dict[str, int]:
    """Counts for the Dagster UI: rows, phones and emails kept, corrected and rejected.

    `phones_invalid` counts phones given but neither a number nor a placeholder, and
    `record_keys_empty` records no later stage could tell apart.
    """
    phone_given = F.trim(F.col("phone_raw")) != ""
    phone_invalid = F.col("phone").isNull() & phone_given & ~F.col("phone_placeholder")
    row = contacts.agg(
        F.count(F.lit(1)).alias("rows"),
        F.count("phone").alias("phones_valid"),
        F.count(F.when(phone_invalid, 1)).alias("phones_invalid"),
        _count_true("phone_placeholder").alias("phones_placeholder"),
        F.count("email").alias("emails_valid"),
        _count_true("email_corrected").alias("emails_corrected"),
        _count_true("email_placeholder").alias("emails_placeholder"),
        F.count("name").alias("names"),
        F.count_if(F.coalesce(F.col("record_key"), F.lit("")) == "").alias("record_keys_empty"),
    ).first()
    return {key: int(value) for key, value in row.asDict().items()}
