"""Values people type into lead forms when they do not want to give a real identifier.

Every placeholder rule lives here, so what counts as "nobody in particular" is decided in
one place. A placeholder never identifies anyone: standardization turns it into null.
"""

from __future__ import annotations

import re

# Digit strings typed by running along the keyboard's digit row or counting up from zero.
# 9876543210, the count down from nine, is deliberately absent: it is a valid Indian mobile
# number and the worked example in the design notes treats it as a real customer's phone.
_PHONE_DIGIT_RUNS = ("01234567890", "0987654321")

# Shorter digit strings are not phone numbers at all, so they never count as placeholders.
_MIN_PLACEHOLDER_DIGITS = 6

PLACEHOLDER_EMAILS = frozenset(
    {
        "test@test.com",
        "na@na.com",
        "abc@abc.com",
        "xyz@xyz.com",
        "noemail@noemail.com",
        "none@none.com",
        "email@email.com",
        "a@a.com",
        "x@x.com",
    }
)

# Local parts that mark an address as made up, whatever the domain.
PLACEHOLDER_EMAIL_LOCAL_PARTS = frozenset(
    {
        "abc",
        "asdf",
        "dummy",
        "na",
        "nil",
        "no-email",
        "no.email",
        "no_email",
        "noemail",
        "nomail",
        "none",
        "noreply",
        "no-reply",
        "notavailable",
        "null",
        "test",
        "xyz",
    }
)

# Domains that never receive mail for a real person.
PLACEHOLDER_EMAIL_DOMAINS = frozenset(
    {
        "abc.com",
        "example.com",
        "example.net",
        "example.org",
        "na.com",
        "noemail.com",
        "nomail.com",
        "test.com",
        "xyz.com",
    }
)

# Normalized names that stand in for "unknown" on forms and call logs.
PLACEHOLDER_NAMES = frozenset(
    {
        "abc",
        "customer",
        "guest",
        "na",
        "n a",
        "no name",
        "noname",
        "none",
        "null",
        "test",
        "unknown",
        "xyz",
    }
)

_REPEATED_CHARACTER = re.compile(r"^(.)\1+$")


def is_placeholder_digits(digits: str) -> bool:
    """Whether a string of digits is one repeated digit or a run along 0-9."""
    if len(digits) < _MIN_PLACEHOLDER_DIGITS:
        return False
    if _REPEATED_CHARACTER.match(digits):
        return True
    return any(digits in run for run in _PHONE_DIGIT_RUNS)


def is_placeholder_address(address: str) -> bool:
    """Whether a normalized email address is a made-up one such as `test@test.com`."""
    local, _, domain = address.rpartition("@")
    if address in PLACEHOLDER_EMAILS:
        return True
    if local in PLACEHOLDER_EMAIL_LOCAL_PARTS or domain in PLACEHOLDER_EMAIL_DOMAINS:
        return True
    # `xxx@`, `aaaa@`: keyboard mashing rather than a mailbox.
    return len(local) >= 3 and _REPEATED_CHARACTER.match(local) is not None


def is_placeholder_name(name: str) -> bool:
    """Whether a normalized name is a stand-in such as `test` or `unknown`."""
    return name in PLACEHOLDER_NAMES
