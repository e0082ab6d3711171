"""Where photo files are kept: a folder (the default), or any store with the same four calls.

Files are written whole or not at all: to a temporary name in the same folder, then
renamed, so a reader or a crash never meets half a photo.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from pathlib import Path
from typing import Protocol

NAME = re.compile(r"^[A-Za-z0-9_-]{10,64}\.(jpg|png|thumb\.jpg)$")


class PhotoFiles(Protocol):
    """What the photo endpoints need from a store. An S3-compatible store would implement
    these with put_object / get_object / delete_object / list_objects_v2 (docs/operations.md)."""

    def save(self, name: str, data: bytes) -> None: ...

    def read(self, name: str) -> bytes | None: ...

    def delete(self, name: str) -> None: ...

    def older_than(self, seconds: float) -> list[str]: ...


class DiskFiles:
    """Photos in one folder (0700), each file 0600."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, name: str) -> Path:
        if not NAME.match(name):
            raise ValueError(f"not a photo file name: {name!r}")
        return self.directory / name

    def save(self, name: str, data: bytes) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        final = self._path(name)
        temporary = self.directory / f".{name}.{os.getpid()}.tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, final)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
            raise

    def read(self, name: str) -> bytes | None:
        try:
            return self._path(name).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(name).unlink()

    def older_than(self, seconds: float) -> list[str]:
        """Photo files (and temporary files left by a crash) last written over ``seconds`` ago."""
        if not self.directory.is_dir():
            return []
        cutoff = time.time() - seconds
        found = []
        for entry in os.scandir(self.directory):
            if entry.is_file() and entry.stat().st_mtime < cutoff:
                if entry.name.endswith(".tmp"):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)
                elif NAME.match(entry.name):
                    found.append(entry.name)
        return found
