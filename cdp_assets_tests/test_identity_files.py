"""Resolving a single contacts file without a lake."""

from __future__ import annotations

import pandas as pd
import pytest

from cdp_assets.identity.files import ContactFileError, resolve_file

HEADER = "record_id,source,name,phone,email,city,locality,project,event_ts\n"


def test_file_resolves_to_customer_ids_and_reports_bad_rows(spark, tmp_path):
    contacts = tmp_path / "leads.csv"
    contacts.write_text(
        HEADER
        + "1,99acres,Mr. Rahul Sharma,98765 43210,,Mumbai,Worli,Lodha Park,2026-11-01T10:00:00\n"
        + "2,magicbricks,rahul sharma,+91-9876543210,,Mumbai,Worli,,2026-11-02T09:30:00+05:30\n"
        + "3,website,Priya Nair,9811111111,priya@gmail.com,Pune,,,2026-11-01T12:00:00Z\n"
        + ",website,No Id,9822222222,,Pune,,,2026-11-01T12:00:00\n"
        + "5,website,Bad Time,9833333333,,Pune,,,yesterday\n"
    )
    output = tmp_path / "customers.parquet"

    result = resolve_file(spark, contacts, output)

    written = pd.read_parquet(output).set_index("record_id")
    assert list(written.columns) == ["customer_id", "match_confidence"]
    assert sorted(written.index) == ["99acres:1", "magicbricks:2", "website:3"]
    assert written.loc["99acres:1", "customer_id"] == written.loc["magicbricks:2", "customer_id"]
    assert written.loc["website:3", "customer_id"] != written.loc["99acres:1", "customer_id"]
    assert (written["match_confidence"] == 1.0).all()
    assert [(row.line, row.reason) for row in result.rejected] == [
        (5, "empty record_id"),
        (6, "event_ts is not an ISO 8601 timestamp"),
    ]
    assert result.review_path.name == "customers_review.parquet"
    assert result.review_path.exists()
    assert (result.records, result.customers) == (3, 2)


def test_file_missing_columns_is_refused_naming_them(spark, tmp_path):
    contacts = tmp_path / "leads.csv"
    contacts.write_text("record_id,source,name\n1,website,asha\n")

    with pytest.raises(ContactFileError, match="phone, email, city, locality, project, event_ts"):
        resolve_file(spark, contacts, tmp_path / "customers.csv")
