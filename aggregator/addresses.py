"""Which addresses are not the public internet's: the fetch refuses them unless a source
allows them (fetch.py), config warnings name them (config_warnings.py), and articles do not
have readers' browsers load pictures from them (sanitize.py)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

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
    if len(host) > MAX_CACHED_HOST_CHARS:  # (no name is longer: a feed's is not held)
        return _private_host(host)
    return _cached_private_host(host)


# (Cached: a feed's pictures come from a few hosts, and a name took ~4 µs to fail as an address
# twice, in ipaddress's exceptions; a cold round asked about 126 hosts 5,300 times.)
MAX_CACHED_HOST_CHARS = 253


def _private_host(host: str) -> bool:
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return True
    literal = host.strip("[]")
    try:
        address: _Address | None = ipaddress.ip_address(literal)
    except ValueError:
        address = ipv4_shorthand(literal)
    return address is not None and address_problem(address) is not None


_cached_private_host = lru_cache(maxsize=1024)(_private_host)


def ipv4_shorthand(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address `host` spells as browsers read it (the WHATWG URL standard's IPv4
    parser): one to four dot-separated numbers, each decimal, octal ("0177") or hex ("0x7f",
    and "0x" alone is 0), the last filling the bytes left ("127.1", "0x7f000001"). None for
    a name. (socket.inet_aton, used before, refuses "0x": "0x7f.0x.0x.1" got past the picture
    filter, and Chromium loaded it from 127.0.0.1; a security review.)"""
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()  # a trailing dot
    if len(parts) > 4:
        return None
    numbers = []
    for part in parts:
        number = _ipv4_number(part)
        if number is None:
            return None
        numbers.append(number)
    *leading, last = numbers
    if any(number > 255 for number in leading) or last >= 256 ** (5 - len(numbers)):
        return None
    value = last
    for place, number in enumerate(leading):
        value += number << (8 * (3 - place))
    return ipaddress.IPv4Address(value)


def _ipv4_number(part: str) -> int | None:
    radix = 10
    if part[:2].lower() == "0x":
        radix, part = 16, part[2:]
    elif len(part) > 1 and part.startswith("0"):
        radix, part = 8, part[1:]
    if not part:
        return 0 if radix != 10 else None
    digits = "0123456789abcdef"[:radix]
    if not all(digit in digits for digit in part.lower()):
        return None
    return int(part, radix)
