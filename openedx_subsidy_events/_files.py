"""Reading a file another team wrote: a regular file, its size checked before a byte is read."""

from __future__ import annotations

import stat
from pathlib import Path

__all__ = ["FileRefused", "read_bounded"]


class FileRefused(ValueError):
    """Why a file is not read, as a sentence fragment (``is not a regular file``); callers wrap it in their error."""


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    The size is checked with ``stat`` first, so a huge file costs nothing, and the read is bounded
    too, for a file that grows in between. :class:`FileRefused` for a directory, a FIFO or a device
    (which could block the read forever) or a file that is too large; ``OSError`` as raised.
    """
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise FileRefused("is not a regular file")
    if info.st_size > limit:
        raise FileRefused(f"the file is larger than {limit} bytes")
    with path.open("rb") as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise FileRefused(f"the file is larger than {limit} bytes")
    return data
