"""The client's address: ``X-Forwarded-For`` is believed only as far as it was written by our own proxies.

Each proxy appends the address it received the request from, so the list reads left (oldest, written by
whoever sent the request first, possibly forged) to right (written by the proxy next to us). Walking it
from the right, the first address that is not one of our proxies is the client; anything to its left is
what that client chose to send and proves nothing.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:5555"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, proxies: Sequence[Network]) -> bool:
    return any(address.version == network.version and address in network for network in proxies)


def client_address(peer: str | None, forwarded_for: Sequence[str], proxies: Sequence[Network]) -> str:
    """The right-most address not of our proxies, starting from the connection's peer.

    ``forwarded_for`` is every ``X-Forwarded-For`` header's value, in order. A peer outside ``proxies``
    is the client whatever the header says; a malformed hop stops the walk at the last trusted address.
    """
    if peer is None:
        return "unknown"
    current = _address(peer)
    if current is None or not _trusted(current, proxies):
        return peer
    hops = [hop for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # garbage a proxy of ours would not write: the last trusted hop is the best we know
        current = address
        if not _trusted(address, proxies):
            return str(address)
    return str(current)
