"""Where we agree to send webhooks: http(s) only, and in production never a private or loopback address.

The host is resolved and every address it resolves to is checked, so a public name pointing at
127.0.0.1 or 10.0.0.0/8 is refused too (server-side request forgery into our own network).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from cheyou_kit.errors import Unprocessable


class WebhookUrlRefused(Unprocessable):
    slug = "webhook-url-refused"
    title = "The webhook URL is not allowed"


def _is_internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


async def check_url(url: str, *, allow_private: bool) -> None:
    """Raise :class:`WebhookUrlRefused` (naming the field ``url``) unless ``url`` is acceptable."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookUrlRefused("url: must be an http(s) URL with a host", field="url")
    if parts.username or parts.password:
        raise WebhookUrlRefused("url: must not carry credentials", field="url")
    if allow_private:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = await asyncio.get_running_loop().getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, ValueError) as exc:
        raise WebhookUrlRefused(f"url: host {parts.hostname!r} does not resolve", field="url") from exc
    addresses = {str(info[4][0]) for info in infos}
    internal = sorted(a for a in addresses if _is_internal(a))
    if internal:
        raise WebhookUrlRefused(
            f"url: {parts.hostname} resolves to a private or loopback address ({', '.join(internal)})",
            field="url",
        )
