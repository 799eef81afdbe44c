"""Standardization of leads before any matching.

The rules that clean phones, emails and names, and the Spark steps that apply them to
raw records and spell out initials.
"""

from cdp_assets.standardize.contacts import (
    CONTACT_COLUMNS,
    CONTACT_SCHEMA,
    standardization_stats,
    standardize_contacts,
)
from cdp_assets.standardize.emails import (
    StandardEmail,
    is_placeholder_email,
    known_mail_domains,
    normalize_email,
    standardize_email,
)
from cdp_assets.standardize.initials import (
    EXPANDED_FLAG,
    as_standardized,
    expand_initials,
    expand_initials_marked,
)
from cdp_assets.standardize.names import NameParts, normalize_name, split_name
from cdp_assets.standardize.phones import (
    StandardPhone,
    is_placeholder_phone,
    normalize_phone,
    phone_last7,
    phone_type,
    standardize_phone,
)

__all__ = [
    "CONTACT_COLUMNS",
    "CONTACT_SCHEMA",
    "EXPANDED_FLAG",
    "NameParts",
    "StandardEmail",
    "StandardPhone",
    "as_standardized",
    "expand_initials",
    "expand_initials_marked",
    "is_placeholder_email",
    "is_placeholder_phone",
    "known_mail_domains",
    "normalize_email",
    "normalize_name",
    "normalize_phone",
    "phone_last7",
    "phone_type",
    "split_name",
    "standardization_stats",
    "standardize_contacts",
    "standardize_email",
    "standardize_phone",
]
