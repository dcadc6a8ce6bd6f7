"""Reading a file another team wrote: a regular file, its size checked before a byte is read."""

from __future__ import annotations

import os
import stat

__all__ = ["MAX_SCHEMA_BYTES", "FileRefused", "folder_problem", "read_bounded"]

MAX_SCHEMA_BYTES = 1 << 20
"""A schema file larger than this is refused rather than read (1 MiB; ours are ~3 KiB)."""


class FileRefused(ValueError):
    """Why a file is not read, as a sentence fragment (``is not a regular file``); callers wrap it in their error."""


def read_bounded(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    The size is checked with ``stat`` first, so a huge file costs nothing, and the read is bounded
    too, for a file that grows in between. :class:`FileRefused` for a directory, a FIFO or a device
    (which could block the read forever) or a file that is too large; ``OSError`` as raised.
    """
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise FileRefused("is not a regular file")
    if info.st_size > limit:
        raise FileRefused(f"the file is larger than {limit} bytes")
    with open(path, "rb", buffering=0) as stream:
        # the size stat gave, plus one byte to notice growth: a read of ``limit`` bytes would
        # allocate the whole limit for every small file
        data = stream.read(info.st_size + 1)
        if len(data) > info.st_size:
            data += stream.read(limit + 1 - len(data))
    if len(data) > limit:
        raise FileRefused(f"the file is larger than {limit} bytes")
    return data


def folder_problem(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` is not a folder, as a sentence fragment (``is not a folder``), or ``None`` when it is one."""
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        return f"is not a folder ({error.strerror or error})"
    return None if stat.S_ISDIR(mode) else "is not a folder"
