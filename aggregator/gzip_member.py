"""A gzip member's frame, read by hand (RFC 1952): its header's length and its trailer's check.

Pure. zlib reads the frame itself (wbits=31), but raises at a wrong checksum and so loses the
output of that call, though every byte inflated: browsers do not check the trailer at all
(Chromium's GzipSourceStream skips it), and curl, requests and Go refuse the body. The fetcher
and the parser read the header here, inflate the raw deflate stream after it, and check the
trailer themselves, so a body whose server computed its checksum wrongly is read, and said so.
"""

from __future__ import annotations

import struct

MAGIC = b"\x1f\x8b"
TRAILER_BYTES = 8  # CRC-32 and ISIZE, little-endian
# A header longer than this (a file name or comment without its end) is no server's.
MAX_HEADER_BYTES = 64 * 1024

_FHCRC, _FEXTRA, _FNAME, _FCOMMENT = 0x02, 0x04, 0x08, 0x10


def header_end(data: bytes) -> int | None:
    """Where the deflate stream starts in `data`, which starts with a gzip member; None while
    `data` holds only part of its header. ValueError for no gzip header."""
    if len(data) < 10:
        if not MAGIC.startswith(data[:2]) or (len(data) > 2 and data[2] != 8):
            raise ValueError(f"not a gzip header: it starts with {data[:10]!r}")
        return None
    if data[:2] != MAGIC:
        raise ValueError(f"not a gzip header: it starts with {data[:10]!r}")
    if data[2] != 8:
        raise ValueError(f"unknown gzip compression method {data[2]}")
    flags = data[3]
    end = 10
    if flags & _FEXTRA:
        if len(data) < end + 2:
            return _incomplete(data)
        end += 2 + struct.unpack_from("<H", data, end)[0]
    for flag in (_FNAME, _FCOMMENT):
        if flags & flag:
            zero = data.find(b"\x00", end)
            if zero < 0:
                return _incomplete(data)
            end = zero + 1
    if flags & _FHCRC:
        end += 2
    return end if len(data) >= end else _incomplete(data)


def _incomplete(data: bytes) -> int | None:
    """None: the header goes on past `data` (unless that is longer than any header may be)."""
    if len(data) > MAX_HEADER_BYTES:
        raise ValueError(f"a gzip header longer than {MAX_HEADER_BYTES:,} bytes")
    return None


def trailer_problem(trailer: bytes, crc: int, size: int) -> str | None:
    """What is wrong with a member's 8-byte trailer, given the CRC-32 and the length of what it
    inflated to; None when it matches."""
    said_crc, said_size = struct.unpack("<II", trailer)
    if said_crc != crc:
        return f"its CRC-32 is {said_crc:#010x}, what it inflated to has {crc:#010x}"
    if said_size != size & 0xFFFFFFFF:
        return f"it says it inflates to {said_size:,} bytes (modulo 2³²), it inflated to {size:,}"
    return None


def checksum_warning(problem: str) -> str:
    """The warning recorded on a source whose gzip body was read despite `problem`."""
    return (
        f"The gzip-compressed body does not match its own checksum ({problem}): its server"
        " compressed it wrongly, or it changed on the way; it was read as it inflated, as"
        " browsers read it"
    )
