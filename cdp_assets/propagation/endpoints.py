"""Webhook receivers, configured through the environment.

`CDP_WEBHOOKS` holds a JSON list, `CDP_WEBHOOKS_FILE` names a YAML or JSON file with the
same list (or a mapping with the list under `webhooks`). Each entry is
`{"name": "crm", "url": "https://...", "secret_env": "CRM_WEBHOOK_SECRET"}`: the signing
secret stays in its own variable, never in the configuration itself. Both may be set; with
neither, there is nothing to deliver.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

WEBHOOKS_VARIABLE = "CDP_WEBHOOKS"
WEBHOOKS_FILE_VARIABLE = "CDP_WEBHOOKS_FILE"


@dataclass(frozen=True)
class WebhookEndpoint:
    """A receiver of change events: its name keys its delivery state."""

    name: str
    url: str
    secret: str = field(repr=False)


def load_endpoints(environ: Mapping[str, str] | None = None) -> list[WebhookEndpoint]:
    """The configured receivers; an empty list when none are configured.

    Args:
        environ: Variables to read; the process environment by default.

    Raises:
        ValueError: An entry is malformed, a name repeats, or a secret variable is unset.
    """
    environ = os.environ if environ is None else environ
    entries: list = []
    if environ.get(WEBHOOKS_VARIABLE, "").strip():
        entries += _entry_list(json.loads(environ[WEBHOOKS_VARIABLE]), WEBHOOKS_VARIABLE)
    if environ.get(WEBHOOKS_FILE_VARIABLE, "").strip():
        path = Path(environ[WEBHOOKS_FILE_VARIABLE])
        entries += _entry_list(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))

    endpoints = [_endpoint(entry, environ) for entry in entries]
    names = [endpoint.name for endpoint in endpoints]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"Webhook names must be unique; repeated: {', '.join(repeated)}")
    return endpoints


def _entry_list(document, origin: str) -> list:
    if isinstance(document, Mapping):
        document = document.get("webhooks")
    if document is None:
        return []
    if not isinstance(document, list):
        raise ValueError(f"{origin} must hold a list of webhooks")
    return document


def _endpoint(entry, environ: Mapping[str, str]) -> WebhookEndpoint:
    if not isinstance(entry, Mapping):
        raise ValueError(f"A webhook must be a mapping with name, url and secret_env: {entry!r}")
    missing = [key for key in ("name", "url", "secret_env") if not entry.get(key)]
    if missing:
        raise ValueError(f"Webhook {entry.get('name', '?')!r} lacks {', '.join(missing)}")

    name, url, secret_env = str(entry["name"]), str(entry["url"]), str(entry["secret_env"])
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise ValueError(f"Webhook {name!r} needs an http or https URL")
    # An unsigned delivery would let anyone forge events, so a missing secret is an error.
    secret = environ.get(secret_env, "")
    if not secret:
        raise ValueError(f"Webhook {name!r}: the variable {secret_env} holding its secret is unset")
    return WebhookEndpoint(name=name, url=url, secret=secret)
