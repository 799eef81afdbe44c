"""The standardization rules for phones, emails and names, case by case."""

from __future__ import annotations

import pytest

from cdp_assets.standardize import (
    is_placeholder_email,
    is_placeholder_phone,
    known_mail_domains,
    normalize_email,
    normalize_name,
    normalize_phone,
    phone_last7,
    phone_type,
    split_name,
    standardize_email,
)
from cdp_assets.standardize.emails import osa_distance

RAHUL = "+919876543210"


# Phones


def test_ten_digit_mobile_gets_india_country_code():
    assert normalize_phone("9876543210") == RAHUL


def test_e164_mobile_is_kept():
    assert normalize_phone("+919876543210") == RAHUL


def test_old_trunk_zero_before_country_code_is_dropped():
    assert normalize_phone("091-9876-543210") == RAHUL


def test_dashed_mobile_is_normalized():
    assert normalize_phone("987-654-3210") == RAHUL


def test_spaced_international_mobile_is_normalized():
    assert normalize_phone("+91 98765 43210") == RAHUL


def test_dashed_international_mobile_is_normalized():
    assert normalize_phone("+91-9876543210") == RAHUL


def test_country_code_without_plus_is_read_as_international():
    assert normalize_phone("919876543210") == RAHUL


def test_whatsapp_wa_id_is_normalized():
    wa_id = "919876543210"
    assert normalize_phone(wa_id) == RAHUL


def test_trunk_zero_before_mobile_is_dropped():
    assert normalize_phone("09876543210") == RAHUL


def test_international_prefix_00_is_read_as_plus():
    assert normalize_phone("0091 98765 43210") == RAHUL


def test_landline_with_std_code_is_kept():
    assert normalize_phone("022-2345-6789") == "+912223456789"


def test_indian_mobile_is_typed_mobile():
    assert phone_type(RAHUL) == "mobile"


def test_indian_landline_is_typed_landline():
    assert phone_type("+912223456789") == "landline"


def test_phone_type_of_missing_number_is_none():
    assert phone_type(None) is None


def test_number_from_another_country_keeps_its_code():
    assert normalize_phone("+44 20 7946 0958") == "+442079460958"


@pytest.mark.parametrize("raw", ["not given", "12345", "98765", "", "   ", None, "+91 123"])
def test_what_is_not_a_phone_number_gives_none(raw):
    assert normalize_phone(raw) is None


@pytest.mark.parametrize(
    "raw",
    [
        "9999999999",
        "1234567890",
        "0000000000",
        "7777777777",
        "+91 99999 99999",
        "0123456789",
        "0987654321",
        "91-1234567890",
    ],
)
def test_placeholder_phone_gives_none(raw):
    assert normalize_phone(raw) is None
    assert is_placeholder_phone(raw)


def test_real_mobile_is_not_a_placeholder():
    assert not is_placeholder_phone("98450 12345")


def test_last7_is_the_last_seven_digits():
    assert phone_last7(RAHUL) == "6543210"


def test_last7_of_missing_phone_is_none():
    assert phone_last7(None) is None


# Emails


def test_email_is_trimmed_and_lowercased():
    assert normalize_email("  Rahul.Sharma@GMAIL.com ") == "rahul.sharma@gmail.com"


def test_gmial_is_corrected_to_gmail():
    assert standardize_email("rahul.sharma@gmial.com") == ("rahul.sharma@gmail.com", True)


def test_gmai_is_corrected_to_gmail():
    assert normalize_email("priya@gmai.com") == "priya@gmail.com"


def test_yaho_co_in_is_corrected_to_yahoo_co_in():
    assert normalize_email("amit@yaho.co.in") == "amit@yahoo.co.in"


def test_rediffmai_is_corrected_to_rediffmail():
    assert normalize_email("neha@rediffmai.com") == "neha@rediffmail.com"


def test_swapped_neighbouring_letters_count_as_one_edit():
    assert osa_distance("gamil.com", "gmail.com") == 1
    assert normalize_email("vikram@gamil.com") == "vikram@gmail.com"


def test_exact_known_domain_is_untouched():
    assert standardize_email("rahul@yahoo.in") == ("rahul@yahoo.in", False)


def test_known_domain_one_edit_from_another_is_untouched():
    assert standardize_email("rahul@ymail.com") == ("rahul@ymail.com", False)


def test_company_domain_far_from_known_domains_is_kept():
    assert standardize_email("sales@prestige-homes.in") == ("sales@prestige-homes.in", False)


def test_domain_two_edits_away_is_not_corrected():
    assert normalize_email("rahul@gmial.con") == "rahul@gmial.con"


def test_known_domains_come_from_the_data_file():
    assert {"gmail.com", "yahoo.co.in", "rediffmail.com"} <= known_mail_domains()


@pytest.mark.parametrize(
    "raw", ["rahul.sharma", "rahul@", "@gmail.com", "rahul@gmail", "a..b@gmail.com", "", None]
)
def test_what_is_not_an_address_gives_none(raw):
    assert standardize_email(raw) == (None, False)


@pytest.mark.parametrize(
    "raw",
    [
        "test@test.com",
        "na@na.com",
        "noemail@gmail.com",
        "noemail@noemail.com",
        "abc@abc.com",
        "xyz@xyz.com",
        "someone@example.com",
        "xxxx@gmail.com",
        "TEST@TEST.COM",
    ],
)
def test_placeholder_email_gives_none(raw):
    assert normalize_email(raw) is None
    assert is_placeholder_email(raw)


def test_placeholder_behind_a_typo_is_still_a_placeholder():
    assert is_placeholder_email("noemail@gmial.com")


# Names


def test_title_with_dot_is_stripped_and_case_and_spaces_normalized():
    assert normalize_name("Mr. RAHUL  Sharma") == "rahul sharma"


@pytest.mark.parametrize(
    "raw",
    [
        "Mr Rahul Sharma",
        "Mrs Rahul Sharma",
        "Ms Rahul Sharma",
        "Dr Rahul Sharma",
        "Er Rahul Sharma",
        "Shri Rahul Sharma",
        "Smt Rahul Sharma",
        "Sri Rahul Sharma",
        "Kumari Rahul Sharma",
    ],
)
def test_title_without_dot_is_stripped(raw):
    assert normalize_name(raw) == "rahul sharma"


@pytest.mark.parametrize(
    "raw", ["Mrs. Rahul Sharma", "Dr. Rahul Sharma", "Er. Rahul Sharma", "Smt. Rahul Sharma"]
)
def test_title_with_dot_is_stripped(raw):
    assert normalize_name(raw) == "rahul sharma"


def test_title_glued_to_the_name_by_its_dot_is_stripped():
    assert normalize_name("Mr.Rahul Sharma") == "rahul sharma"


def test_several_titles_are_stripped():
    assert normalize_name("Shri Dr. Rahul Sharma") == "rahul sharma"


def test_initial_is_kept_as_a_single_letter():
    assert normalize_name("R. Sharma") == "r sharma"


def test_run_together_initials_become_separate_letters():
    assert normalize_name("R.K. Sharma") == "r k sharma"


def test_title_inside_a_name_is_kept():
    assert normalize_name("Rahul Mr Sharma") == "rahul mr sharma"


def test_apostrophe_is_dropped_inside_a_surname():
    assert normalize_name("Anil D'Souza") == "anil dsouza"


def test_hyphen_and_comma_separate_words():
    assert normalize_name("Mary-Ann Fernandes,") == "mary ann fernandes"


def test_devanagari_name_keeps_its_vowel_signs():
    assert normalize_name("राहुल  शर्मा") == "राहुल शर्मा"


@pytest.mark.parametrize("raw", ["Mr.", "test", "Unknown", "N/A", "12345", "", None])
def test_what_is_not_a_name_gives_none(raw):
    assert normalize_name(raw) is None


def test_first_and_last_name_are_the_outer_tokens():
    assert split_name("rahul kumar sharma") == ("rahul", "sharma")


def test_single_token_name_has_no_last_name():
    assert split_name("rahul") == ("rahul", None)


def test_missing_name_has_no_parts():
    assert split_name(None) == (None, None)
