"""Deployment checks of consultations (`tawrid check --deploy`)."""

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def sealing_keys_configured(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Without TAWRID_SEALING_KEYS the offers' master key is derived from SECRET_KEY: whoever holds the
    settings of a development machine could unseal; production keeps its own keys apart."""
    if any(key and key.strip() for key in getattr(settings, "SEALING_KEYS", [])):
        return []
    return [
        Warning(
            "TAWRID_SEALING_KEYS is empty: sealed offers use a key derived from SECRET_KEY.",
            hint="Set TAWRID_SEALING_KEYS to one or more random strings of at least 32 characters (see .env.example).",
            id="tawrid.sourcing.W001",
        )
    ]
