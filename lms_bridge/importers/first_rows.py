"""Where a key was first seen in a file, kept on disk so memory stays flat however long the file is.

A repeated row ("the same teacher, kind and date as row 17") is found across the whole file, but a
dictionary of every key of a 300,000-row file costs ~100 MB and grows with it. The keys live in a
private temporary SQLite database instead (``sqlite3.connect("")``: a file deleted on close, with a
page cache of a few MB), which answers in microseconds.
"""

from __future__ import annotations

import sqlite3
from types import TracebackType


class FirstRows:
    def __init__(self) -> None:
        self._db = sqlite3.connect("")
        self._db.execute("CREATE TABLE seen (key TEXT PRIMARY KEY, row INTEGER NOT NULL) WITHOUT ROWID")

    def first(self, key: str, row: int) -> int | None:
        """None when ``key`` is new (then it is remembered as seen in ``row``), else its first row."""
        added = self._db.execute("INSERT OR IGNORE INTO seen VALUES (?, ?)", (key, row)).rowcount
        if added:
            return None
        found = self._db.execute("SELECT row FROM seen WHERE key = ?", (key,)).fetchone()
        return int(found[0])

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> FirstRows:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
