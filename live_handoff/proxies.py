"""What the client really used, when the relay sits behind reverse proxies.

A TLS-terminating proxy (a load balancer, nginx, a CDN) connects to the relay over plain
HTTP and says what the client used in ``X-Forwarded-Proto`` and ``X-Forwarded-For``.
Anyone can send those headers, so they are believed only from the proxies a council
lists in ``RELAY_TRUSTED_PROXIES``; from any other peer they are ignored. Pure functions:
the handlers pass in the peer's address and the headers.
"""

from __future__ import annotations

from collections.abc import Mapping
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

Network = IPv4Network | IPv6Network
Address = IPv4Address | IPv6Address
SCHEMES = frozenset({"http", "https"})


def parse_trusted(text: str) -> tuple[Network, ...]:
    """The trusted proxies from a comma-separated list of IP addresses and CIDR networks.

    Args:
        text: e.g. ``"10.0.0.0/8, 192.0.2.7, 2001:db8::/32"``; empty for none.

    Returns:
        One network per entry (a bare address is a network of one).

    Raises:
        ValueError: an entry is not an address or network; the message names it.
    """
    networks = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        try:
            # strict=False: "10.1.2.3/8" means the network it lies in, as people write it.
            networks.append(ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is not an IP address or a network such as 10.0.0.0/8") from None
    return tuple(networks)


def _address(text: str) -> Address | None:
    """An address as proxies write it (``192.0.2.1``, ``192.0.2.1:5678``, ``[2001:db8::1]:443``,
    ``2001:db8::1``), IPv4-mapped IPv6 read as IPv4; None when it is not one."""
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # IPv4 with a port; IPv6 has at least two colons
        text = text.split(":", 1)[0]
    try:
        found = ip_address(text)
    except ValueError:
        return None
    if isinstance(found, IPv6Address) and found.ipv4_mapped is not None:
        return found.ipv4_mapped
    return found


def _trusted(address: Address | None, trusted: tuple[Network, ...]) -> bool:
    return address is not None and any(address.version == net.version and address in net for net in trusted)


def _header(headers: Mapping[str, str], name: str) -> str:
    """A header's values, case-insensitively, several headers of that name joined by commas."""
    getall = getattr(headers, "getall", None)  # aiohttp's CIMultiDictProxy keeps repeated headers
    if getall is not None:
        return ",".join(getall(name, []))
    return ",".join(value for key, value in headers.items() if key.lower() == name.lower())


def _hops(forwarded_for: str) -> list[str]:
    return [part.strip() for part in forwarded_for.split(",") if part.strip()]


def _client_index(peer: Address | None, hops: list[str], trusted: tuple[Network, ...]) -> int | None:
    """Where the client is in X-Forwarded-For: the rightmost address that is not a trusted
    proxy (each proxy appends the address it was connected from, so everything to the left
    of that was written by the client and proves nothing). None when the peer is not
    trusted; -1 when the list is empty."""
    if not _trusted(peer, trusted):
        return None
    index = len(hops) - 1
    while index > 0 and _trusted(_address(hops[index]), trusted):
        index -= 1
    return index


def client_address(peer_ip: str, forwarded_for: str, trusted: tuple[Network, ...]) -> str:
    """The client's address: the peer's, or from a trusted proxy the rightmost untrusted
    address in ``X-Forwarded-For``.

    Args:
        peer_ip: the address the connection came from (``request.remote``).
        forwarded_for: the ``X-Forwarded-For`` header (several joined by commas), or "".
        trusted: from ``parse_trusted``.

    Returns:
        An address in its normal written form. When a trusted proxy wrote something that
        is not an address, the nearest address known to be real (that proxy's own).
    """
    peer = _address(peer_ip)
    hops = _hops(forwarded_for)
    index = _client_index(peer, hops, trusted)
    if index is None or index < 0:
        return str(peer) if peer is not None else peer_ip
    for position in range(index, len(hops)):
        found = _address(hops[position])
        if found is not None:
            return str(found)
    return str(peer)


def client_scheme(peer_ip: str, headers: Mapping[str, str], trusted: tuple[Network, ...], direct: str = "http") -> str:
    """The scheme the client used: ``direct`` (how the peer connected), or from a trusted
    proxy what ``X-Forwarded-Proto`` says.

    When every proxy appended a value (as many as ``X-Forwarded-For`` has addresses), the
    value beside the client's address is the client's; otherwise (proxies that overwrite
    the header) the last value, written by the nearest trusted proxy. A header that is
    not a list of ``http``/``https`` is ignored.

    Args:
        peer_ip: the address the connection came from (``request.remote``).
        headers: the request's headers.
        trusted: from ``parse_trusted``.
        direct: the scheme of the connection itself (``request.scheme``).
    """
    peer = _address(peer_ip)
    if not _trusted(peer, trusted):
        return direct
    schemes = [part.strip().lower() for part in _header(headers, "X-Forwarded-Proto").split(",")]
    if schemes == [""] or any(scheme not in SCHEMES for scheme in schemes):
        return direct
    hops = _hops(_header(headers, "X-Forwarded-For"))
    index = _client_index(peer, hops, trusted)
    if index is not None and index >= 0 and len(schemes) == len(hops):
        return schemes[index]
    return schemes[-1]
