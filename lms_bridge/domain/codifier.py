"""The deficit codifier of a region: what each deficit code means (003 App. 3 §5.4, §5.9: codes «в
соответствии с кодификатором»). «П1.2» alone tells nobody what the deficit is; the card, the page, the
reports and the coverage list print «П1.2 — Проектирование рабочей программы…»."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lms_bridge.domain.vocabulary import Block


@dataclass(frozen=True)
class DeficitEntry:
    code: str
    name: str
    block: Block | None = None
    parent: str = ""  # the code of the section this deficit belongs to, if the codifier nests


def names_of(entries: Iterable[DeficitEntry]) -> dict[str, str]:
    return {e.code: e.name for e in entries}


def labelled(code: str, names: Mapping[str, str]) -> str:
    """«П1.2 — Проектирование рабочей программы…», or the bare code the codifier does not name."""
    name = names.get(code, "")
    return f"{code} — {name}" if name else code
