"""Which addresses are not the public internet's: the fetch refuses them unless a source
allows them (fetch.py), config warnings name them (config_warnings.py), and articles do not
have readers' browsers load pictures from them (sanitize.py)."""

from __future__ import annotations

import ipaddress
import socket

_Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_NOT_PUBLIC: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str], ...] = tuple(
    (ipaddress.ip_network(net), why)
    for net, why in (
        ("0.0.0.0/8", "unspecified address"),
        ("10.0.0.0/8", "private address"),
        ("100.64.0.0/10", "carrier-grade NAT address"),
        ("127.0.0.0/8", "loopback address"),
        ("169.254.0.0/16", "link-local address"),
        ("172.16.0.0/12", "private address"),
        ("192.0.0.0/24", "IETF protocol assignment address"),
        ("192.0.2.0/24", "documentation address"),
        ("192.168.0.0/16", "private address"),
        ("198.18.0.0/15", "benchmarking address"),
        ("198.51.100.0/24", "documentation address"),
        ("203.0.113.0/24", "documentation address"),
        ("224.0.0.0/4", "multicast address"),
        ("240.0.0.0/4", "reserved address"),  # includes 255.255.255.255, broadcast
        ("::/128", "unspecified address"),
        ("::1/128", "loopback address"),
        ("::ffff:0:0/96", "IPv4-mapped address"),
        ("::ffff:0:0:0/96", "IPv4-translated address"),  # SIIT (RFC 2765)
        # NAT64's local-use prefix (RFC 8215): not globally reachable, and its translators may
        # carry the IPv4 address in any of RFC 6052's places, which cannot be told apart.
        ("64:ff9b:1::/48", "local-use NAT64 address"),
        ("::/96", "IPv4-compatible address"),
        ("100::/64", "discard-only address"),
        ("2001::/32", "Teredo address"),
        ("2001:db8::/32", "documentation address"),
        ("fc00::/7", "unique local address"),
        ("fe80::/10", "link-local address"),
        ("fec0::/10", "site-local address"),
        ("ff00::/8", "multicast address"),
    )
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # NAT64's well-known prefix (RFC 6052)


def address_problem(ip: str | _Address) -> str | None:
    """Why `ip` is not a public unicast address ("loopback address", …), or None if it is."""
    addr = ipaddress.ip_address(ip) if isinstance(ip, str) else ip
    if isinstance(addr, ipaddress.IPv6Address):
        # 6to4 and NAT64 addresses carry an IPv4 address that the gateway will connect to.
        embedded = addr.sixtofour
        if addr in _NAT64:
            embedded = ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
        if embedded is not None:
            problem = address_problem(embedded)
            if problem is not None:
                return f"{problem} inside an IPv6 address"
    for network, why in _NOT_PUBLIC:
        if addr in network:
            return why
    # ipaddress knows a few more special-purpose ranges than the table names.
    return None if addr.is_global else "non-public address"


def is_public_address(ip: str | _Address) -> bool:
    """Whether fetching from `ip` is allowed without fetch.allow_private_networks."""
    return address_problem(ip) is None


def private_host(host: str) -> bool:
    """Whether `host` names a local or private address as written (no DNS here): "localhost",
    an address literal the fetch refuses (address_problem: NAT64 and 6to4 forms too), or
    one of the shorthands resolvers take for IPv4 ("127.1", "0x7f000001", "017700000001")."""
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return True
    literal = host.strip("[]")
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(literal)
    except ValueError:
        try:
            address = ipaddress.IPv4Address(socket.inet_aton(literal))
        except (OSError, ValueError):
            return False
    return address_problem(address) is not None
