"""Propagation: golden-record changes become events, recorded in an outbox, sent as webhooks."""

from cdp_assets.propagation.delivery import DeliveryCounts, DeliveryReport, deliver
from cdp_assets.propagation.delivery_state import read_delivery_state, replay_dead_letters
from cdp_assets.propagation.endpoints import WebhookEndpoint, load_endpoints
from cdp_assets.propagation.events import events_from_change_feed, golden_record_events
from cdp_assets.propagation.outbox import append_to_outbox, read_outbox
from cdp_assets.propagation.signing import sign_body, verify_signature

__all__ = [
    "DeliveryCounts",
    "DeliveryReport",
    "WebhookEndpoint",
    "append_to_outbox",
    "deliver",
    "events_from_change_feed",
    "golden_record_events",
    "load_endpoints",
    "read_delivery_state",
    "read_outbox",
    "replay_dead_letters",
    "sign_body",
    "verify_signature",
]
