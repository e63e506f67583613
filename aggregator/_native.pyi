# aggregator/_native.c: two hot loops of the worker in C (stories.py, language.py).

from typing_extensions import Buffer

def signatures(streams: list[list[str]], /) -> list[tuple[int, tuple[int, ...]]]: ...
def dfa_counts(
    nextmove: Buffer, rowbase: Buffer, output: Buffer, data: bytes, /
) -> dict[int, int] | None: ...
