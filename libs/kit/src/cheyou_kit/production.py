"""Production mode: with ``CHEYOU_ENV=production`` a service refuses to start on development settings.

Every setting that defaults to something convenient for a laptop — a development key, a default secret,
the local fake WeChat and SMS providers, demo data — is a hole if it reaches production unnoticed. Each
service declares which of its settings are secrets, keys, provider URLs and development switches
(:class:`~cheyou_kit.settings.ServiceSettings`); :func:`refuse_unsafe_production` checks them all when the
app is built and names every wrong one, by the environment variable to fix.

Rules (a test per rule: ``libs/kit/tests/test_production.py``):

- a secret must be set, and be neither its development default nor a known development key;
- a required setting (a key file's path) must be set;
- a key of our own (HMAC, token keys) must be at least 32 bytes;
- a provider URL must be https and not a loopback or local address, nor a fake provider's port;
- a development switch (demo data, private webhook networks) must be off or empty;
- a key file must be set and not a development key (the keys ``make dev`` and the fakes generate are
  named ``*.dev-only.*``, e.g. the WeChat Pay merchant and platform keys);
- ``INTERNAL_TOKEN_PUBLIC_KEY_FILE`` must be set (otherwise nothing authenticates the gateway's calls).

Nothing here generates keys; services that make development keys (member-svc writes them under ``.dev/``)
refuse to in production, so no generated key is ever written to disk there.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from cheyou_events.sealing import DEV_EVENTS_PII_KEY
from pydantic import SecretStr

from cheyou_kit.settings import ServiceSettings

MIN_KEY_BYTES = 32
FAKE_PROVIDER_PORTS = frozenset({8190, 8191, 8192})
"""Where ``cheyou_fakes`` serve WeChat, SMS and WeChat Pay on a developer's machine."""
DEVELOPMENT_KEY_MARK = "dev-only"
"""In the name of every key file generated for development (``cheyou_fakes.wechatpay.DevCredentials``)."""
KNOWN_DEVELOPMENT_VALUES = frozenset({DEV_EVENTS_PII_KEY})


class UnsafeProductionSettings(RuntimeError):
    """The service was asked to run in production with settings meant for development."""


def production_problems(settings: ServiceSettings) -> list[str]:
    """What is wrong with ``settings`` for production, one line per setting (empty: nothing)."""
    problems: list[str] = []
    fields = type(settings).model_fields
    development = KNOWN_DEVELOPMENT_VALUES | settings.development_values
    for name in dict.fromkeys((*settings.secret_settings, *settings.key_settings)):
        env = settings.env_name(name)
        value = _plain(getattr(settings, name))
        default = _plain(fields[name].get_default(call_default_factory=True))
        if not value:
            problems.append(f"{env} is not set")
        elif value == default or value in development:
            problems.append(f"{env} is a development value; set a secret of its own")
        elif name in settings.key_settings and len(value.encode()) < MIN_KEY_BYTES:
            problems.append(f"{env} is shorter than {MIN_KEY_BYTES} bytes")
    for name in settings.required_settings:
        if not _plain(getattr(settings, name)):
            problems.append(f"{settings.env_name(name)} is not set")
    for name in settings.provider_url_settings:
        url = _plain(getattr(settings, name))
        if url and (why := _not_a_real_provider(url)):
            problems.append(f"{settings.env_name(name)}={url} {why}")
    for name in settings.key_file_settings:
        path = _plain(getattr(settings, name))
        if not path:
            problems.append(f"{settings.env_name(name)} is not set")
        elif DEVELOPMENT_KEY_MARK in path.rsplit("/", 1)[-1]:
            problems.append(f"{settings.env_name(name)}={path} is a development key; use the real one")
    for name in settings.development_only_settings:
        if getattr(settings, name):
            problems.append(f"{settings.env_name(name)} is for development and tests only; unset it")
    if settings.internal_token_public_key_file is None:
        problems.append(
            "INTERNAL_TOKEN_PUBLIC_KEY_FILE is not set (the gateway's calls would not be verified)"
        )
    return problems


def refuse_unsafe_production(settings: ServiceSettings) -> None:
    """Raise :class:`UnsafeProductionSettings` naming every wrong setting, in production mode only."""
    if settings.environment != "production":
        return
    problems = production_problems(settings)
    if problems:
        listed = "".join(f"\n  - {p}" for p in problems)
        raise UnsafeProductionSettings(
            f"{settings.service_name} will not start with CHEYOU_ENV=production:{listed}"
        )


def _not_a_real_provider(url: str) -> str | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https":
        return "is not https"
    if host == "localhost" or host.endswith(".localhost"):
        return "is this machine (a fake provider)"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if ip is not None and (ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_unspecified):
        return "is a local address (a fake provider)"
    try:
        port = parts.port
    except ValueError:
        return "has no valid port"
    if port in FAKE_PROVIDER_PORTS:
        return "is a fake provider's port"
    return None


def _plain(value: object) -> str:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, list | tuple | set | frozenset):
        return ",".join(str(v) for v in value)
    return "" if value is None else str(value)
