"""Phone numbers to E.164, India the default region."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, PhoneNumberFormat, PhoneNumberType

from cdp_assets.standardize.placeholders import is_placeholder_digits

DEFAULT_REGION = "IN"

_NON_DIGIT = re.compile(r"\D")

_PHONE_TYPES = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "landline",
}


def _spellings(raw: str, region: str) -> Iterator[str]:
    """Ways to read a raw value, the literal one first.

    Besides the value as written, a number whose digits, after any leading zeros, start
    with the region's country code is read as international: `091-9876-543210` (trunk
    zero before the country code, an old habit) and WhatsApp ids such as `919876543210`
    carry no `+`.
    """
    yield raw

    if raw.lstrip().startswith("+"):
        return
    digits = _NON_DIGIT.sub("", raw).lstrip("0")
    country_code = str(phonenumbers.country_code_for_region(region))
    if digits.startswith(country_code):
        yield "+" + digits


def _parse(raw: str, region: str) -> Iterator[PhoneNumber]:
    for spelling in _spellings(raw, region):
        try:
            yield phonenumbers.parse(spelling, region)
        except NumberParseException:
            continue


class StandardPhone(NamedTuple):
    """A standardized phone, its type, and whether the raw value was a placeholder."""

    phone: str | None
    phone_type: str | None
    placeholder: bool


def standardize_phone(raw: str | None, default_region: str = DEFAULT_REGION) -> StandardPhone:
    """The E.164 form and type of a raw phone value, parsing it only once.

    Args:
        raw: The phone as a source spelled it: national, international, dashed, spaced,
            with a trunk zero, or a WhatsApp id without `+`.
        default_region: Region assumed for numbers written without a country code.

    Returns:
        The number as `+<country code><number>` (mobile or landline) and its type, or
        None for both when the value is a placeholder or not a phone number. Both the
        digits as typed and the national number behind them are checked for
        placeholders, so `+91 99999 99999` is one as much as `9999999999`.
    """
    if not raw:
        return StandardPhone(None, None, False)
    if is_placeholder_digits(_NON_DIGIT.sub("", raw)):
        return StandardPhone(None, None, True)

    for number in _parse(raw, default_region):
        if is_placeholder_digits(str(number.national_number)):
            return StandardPhone(None, None, True)
        if phonenumbers.is_valid_number(number):
            e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
            return StandardPhone(e164, _type_of(number), False)
    return StandardPhone(None, None, False)


def normalize_phone(raw: str | None, default_region: str = DEFAULT_REGION) -> str | None:
    """The E.164 form of a raw phone value, or None for a placeholder or a non-number."""
    return standardize_phone(raw, default_region).phone


def is_placeholder_phone(raw: str | None, default_region: str = DEFAULT_REGION) -> bool:
    """Whether a raw phone value is a placeholder such as `9999999999` or `1234567890`."""
    return standardize_phone(raw, default_region).placeholder


def _type_of(number: PhoneNumber) -> str | None:
    # Regions that cannot tell mobiles from landlines (FIXED_LINE_OR_MOBILE) stay unknown.
    return _PHONE_TYPES.get(phonenumbers.number_type(number))


def phone_type(e164: str | None) -> str | None:
    """`mobile` or `landline` for an E.164 number, None when unknown or not a number."""
    if not e164:
        return None
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return None
    return _type_of(number)


def phone_last7(e164: str | None) -> str | None:
    """The last seven digits of a phone number."""
    if not e164:
        return None
    digits = _NON_DIGIT.sub("", e164)
    return digits[-7:] if len(digits) >= 7 else None
