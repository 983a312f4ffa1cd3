"""The density check: a large JSON body packed tighter than real records ever are is refused
before it is parsed (it would take many times its size in memory)."""

from __future__ import annotations

from trialfinder.core.errors import SchemaError

__all__ = ["DENSITY_FROM", "MIN_BYTES_PER_CONTAINER", "MIN_BYTES_PER_VALUE", "check_density",
           "too_dense"]

#: Below these averages a large answer is refused before it is parsed. Real answers hold one
#: object or list per 47+ bytes and one value per 10+ bytes; a body packed tighter (``[{},{},...]``)
#: would take over 20 times its size in memory once parsed.
MIN_BYTES_PER_CONTAINER = 24
MIN_BYTES_PER_VALUE = 7
DENSITY_FROM = 1_000_000


def too_dense(content: bytes) -> tuple[int, int] | None:
    """``(objects and lists, values)`` when a large JSON body is packed tighter than real
    records ever are, else ``None`` (small bodies are never refused)."""
    size = len(content)
    if size < DENSITY_FROM:
        return None
    containers, values = _structure_counts(content)
    if containers * MIN_BYTES_PER_CONTAINER > size or values * MIN_BYTES_PER_VALUE > size:
        return containers, values
    return None


#: Bytes compared at a time by :func:`_structure_counts` (its scratch memory is this size).
_COUNT_WINDOW = 1 << 20


def _structure_counts(content: bytes) -> tuple[int, int]:
    """``(objects and lists opened, commas and colons)`` of a body: numpy compares the bytes
    in C without holding the interpreter lock, about 4x faster than ``bytes.count`` four
    times (numpy is loaded by pandas in any search), a window of 1 MB at a time."""
    import numpy as np

    data = np.frombuffer(content, dtype=np.uint8)
    opened = separators = 0
    for start in range(0, len(data), _COUNT_WINDOW):
        window = data[start:start + _COUNT_WINDOW]
        opened += int(np.count_nonzero(window == 0x7B)) + int(np.count_nonzero(window == 0x5B))
        separators += (int(np.count_nonzero(window == 0x2C))
                       + int(np.count_nonzero(window == 0x3A)))  # { [ and , :
    return opened, separators


def check_density(content: bytes, url: str) -> None:
    """Refuse a large answer packed so densely with tiny values that parsing it could use many
    times its size in memory (the body cap bounds bytes; this bounds what they become)."""
    dense = too_dense(content)
    if dense is not None:
        containers, values = dense
        raise SchemaError(
            f"the answer from {url} ({len(content):,} bytes) is packed with {containers:,} "
            f"objects and {values:,} values, far denser than real study records; refused "
            "rather than parsed, since that could exhaust memory"
        )
