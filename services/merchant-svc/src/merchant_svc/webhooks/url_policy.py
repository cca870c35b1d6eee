"""Where we agree to send webhooks: http(s) only, and only to public addresses.

A merchant's URL names a host; the host's addresses are checked twice, and only the second check counts:

- when the URL is saved (a 422 names the field, so a merchant learns at once that ``http://10.0.0.5`` will
  never be called), and
- when a delivery opens its connection: the name is resolved once, every address is checked, and the
  connection goes to a checked address (:mod:`merchant_svc.webhooks.transport`). A name that answered
  with a public address when it was saved and answers 127.0.0.1 now (DNS rebinding) is refused then.

Refused: loopback, private (RFC 1918, IPv6 unique-local), link-local, shared address space (CGNAT,
100.64.0.0/10), multicast, reserved, unspecified and anything else not globally routable, the same inside
IPv4-mapped, 6to4 and NAT64 IPv6 addresses, and the cloud metadata services always. A name with any
refused address is refused altogether (an attacker's name may answer with both kinds).
``MERCHANT_WEBHOOK_ALLOWED_NETWORKS`` lets chosen private networks through — the local platform and the
tests deliver to receivers on 127.0.0.1 — and is empty in production.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable, Sequence
from typing import Protocol
from urllib.parse import urlsplit

from merchant_svc.webhooks.errors import WebhookUrlRefused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

CLOUD_METADATA: frozenset[IPAddress] = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, Tencent Cloud, OpenStack
        "169.254.170.2",  # AWS ECS task metadata
        "100.100.100.200",  # Alibaba Cloud
        "168.63.129.16",  # Azure wire server (a public-range address)
        "fd00:ec2::254",  # AWS over IPv6
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_CGNAT = ipaddress.ip_network("100.64.0.0/10")


class DestinationRefused(Exception):
    """A delivery's host resolved to an address we do not send to (or did not resolve)."""


class Resolver(Protocol):
    """Turns a host name into addresses. The service takes one (tests give it names of their own)."""

    async def resolve(self, host: str, port: int) -> list[str]: ...


class SystemResolver:
    """The operating system's resolver (``getaddrinfo``), as any client would use it."""

    async def resolve(self, host: str, port: int) -> list[str]:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


class AddressPolicy:
    """Which addresses a webhook may be sent to: public ones, plus the networks explicitly allowed."""

    def __init__(self, allowed_networks: Iterable[str] = ()) -> None:
        self.allowed: tuple[IPNetwork, ...] = tuple(
            ipaddress.ip_network(n, strict=False) for n in allowed_networks
        )

    def refusal(self, address: str) -> str | None:
        """Why ``address`` is refused (``None``: it is not)."""
        ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and (inner := _embedded_ipv4(ip)) is not None:
            ip = inner  # the IPv4 address the packets end up at
        if ip in CLOUD_METADATA:
            return "a cloud metadata address"
        if any(ip in network for network in self.allowed if network.version == ip.version):
            return None
        if ip.is_loopback:
            return "a loopback address"
        if ip.is_link_local:
            return "a link-local address"
        if ip.is_multicast:
            return "a multicast address"
        if ip.is_unspecified:
            return "the unspecified address"
        if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
            return "a shared (carrier-grade NAT) address"
        if ip.is_reserved:
            return "a reserved address"
        if ip.is_private:
            return "a private address"
        if not ip.is_global:
            return "a not globally routable address"
        return None


class Destinations:
    """The address policy and the resolver, used when a URL is saved and when a delivery connects."""

    def __init__(self, policy: AddressPolicy, resolver: Resolver | None = None) -> None:
        self.policy = policy
        self.resolver: Resolver = resolver or SystemResolver()

    async def addresses(self, host: str, port: int) -> list[str]:
        """The addresses of ``host``, every one of them allowed; else :class:`DestinationRefused`."""
        host = host.strip("[]")
        try:
            addresses = [str(ipaddress.ip_address(host.split("%", 1)[0]))]
        except ValueError:
            try:
                addresses = await self.resolver.resolve(host, port)
            except (OSError, UnicodeError) as exc:
                raise DestinationRefused(f"{host} does not resolve") from exc
        if not addresses:
            raise DestinationRefused(f"{host} does not resolve")
        refused = [(a, why) for a in addresses if (why := self.policy.refusal(a)) is not None]
        if refused:
            listed = ", ".join(f"{a} ({why})" for a, why in refused)
            raise DestinationRefused(f"{host} resolves to {listed}")
        return addresses

    async def check_url(self, url: str) -> None:
        """Raise :class:`WebhookUrlRefused` (naming the field ``url``) unless ``url`` is acceptable now."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise WebhookUrlRefused("url: must be an http(s) URL with a host", field="url")
        if parts.username or parts.password:
            raise WebhookUrlRefused("url: must not carry credentials", field="url")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise WebhookUrlRefused("url: the port is not a number", field="url") from exc
        try:
            await self.addresses(parts.hostname, port)
        except DestinationRefused as exc:
            raise WebhookUrlRefused(f"url: {exc}", field="url") from exc


def destinations_for(allowed_networks: Sequence[str], resolver: Resolver | None = None) -> Destinations:
    return Destinations(AddressPolicy(allowed_networks), resolver)
