"""Reading a file another team wrote: a regular file, its size checked before a byte is read."""

from __future__ import annotations

import os
import stat

__all__ = ["MAX_SCHEMA_BYTES", "FileRefused", "folder_problem", "read_bounded"]

MAX_SCHEMA_BYTES = 1 << 20
"""A schema file larger than this is refused rather than read (1 MiB; ours are ~3 KiB)."""


class FileRefused(ValueError):
    """Why a file is not read, as a sentence fragment (``is not a regular file``); callers wrap it in their error."""


_OPEN_FLAGS = getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
"""Never wait for a writer (a FIFO that slipped past the checks), nor leak into child processes."""


def read_bounded(path: str | os.PathLike[str], limit: int, *, regular: bool = False) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    The size is checked before a byte is read, so a huge file costs nothing, and the read is
    bounded too, for a file that grows in between. :class:`FileRefused` for a directory, a FIFO or
    a device (which could block the read forever) or a file that is too large; ``OSError`` as
    raised. A file is not opened before ``stat`` says it is a regular one, unless the caller knows
    (``regular``: a directory listing said so); either way the opened file is checked again.
    """
    if not regular:
        _check(os.stat(path), limit)
    # a descriptor, not a file object: one path lookup and no buffer for each of thousands of files
    descriptor = os.open(path, os.O_RDONLY | _OPEN_FLAGS)
    try:
        size = _check(os.fstat(descriptor), limit)
        # the size, plus one byte to notice growth: reading ``limit`` bytes would allocate it all
        data = os.read(descriptor, size + 1)
        if len(data) > size:
            data += os.read(descriptor, limit + 1 - len(data))
    finally:
        os.close(descriptor)
    if len(data) > limit:
        raise FileRefused(f"the file is larger than {limit} bytes")
    return data


def _check(info: os.stat_result, limit: int) -> int:
    """The size of a regular file of at most ``limit`` bytes; :class:`FileRefused` for anything else."""
    if not stat.S_ISREG(info.st_mode):
        raise FileRefused("is not a regular file")
    if info.st_size > limit:
        raise FileRefused(f"the file is larger than {limit} bytes")
    return info.st_size


def folder_problem(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` is not a folder, as a sentence fragment (``is not a folder``), or ``None`` when it is one."""
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        return f"is not a folder ({error.strerror or error})"
    return None if stat.S_ISDIR(mode) else "is not a folder"
