"""What the notification job records: one notice per recipient × subject (a teacher × a catalogue event, or a
curator × an ISO week for the weekly digest), and the store it records them in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class NoticeKind(StrEnum):
    EVENT = "event"  # a teacher told about an upcoming event that addresses their deficits (000 §2.8)
    DIGEST = "digest"  # a curator's weekly digest of their teachers' events and overdue items


class NoticeState(StrEnum):
    SENT = "sent"  # handed to the LMS, answer not recorded yet: looked up in the LMS before it goes again
    FAILED = "failed"  # the whole LMS call failed: the next run looks it up and sends it again
    DONE = "done"  # in the LMS; never sent again
    REFUSED = "refused"  # the LMS refused the recipient (left the LMS, messaging disabled): not retried
    GAVE_UP = "gaveup"  # failed on too many runs: not retried


FINAL = frozenset({NoticeState.DONE, NoticeState.REFUSED, NoticeState.GAVE_UP})


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    recipient: str  # e-mail
    subject: str  # the event's catalogue key, or the ISO week («2026-W49») of a digest
    state: NoticeState
    text: str  # exactly what was sent: what a later run looks for in the LMS
    lms_user_id: int | None = None
    route_number: str = ""  # the route the card link points at (events)
    attempts: int = 0
    error: str = ""
    updated_at: datetime | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.recipient, self.subject)


class NoticeStore(Protocol):
    def list_notices(self, kind: NoticeKind) -> dict[tuple[str, str], Notice]:
        """(recipient, subject) → notice."""
        ...

    def save_notices(self, rows: Sequence[Notice]) -> None:
        """Insert or update by (kind, recipient, subject), in one transaction."""
        ...
