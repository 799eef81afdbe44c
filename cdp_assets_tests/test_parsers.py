"""Each source parser on a small sample written the way that source's system writes it."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from cdp_assets.sources import (
    facebook,
    freshdesk,
    google_ads,
    housing,
    legacy_crm,
    magicbricks,
    mailchimp,
    ninety_nine_acres,
    referral,
    walk_in,
    website,
    whatsapp,
)
from cdp_assets.sources.base import ParsedRecord, Rejected, SourceFileError

IST = timezone(timedelta(hours=5, minutes=30))


def records(results) -> list[ParsedRecord]:
    return [result for result in results if isinstance(result, ParsedRecord)]


def rejections(results) -> list[Rejected]:
    return [result for result in results if isinstance(result, Rejected)]


def lines(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode()


# 99acres

ACRES_LEAD = (
    '{"lead_id": "48000017", "created_at": "2024-03-05T10:22:31+05:30", '
    '"contact": {"name": "Rahul Sharma", "mobile": "9876543210", '
    '"email": "rahul.sharma@gmail.com"}, '
    '"property": {"project": "Skyline Residences", "locality": "Baner", "city": "Pune"}, '
    '"query_type": "site_visit_request", "dnd": false}'
)


def test_99acres_lead_maps_every_field():
    [record] = list(ninety_nine_acres.parse(lines(ACRES_LEAD), "leads_2024-03-05.jsonl"))

    assert record == ParsedRecord(
        record_id="48000017",
        line=1,
        payload=ACRES_LEAD,
        event_time=datetime(2024, 3, 5, 10, 22, 31, tzinfo=IST),
        name="Rahul Sharma",
        phone="9876543210",
        email="rahul.sharma@gmail.com",
        city="Pune",
        locality="Baner",
        project="Skyline Residences",
        event_type="site_visit_scheduled",
        opt_out=None,
        attributes={"query_type": "site_visit_request"},
    )


def test_99acres_dnd_is_an_opt_out():
    lead = ACRES_LEAD.replace('"dnd": false', '"dnd": true')

    [record] = list(ninety_nine_acres.parse(lines(lead), "leads_2024-03-05.jsonl"))

    assert record.opt_out is True


def test_truncated_json_line_is_rejected_and_the_next_line_still_parses():
    truncated = ACRES_LEAD[:60]

    results = list(ninety_nine_acres.parse(lines(truncated, ACRES_LEAD), "leads.jsonl"))

    [rejected] = rejections(results)
    assert rejected.line == 1
    assert rejected.reason.startswith("invalid JSON: ")
    assert rejected.raw_text == truncated
    assert [record.line for record in records(results)] == [2]


def test_lead_without_lead_id_is_rejected():
    lead = ACRES_LEAD.replace('"lead_id": "48000017", ', "")

    [rejected] = list(ninety_nine_acres.parse(lines(lead), "leads.jsonl"))

    assert rejected == Rejected(1, "missing lead_id", lead)


def test_impossible_created_at_is_rejected_as_a_bad_date():
    lead = ACRES_LEAD.replace("2024-03-05T10:22:31", "2024-02-30T10:22:31")

    [rejected] = list(ninety_nine_acres.parse(lines(lead), "leads.jsonl"))

    assert rejected.reason == "bad date '2024-02-30T10:22:31+05:30'"


def test_undecodable_bytes_reject_one_line_not_the_file():
    broken = ACRES_LEAD.encode()[:40] + b"\xff" + ACRES_LEAD.encode()[40:]
    data = broken + b"\n" + ACRES_LEAD.encode() + b"\n"

    results = list(ninety_nine_acres.parse(data, "leads.jsonl"))

    [rejected] = rejections(results)
    assert rejected.line == 1
    assert rejected.reason.startswith("undecodable bytes")
    assert "\ufffd" in rejected.raw_text
    assert len(records(results)) == 1


def test_blank_lines_are_skipped_without_a_rejection():
    data = lines("", ACRES_LEAD, "   ")

    assert [result.line for result in ninety_nine_acres.parse(data, "leads.jsonl")] == [2]


# MagicBricks

MB_HEADER = (
    "Lead ID,Lead Date,Customer Name,Mobile No,Email ID,City,Locality,Project Name,Lead Type,DND"
)
MB_ROW = (
    "MB70000042,05/03/2024 18:07,Mr. Rahul Sharma,+91-9876543210,rahul.sharma@gmial.com,Pune,"
    '"Baner, Pune",Skyline Residences,Call Back,Y'
)


def test_magicbricks_row_maps_every_field():
    data = f"{MB_HEADER}\r\n{MB_ROW}\r\n".encode()

    [record] = list(magicbricks.parse(data, "mb_export_20240305.csv"))

    assert record.record_id == "MB70000042"
    assert record.line == 2
    assert record.payload == MB_ROW
    assert record.event_time == datetime(2024, 3, 5, 18, 7, tzinfo=IST)
    assert (record.name, record.phone, record.email) == (
        "Mr. Rahul Sharma",
        "+91-9876543210",
        "rahul.sharma@gmial.com",
    )
    assert (record.city, record.locality, record.project) == (
        "Pune",
        "Baner, Pune",
        "Skyline Residences",
    )
    assert record.event_type == "call"
    assert record.opt_out is True


def test_magicbricks_row_with_missing_fields_is_rejected_with_the_count():
    row = "MB70000043,05/03/2024 18:07,Priya Patel,9876500000,,Pune,Baner,Skyline Residences"

    [rejected] = list(magicbricks.parse(lines(MB_HEADER, row), "mb_export_20240305.csv"))

    assert rejected == Rejected(2, "expected 10 fields, found 8", row)


def test_magicbricks_impossible_lead_date_is_rejected():
    row = MB_ROW.replace("05/03/2024 18:07", "31/02/2024 18:07")

    [rejected] = list(magicbricks.parse(lines(MB_HEADER, row), "mb_export_20240305.csv"))

    assert rejected.reason == "bad date '31/02/2024 18:07'"


def test_magicbricks_file_without_its_header_raises_naming_the_file():
    with pytest.raises(SourceFileError, match="mb_export_20240305.csv"):
        list(magicbricks.parse(lines(MB_ROW), "mb_export_20240305.csv"))


# Housing.com

HOUSING_PAGE = {
    "data": [
        {
            "id": 5300001,
            "created_at": 1709614351,
            "user": {"name": "RAHUL SHARMA", "phone": "+919876543210", "email": None},
            "listing": {
                "id": "HSG-skyline-residences",
                "project_name": "Skyline Residences",
                "locality": "Baner",
                "city": "Pune",
            },
            "intent": "REQUEST_CALLBACK",
        },
        {"created_at": 1709614400, "user": {"name": "Anita Rao"}},
    ],
    "next": "page_0002.json",
}


def test_housing_page_maps_each_lead_by_its_position():
    results = list(housing.parse(json.dumps(HOUSING_PAGE).encode(), "page_0001.json"))

    record = results[0]
    assert record.record_id == "5300001"
    assert record.line == 1
    assert record.payload == json.dumps(HOUSING_PAGE["data"][0], sort_keys=True)
    assert record.event_time == datetime(2024, 3, 5, 4, 52, 31, tzinfo=UTC)
    assert (record.name, record.phone, record.email) == ("RAHUL SHARMA", "+919876543210", None)
    assert (record.city, record.locality, record.project) == ("Pune", "Baner", "Skyline Residences")
    assert record.event_type == "call"
    assert results[1] == Rejected(
        2, "missing id", json.dumps(HOUSING_PAGE["data"][1], sort_keys=True)
    )


def test_housing_page_that_is_not_json_raises_naming_the_file():
    with pytest.raises(SourceFileError, match="page_0003.json"):
        list(housing.parse(b'{"data": [{"id": 1}', "page_0003.json"))


# Website forms

WEBSITE_POST = (
    '{"submission_id": "9b2f0c1e", "submitted_at": "2024-03-05T04:52:31Z", "form": "brochure", '
    '"fields": {"full_name": "R. Sharma", "phone": "+91 98765 43210", '
    '"email": "Rahul.Sharma@Gmail.com", "project": "Skyline Residences", "message": "Price?"}, '
    '"consent": {"marketing": true}, "page_url": "https://www.nivasahomes.in/projects/skyline"}'
)


def test_website_form_post_maps_every_field():
    [record] = list(website.parse(lines(WEBSITE_POST), "forms_2024-03-05.jsonl"))

    assert record.record_id == "9b2f0c1e"
    assert record.event_time == datetime(2024, 3, 5, 4, 52, 31, tzinfo=UTC)
    assert (record.name, record.phone, record.email, record.project) == (
        "R. Sharma",
        "+91 98765 43210",
        "Rahul.Sharma@Gmail.com",
        "Skyline Residences",
    )
    assert record.city is None
    assert record.event_type == "enquiry"
    assert record.attributes == {
        "form": "brochure",
        "page_url": "https://www.nivasahomes.in/projects/skyline",
        "message": "Price?",
    }


def test_ticked_marketing_box_is_explicit_consent():
    [record] = list(website.parse(lines(WEBSITE_POST), "forms.jsonl"))

    assert record.opt_out is False


def test_cleared_marketing_box_is_an_opt_out():
    post = WEBSITE_POST.replace('"marketing": true', '"marketing": false')

    [record] = list(website.parse(lines(post), "forms.jsonl"))

    assert record.opt_out is True


def test_site_visit_form_schedules_a_visit():
    post = WEBSITE_POST.replace('"form": "brochure"', '"form": "site-visit"')

    [record] = list(website.parse(lines(post), "forms.jsonl"))

    assert record.event_type == "site_visit_scheduled"


# Facebook Lead Ads

FACEBOOK_RESPONSE = {
    "data": [
        {
            "id": "1200000000000037",
            "created_time": "2024-03-05T10:22:31+0000",
            "ad_id": "23850000000012",
            "form_id": "1050000000000",
            "campaign_name": "Pune_2BHK_Launch",
            "field_data": [
                {"name": "full_name", "values": ["RAHUL SHARMA"]},
                {"name": "phone_number", "values": ["987-654-3210"]},
                {"name": "email", "values": ["rahul.sharma@gmail.com"]},
                {"name": "city", "values": ["Pune"]},
                {"name": "project_interest", "values": ["Skyline Residences"]},
            ],
        },
        {
            "id": "1200000000000074",
            "created_time": "2024-03-05T11:00:00+0000",
            "field_data": [{"name": "full_name", "values": ["Neha"]}],
        },
    ],
    "paging": {"cursors": {"before": "QVFIUk1", "after": "QVFIUjZA"}},
}


def test_facebook_lead_maps_field_data_answers():
    data = json.dumps(FACEBOOK_RESPONSE).encode()

    record = next(facebook.parse(data, "leads.json"))

    assert record.record_id == "1200000000000037"
    assert record.event_time == datetime(2024, 3, 5, 10, 22, 31, tzinfo=UTC)
    assert (record.name, record.phone, record.email, record.city, record.project) == (
        "RAHUL SHARMA",
        "987-654-3210",
        "rahul.sharma@gmail.com",
        "Pune",
        "Skyline Residences",
    )
    assert record.attributes == {
        "ad_id": "23850000000012",
        "form_id": "1050000000000",
        "campaign_name": "Pune_2BHK_Launch",
    }
    assert record.payload == json.dumps(
        FACEBOOK_RESPONSE["data"][0], ensure_ascii=False, sort_keys=True
    )


def test_facebook_lead_without_some_questions_leaves_them_empty():
    data = json.dumps(FACEBOOK_RESPONSE).encode()

    record = list(facebook.parse(data, "leads.json"))[1]

    assert record.line == 2
    assert (record.name, record.phone, record.email) == ("Neha", None, None)


def test_facebook_response_without_data_list_raises_naming_the_file():
    with pytest.raises(SourceFileError, match="leads.json"):
        list(facebook.parse(b'{"error": {"message": "expired token"}}', "leads.json"))


# Google Ads

GOOGLE_ROW = (
    '{"lead_id": "A1B2C3", "submission_date_time": "2024-03-05 10:22:31+05:30", '
    '"campaign_id": 21845330117, "form_id": 40000000000, "user_column_data": ['
    '{"column_name": "Full Name", "string_value": "Rahul Sharma", "column_id": "FULL_NAME"}, '
    '{"column_name": "User Phone", "string_value": "+919876543210", "column_id": "PHONE_NUMBER"}, '
    '{"column_name": "User Email", "string_value": "rahul.sharma@gmai.com", "column_id": "EMAIL"}, '
    '{"column_name": "City", "string_value": "Bangalore", "column_id": "CITY"}, '
    '{"column_name": "Project", "string_value": "Lake Vista"}]}'
)


def test_google_ads_row_maps_standard_and_custom_columns():
    [record] = list(google_ads.parse(lines(GOOGLE_ROW), "lead_form_submissions.jsonl"))

    assert record.record_id == "A1B2C3"
    assert record.event_time == datetime(2024, 3, 5, 10, 22, 31, tzinfo=IST)
    assert (record.name, record.phone, record.email, record.city, record.project) == (
        "Rahul Sharma",
        "+919876543210",
        "rahul.sharma@gmai.com",
        "Bangalore",
        "Lake Vista",
    )
    assert record.attributes == {"campaign_id": "21845330117", "form_id": "40000000000"}


# WhatsApp Business


def webhook(*messages: tuple[str, str, str, str]) -> str:
    contacts = [{"profile": {"name": name}, "wa_id": wa_id} for wa_id, name, _, _ in messages]
    bodies = [
        {"from": wa_id, "id": message_id, "timestamp": "1709614351", "type": "text",
         "text": {"body": body}}
        for wa_id, _, message_id, body in messages
    ]  # fmt: skip
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "918045671234", "phone_number_id": "1098"},
        "contacts": contacts,
        "messages": bodies,
    }
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "1049", "changes": [{"field": "messages", "value": value}]}],
        }
    )


def test_whatsapp_message_gives_sender_name_and_project_of_interest():
    line = webhook(("919876543210", "Rahul", "wamid.A1", "Interested in Skyline Residences"))

    [record] = list(whatsapp.parse(lines(line), "webhooks.jsonl"))

    assert record.record_id == "wamid.A1"
    assert record.payload == line
    assert record.event_time == datetime(2024, 3, 5, 4, 52, 31, tzinfo=UTC)
    assert (record.name, record.phone, record.project) == (
        "Rahul",
        "919876543210",
        "Skyline Residences",
    )
    assert record.event_type == "enquiry"
    assert record.opt_out is None


def test_webhook_with_two_messages_yields_two_records_on_one_line():
    line = webhook(
        ("919876543210", "Rahul", "wamid.A1", "Hi"),
        ("919812345678", "Neha", "wamid.B2", "I am interested in the Lake Vista project."),
    )

    first, second = whatsapp.parse(lines(line), "webhooks.jsonl")

    assert (first.record_id, first.line, first.name) == ("wamid.A1", 1, "Rahul")
    assert (second.record_id, second.line, second.name) == ("wamid.B2", 1, "Neha")
    assert second.project == "Lake Vista"


def test_stop_in_any_case_is_an_opt_out():
    line = webhook(("919876543210", "Rahul", "wamid.A1", "  stop "))

    [record] = list(whatsapp.parse(lines(line), "webhooks.jsonl"))

    assert (record.event_type, record.opt_out) == ("opt_out", True)


def test_start_is_a_re_consent():
    line = webhook(("919876543210", "Rahul", "wamid.A1", "START"))

    [record] = list(whatsapp.parse(lines(line), "webhooks.jsonl"))

    assert (record.event_type, record.opt_out) == ("re_consent", False)


def test_whatsapp_message_without_id_is_rejected():
    line = webhook(("919876543210", "Rahul", "", "Hi"))

    [rejected] = list(whatsapp.parse(lines(line), "webhooks.jsonl"))

    assert rejected.reason == "missing message id"


# Freshdesk

TICKETS = [
    {
        "id": 210001,
        "created_at": "2024-03-05T04:52:31Z",
        "subject": "Site visit booking - Skyline Residences",
        "type": "Site Visit",
        "requester": {
            "name": "Rahul S.",
            "phone": "020-2345-6789",
            "mobile": "09876543210",
            "email": None,
        },
        "custom_fields": {
            "cf_project": "Skyline Residences",
            "cf_locality": "Baner",
            "cf_city": "Pune",
            "cf_dnd": False,
        },
        "responder_id": 60000000101,
    },
    {
        "id": 210002,
        "created_at": "2024-03-05T05:00:00Z",
        "type": "Pricing",
        "requester": {"name": "Neha", "phone": "9999999999", "mobile": None},
        "custom_fields": {"cf_dnd": True},
    },
]


def test_freshdesk_ticket_prefers_the_mobile_and_keeps_the_other_number():
    record = next(freshdesk.parse(json.dumps(TICKETS).encode(), "tickets.json"))

    assert record.record_id == "210001"
    assert record.event_time == datetime(2024, 3, 5, 4, 52, 31, tzinfo=UTC)
    assert (record.name, record.phone, record.email) == ("Rahul S.", "09876543210", None)
    assert (record.city, record.locality, record.project) == ("Pune", "Baner", "Skyline Residences")
    assert record.event_type == "site_visit_scheduled"
    assert record.opt_out is None
    assert record.attributes == {
        "alt_phone": "020-2345-6789",
        "subject": "Site visit booking - Skyline Residences",
        "ticket_type": "Site Visit",
        "agent_id": "60000000101",
    }


def test_freshdesk_dnd_flag_is_an_opt_out():
    record = list(freshdesk.parse(json.dumps(TICKETS).encode(), "tickets.json"))[1]

    assert (record.phone, record.event_type, record.opt_out) == (
        "9999999999",
        "pricing_discussed",
        True,
    )


def test_freshdesk_file_that_is_not_an_array_raises_naming_the_file():
    with pytest.raises(SourceFileError, match="tickets.json"):
        list(freshdesk.parse(b'{"tickets": []}', "tickets.json"))


# Walk-in registrations

WALK_IN_HEADER = (
    "Reg No,Visit Date,Visitor Name,Contact Number,Email,Project Visited,Residence Area,City,"
    "Sales Executive"
)


def test_walk_in_row_is_a_site_visit_done_identified_by_site_and_register_number():
    row = "118,05-03-2024,Mr Rahul Sharma,987-654-3210,,Skyline Residences,Aundh,pune,Sunil"

    [record] = list(walk_in.parse(lines(WALK_IN_HEADER, row), "walkins_pune-baner.csv"))

    assert record.record_id == "pune-baner:118"
    assert record.event_time == datetime(2024, 3, 5, tzinfo=IST)
    assert (record.name, record.phone, record.email) == ("Mr Rahul Sharma", "987-654-3210", None)
    assert (record.city, record.locality, record.project) == ("pune", "Aundh", "Skyline Residences")
    assert record.event_type == "site_visit_done"
    assert record.attributes == {"site": "pune-baner", "sales_executive": "Sunil"}


def test_walk_in_accepts_day_first_slashed_dates():
    row = "119,5/3/2024,Neha Patel,9812345678,,Skyline Residences,Aundh,Pune,Sunil"

    [record] = list(walk_in.parse(lines(WALK_IN_HEADER, row), "walkins_pune-baner.csv"))

    assert record.event_time == datetime(2024, 3, 5, tzinfo=IST)


def test_walk_in_impossible_visit_date_is_rejected():
    row = "120,31-02-2024,Neha Patel,9812345678,,Skyline Residences,Aundh,Pune,Sunil"

    [rejected] = list(walk_in.parse(lines(WALK_IN_HEADER, row), "walkins_pune-baner.csv"))

    assert rejected == Rejected(2, "bad date '31-02-2024'", row)


# Referral partners

REFERRAL_DETAIL = (
    "D|R2024030500001|20240305|Rahul Sharma|9876543210|rahul.sharma@gmail.com|Pune|Baner|"
    "Skyline Residences|Anand Realty"
)


def test_referral_detail_line_maps_every_field_and_the_batch():
    data = lines("H|PRN014|20240305|B2024030501", REFERRAL_DETAIL, "T|1")

    [record] = list(referral.parse(data, "REF_20240305.txt"))

    assert record.record_id == "R2024030500001"
    assert record.line == 2
    assert record.payload == REFERRAL_DETAIL
    assert record.event_time == datetime(2024, 3, 5, tzinfo=IST)
    assert (record.name, record.phone, record.email) == (
        "Rahul Sharma",
        "9876543210",
        "rahul.sharma@gmail.com",
    )
    assert (record.city, record.locality, record.project) == ("Pune", "Baner", "Skyline Residences")
    assert record.event_type == "enquiry"
    assert record.attributes == {
        "partner_code": "PRN014",
        "batch_id": "B2024030501",
        "referrer": "Anand Realty",
    }


def test_referral_detail_with_wrong_field_count_is_rejected():
    short = "D|R2024030500002|20240305|Neha|9812345678"
    data = lines("H|PRN014|20240305|B1", REFERRAL_DETAIL, short, "T|2")

    assert rejections(referral.parse(data, "REF_20240305.txt")) == [
        Rejected(3, "expected 10 fields, found 5", short)
    ]


def test_referral_trailer_count_mismatch_is_rejected():
    data = lines("H|PRN014|20240305|B1", REFERRAL_DETAIL, "T|3")

    [rejected] = rejections(referral.parse(data, "REF_20240305.txt"))

    assert rejected == Rejected(3, "trailer count 3 does not match 1 detail lines", "T|3")


def test_referral_file_without_trailer_is_rejected_at_its_end():
    data = lines("H|PRN014|20240305|B1", REFERRAL_DETAIL)

    [rejected] = rejections(referral.parse(data, "REF_20240305.txt"))

    assert (rejected.line, rejected.reason) == (3, "missing trailer after 1 detail lines")


def test_referral_file_without_header_raises_naming_the_file():
    with pytest.raises(SourceFileError, match="REF_20240305.txt"):
        list(referral.parse(lines(REFERRAL_DETAIL, "T|1"), "REF_20240305.txt"))


# Mailchimp

MEMBER_ID = hashlib.md5(b"rahul.sharma@gmail.com").hexdigest()


def mailchimp_members(*members: dict) -> bytes:
    return json.dumps(
        {"list_id": "8f2c1e7a4b", "members": list(members), "total_items": 9}
    ).encode()


def member(status: str, last_changed: str) -> dict:
    return {
        "id": MEMBER_ID,
        "email_address": "rahul.sharma@gmail.com",
        "status": status,
        "merge_fields": {
            "FNAME": "Rahul",
            "LNAME": "Sharma",
            "PHONE": "+919876543210",
            "CITY": "Pune",
            "PROJECT": "Skyline Residences",
        },
        "timestamp_signup": "2024-01-10T08:00:00+00:00",
        "last_changed": last_changed,
    }


def test_mailchimp_record_id_is_member_id_and_change_time():
    data = mailchimp_members(member("subscribed", "2024-01-10T08:00:00+00:00"))

    [record] = list(mailchimp.parse(data, "members.json"))

    assert record.record_id == f"{MEMBER_ID}:20240110080000"
    assert (record.name, record.phone, record.email, record.city, record.project) == (
        "Rahul Sharma",
        "+919876543210",
        "rahul.sharma@gmail.com",
        "Pune",
        "Skyline Residences",
    )
    assert (record.event_type, record.opt_out) == (None, False)
    assert record.attributes["list_id"] == "8f2c1e7a4b"


def test_mailchimp_unsubscribe_is_an_opt_out():
    data = mailchimp_members(member("unsubscribed", "2024-02-01T09:30:00+00:00"))

    [record] = list(mailchimp.parse(data, "members.json"))

    assert (record.event_type, record.opt_out) == ("opt_out", True)


def test_mailchimp_subscribed_again_after_signup_is_a_re_consent():
    data = mailchimp_members(member("subscribed", "2024-03-01T09:30:00+00:00"))

    [record] = list(mailchimp.parse(data, "members.json"))

    assert record.record_id == f"{MEMBER_ID}:20240301093000"
    assert (record.event_type, record.opt_out) == ("re_consent", False)


# Historical SQL database

LEGACY_ROW = {
    "lead_id": 100231,
    "salutation": "Mr.",
    "first_name": "R.",
    "last_name": "Sharma",
    "mobile": "091-9876-543210",
    "alt_mobile": "9822012345",
    "email": "rahul.sharma@rediffmai.com",
    "city": "Pune",
    "locality": "Baner",
    "project": "Skyline Residences",
    "status": "Site Visit Done",
    "dnd": 0,
    "created_on": "2021-06-14 11:05:00",
}


def change(op: str, before: dict | None, after: dict | None, ts_ms: int = 1623648900000) -> str:
    return json.dumps(
        {"op": op, "ts_ms": ts_ms, "source": {"table": "leads"}, "before": before, "after": after}
    )


def test_legacy_snapshot_row_maps_every_column():
    line = change("r", None, LEGACY_ROW)

    [record] = list(legacy_crm.parse(lines(line), "cdc_2021-06-14.jsonl"))

    assert record.record_id == "100231:1623648900000"
    assert record.event_time == datetime(2021, 6, 14, 5, 35, tzinfo=UTC)
    assert (record.name, record.phone, record.email) == (
        "Mr. R. Sharma",
        "091-9876-543210",
        "rahul.sharma@rediffmai.com",
    )
    assert (record.city, record.locality, record.project) == ("Pune", "Baner", "Skyline Residences")
    assert record.event_type == "site_visit_done"
    assert record.opt_out is None
    assert record.attributes == {
        "op": "r",
        "lead_id": "100231",
        "status": "Site Visit Done",
        "alt_phone": "9822012345",
        "salutation": "Mr.",
        "created_on": "2021-06-14 11:05:00",
        "table": "leads",
    }


def test_legacy_delete_takes_its_row_from_before():
    line = change("d", LEGACY_ROW, None, ts_ms=1700000000000)

    [record] = list(legacy_crm.parse(lines(line), "cdc_2023-11-14.jsonl"))

    assert record.record_id == "100231:1700000000000"
    assert record.phone == "091-9876-543210"
    assert record.event_type is None
    assert record.attributes["op"] == "d"


def test_legacy_update_clearing_dnd_is_a_re_consent():
    line = change("u", dict(LEGACY_ROW, dnd=1), dict(LEGACY_ROW, dnd=0), ts_ms=1700000000000)

    [record] = list(legacy_crm.parse(lines(line), "cdc_2023-11-14.jsonl"))

    assert record.opt_out is False


def test_legacy_dnd_row_is_an_opt_out():
    line = change("u", LEGACY_ROW, dict(LEGACY_ROW, dnd=1), ts_ms=1700000000000)

    [record] = list(legacy_crm.parse(lines(line), "cdc_2023-11-14.jsonl"))

    assert record.opt_out is True


def test_legacy_unknown_op_is_rejected():
    line = change("x", None, LEGACY_ROW)

    [rejected] = list(legacy_crm.parse(lines(line), "cdc_2021-06-14.jsonl"))

    assert rejected.reason == "unknown op 'x'"
