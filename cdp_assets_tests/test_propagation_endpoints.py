"""Webhook receivers configured through the environment."""

from __future__ import annotations

import json

import pytest

from cdp_assets.propagation import WebhookEndpoint, load_endpoints


def test_no_webhook_configured_means_no_endpoints():
    assert load_endpoints({}) == []


def test_endpoints_from_json_variable_take_the_secret_from_the_named_variable():
    environ = {
        "CDP_WEBHOOKS": json.dumps(
            [{"name": "crm", "url": "https://crm.example.com/hooks", "secret_env": "CRM_SECRET"}]
        ),
        "CRM_SECRET": "crm-signing-key",
    }

    assert load_endpoints(environ) == [
        WebhookEndpoint(name="crm", url="https://crm.example.com/hooks", secret="crm-signing-key")
    ]


def test_endpoints_from_yaml_file(tmp_path):
    config = tmp_path / "webhooks.yaml"
    config.write_text(
        "webhooks:\n"
        "  - name: marketing\n"
        "    url: http://127.0.0.1:8001/events\n"
        "    secret_env: MARKETING_SECRET\n"
        "  - name: analytics\n"
        "    url: https://analytics.example.com/cdp\n"
        "    secret_env: ANALYTICS_SECRET\n"
    )
    environ = {
        "CDP_WEBHOOKS_FILE": str(config),
        "MARKETING_SECRET": "m-key",
        "ANALYTICS_SECRET": "a-key",
    }

    endpoints = load_endpoints(environ)

    assert [(e.name, e.url, e.secret) for e in endpoints] == [
        ("marketing", "http://127.0.0.1:8001/events", "m-key"),
        ("analytics", "https://analytics.example.com/cdp", "a-key"),
    ]


def test_unset_secret_variable_is_an_error():
    environ = {
        "CDP_WEBHOOKS": json.dumps(
            [{"name": "crm", "url": "https://crm.example.com/hooks", "secret_env": "CRM_SECRET"}]
        )
    }

    with pytest.raises(ValueError, match="CRM_SECRET"):
        load_endpoints(environ)


def test_repeated_webhook_name_is_an_error():
    entry = {"name": "crm", "url": "https://crm.example.com/hooks", "secret_env": "CRM_SECRET"}
    environ = {"CDP_WEBHOOKS": json.dumps([entry, entry]), "CRM_SECRET": "k"}

    with pytest.raises(ValueError, match="crm"):
        load_endpoints(environ)


def test_secret_is_kept_out_of_the_endpoint_repr():
    endpoint = WebhookEndpoint(name="crm", url="https://crm.example.com", secret="crm-signing-key")

    assert "crm-signing-key" not in repr(endpoint)
