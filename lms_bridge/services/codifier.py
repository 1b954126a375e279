"""The deficit codifier of the region's profile: replace it from a file, read its names."""

from __future__ import annotations

from collections.abc import Sequence

from lms_bridge.domain.codifier import DeficitEntry, names_of
from lms_bridge.domain.people import Actor
from lms_bridge.ports import CodifierStore


def import_codifier(store: CodifierStore, profile: str, entries: Sequence[DeficitEntry], actor: Actor) -> int:
    """The profile's codifier replaced by ``entries`` (audited), in one transaction."""
    with store.transaction():
        store.replace_codifier(profile, entries, actor)
    return len(entries)


def deficit_names(store: CodifierStore, profile: str) -> dict[str, str]:
    """Code → name for the profile's codifier (empty when none is loaded)."""
    with store.transaction():
        return names_of(store.list_codifier(profile))


def known_codes(store: CodifierStore, profile: str) -> frozenset[str] | None:
    """The codes the diagnostics import checks against; None when the profile has no codifier yet."""
    names = deficit_names(store, profile)
    return frozenset(names) if names else None
