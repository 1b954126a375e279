"""Small-cell rules for aggregated reports: no shown number may be computed from 1 to k−1 people.

Pure set arithmetic over people (e-mails); ``services.reports`` applies it. The method (docs/reports.md):

1. **Groups.** A group under k people is not shown; it joins «прочие».
2. **Groups across groupings (hierarchical complementary suppression).** Reports by school, by
   municipality and by region describe the same people, so a shown parent minus its shown children
   gives the people of its hidden children. ``hidden_keys`` therefore makes, for every parent (each
   municipality, each region, everyone), the people of its hidden children either none or at least
   k, folding in the parent's smallest shown child until that holds. The same holds inside one report
   («всего» minus the shown groups).
3. **Cells of a partition** (people by route status: the cells add up to the group). A cell of 1…k−1
   people is withheld, and while the withheld cells together hold 1…k−1 people (so that «group minus
   the shown cells» would give them away), the smallest shown non-empty cell is withheld too
   (``withhold_partition``).
4. **Cells that do not add up** (people with a deficit in a block, people with a deficit code). A
   count c over a population of n is shown only when neither c nor n − c is 1…k−1
   (``publishable``): «the group minus the cell» is a cell too.
5. **Cells across groupings.** A parent's cell minus the same cell of its children that show it
   (a municipality's «М2.3: 8» minus its schools' «М2.3») is a count over the rest of its people; the
   parent shows the cell only when that count is publishable over those people
   (``services.report_cells.Tree``). «всего» counts «прочие» as one child.

0 and «everyone» are shown: they describe the whole group, which has at least k people.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def small(count: int, k: int) -> bool:
    """1…k−1: a number that would point at fewer than k people."""
    return 0 < count < k


def publishable(count: int, population: int, k: int) -> bool:
    """A count within a population may be shown: neither it nor the rest is 1…k−1 people."""
    return not small(count, k) and not small(population - count, k)


def withhold_partition(cells: Mapping[K, set[str]], k: int, forced: Iterable[K] = ()) -> set[K]:
    """The cells of a partition of a group to withhold (rule 3 of the module docstring), starting from
    ``forced`` (cells withheld for another reason)."""
    withheld = {key for key, people in cells.items() if small(len(people), k)} | set(forced)
    while small(len(_union(cells, withheld)), k):
        shown = [key for key, people in cells.items() if key not in withheld and people]
        if not shown:  # cannot happen for a group of at least k people; stop rather than loop
            break
        withheld.add(min(shown, key=lambda key: len(cells[key])))
    return withheld


def hidden_keys(people: Mapping[K, set[str]], parents: Sequence[Mapping[K, Hashable]], k: int) -> set[K]:
    """The groups not to show by name (rules 1–2): ``parents`` map each group to its parent, finest
    level first (e.g. school → municipality, school → region); everyone is the last parent."""
    hidden = {key for key, p in people.items() if small(len(p), k)}
    for level in [*parents, dict.fromkeys(people, "")]:
        children: dict[Hashable, list[K]] = defaultdict(list)
        for key in people:
            children[level[key]].append(key)
        for keys in children.values():
            while small(len(_union(people, [x for x in keys if x in hidden])), k):
                shown = [x for x in keys if x not in hidden]
                if not shown:  # the parent itself is under k: it is not shown in its own report
                    break
                hidden.add(min(shown, key=lambda x: (len(people[x]), str(x))))
    return hidden


def _union(cells: Mapping[K, set[str]], keys: Iterable[K]) -> set[str]:
    out: set[str] = set()
    for key in keys:
        out |= cells[key]
    return out
