"""The `cdp` command on files: resolve a contacts file, then score it against the truth."""

import csv

from cdp_assets.cli import main

CONTACTS = [
    ["record_id", "source", "name", "phone", "email", "city", "locality", "project", "event_ts"],
    [
        "1",
        "99acres",
        "Rahul Sharma",
        "9876543210",
        "",
        "Pune",
        "Baner",
        "Skyline",
        "2024-03-05T10:00:00",
    ],
    [
        "2",
        "website",
        "R. Sharma",
        "+91-9876543210",
        "rahul.sharma@gmial.com",
        "",
        "",
        "Skyline",
        "2024-03-05T11:00:00",
    ],
    ["3", "facebook", "RAHUL SHARMA", "987-654-3210", "", "Pune", "", "", "2024-03-06T09:00:00"],
    [
        "4",
        "walk_in",
        "Anita Rao",
        "9812345678",
        "anita.rao@yahoo.com",
        "Pune",
        "Wakad",
        "Orchid",
        "2024-03-06T12:00:00",
    ],
    ["5", "magicbricks", "Vikram Mehta", "", "", "Mumbai", "Powai", "Lakeview", "not a time"],
    # Anita's namesake two days later, one leading digit away: S 0.80, a pair for review.
    [
        "6",
        "housing",
        "Anita Rao",
        "8812345678",
        "",
        "Pune",
        "Wakad",
        "Orchid",
        "2024-03-08T12:00:00",
    ],
]
TRUTH = [
    ["source", "source_record_id", "person_id"],
    ["99acres", "1", "p1"],
    ["website", "2", "p1"],
    ["facebook", "3", "p1"],
    ["walk_in", "4", "p2"],
    ["housing", "6", "p3"],
]


def _write_csv(path, rows):
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)


def test_resolve_writes_customer_ids_and_reports_the_bad_row(spark, tmp_path, capsys):
    contacts = tmp_path / "contacts.csv"
    _write_csv(contacts, CONTACTS)
    clusters = tmp_path / "clusters.csv"

    assert main(["resolve", str(contacts), "--out", str(clusters)]) == 0

    printed = capsys.readouterr().out
    assert "line 6" in printed
    with clusters.open() as handle:
        rows = {row["record_id"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"99acres:1", "website:2", "facebook:3", "walk_in:4", "housing:6"}
    rahul = {rows[key]["customer_id"] for key in ("99acres:1", "website:2", "facebook:3")}
    assert len(rahul) == 1
    assert rows["walk_in:4"]["customer_id"] not in rahul
    assert float(rows["website:2"]["match_confidence"]) == 1.0


def test_evaluate_scores_the_resolved_file_against_the_truth(spark, tmp_path, capsys):
    contacts, clusters, truth = (tmp_path / name for name in ("c.csv", "k.csv", "t.csv"))
    _write_csv(contacts, CONTACTS)
    _write_csv(truth, TRUTH)
    main(["resolve", str(contacts), "--out", str(clusters)])
    capsys.readouterr()

    review = tmp_path / "k_review.csv"
    arguments = ["evaluate", "--truth", str(truth), "--clusters", str(clusters)]
    assert main([*arguments, "--review", str(review)]) == 0

    lines = dict(line.split(None, 1) for line in capsys.readouterr().out.splitlines())
    assert float(lines["precision"]) == 1.0
    assert float(lines["recall"]) == 1.0
    assert int(lines["review_pairs"]) == 1
    assert float(lines["review_share"]) == 1 / 5


def test_resolve_names_the_missing_columns(spark, tmp_path, capsys):
    contacts = tmp_path / "thin.csv"
    _write_csv(contacts, [["record_id", "name"], ["1", "Rahul"]])

    assert main(["resolve", str(contacts), "--out", str(tmp_path / "out.csv")]) == 2

    printed = capsys.readouterr().out
    assert "source" in printed and "phone" in printed
