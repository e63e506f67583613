# aggregator/_native.c: hot loops of the worker in C (stories.py, boilerplate.py, language.py).

from collections.abc import Sequence

from typing_extensions import Buffer

def fingerprint_parts(
    items: list[tuple[Sequence[bytes], Sequence[bytes] | None]], /
) -> list[tuple[int, tuple[int, tuple[int, ...]], tuple[int, ...], int]]: ...
def paragraphs(markup: str, /) -> list[str] | None: ...
def words(paragraphs: Sequence[str], /) -> tuple[list[bytes], list[str]]: ...
def dfa_counts(
    nextmove: Buffer, rowbase: Buffer, output: Buffer, data: bytes, /
) -> dict[int, int] | None: ...
