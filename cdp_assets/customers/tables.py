"""Where the identity and golden-record tables live in the lake."""

from cdp_assets import lake

MATCH_PAIRS = "match_pairs"
CUSTOMERS = "customers"
CUSTOMER_MERGES = "customer_merges"
REVIEW_QUEUE = "review_queue"
IDENTIFIER_HUBS = "identifier_hubs"
CONTACT_SOURCES = "contact_sources"
GOLDEN_RECORDS = "golden_records"
SUPPRESSION_LIST = "suppression_list"
CUSTOMER_EVENTS = "customer_events"
CDP_METRICS = "cdp_metrics"


def path(table: str) -> str:
    return lake.table_path(table)
