"""Finding nodes by title: the matching rules of every lookup by name.

A :class:`TitleIndex` is built once from the ``title`` column of an embedding
and answers :meth:`TitleIndex.find` with the node indices a text refers to,
trying, in order:

1. the exact title;
2. the title ignoring case;
3. the title ignoring case, a trailing ``(1999)`` year and a leading or
   trailing article (``"the matrix"`` and ``"matrix"`` both mean
   ``"Matrix, The (1999)"``);
4. a case-insensitive part of one title (``"godfather: part ii"``).

The first rule that matches decides; several matches under that rule raise
:class:`~n2v_lite.exceptions.AmbiguousQueryError` listing them, and no match
raises :class:`~n2v_lite.exceptions.NodeNotFoundError` naming the closest
titles. The explorer page (:mod:`n2v_lite.explore`) applies the same rules in
the browser.

Examples
--------
>>> index = TitleIndex(["Matrix, The (1999)", "Godfather, The (1972)",
...                     "Godfather: Part II, The (1974)"])
>>> index.find("the matrix")
[0]
>>> index.find("godfather: part ii")
[2]
>>> index.find("godfather")            # rule 3: exactly 'Godfather, The (1972)'
[1]
>>> normalise_title("Matrix, The (1999)")
'matrix'
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable


__all__ = ["TitleIndex", "normalise_title", "ARTICLES", "CLOSEST_SPELLINGS"]

#: Articles ignored at the start or (after a comma) at the end of a title.
ARTICLES = ("the", "a", "an")
#: Up to this many nodes, the "closest" hint of a query nothing matches compares
#: spellings (difflib's ratio: O(nodes) per miss); above it an id's hint is only the same
#: id but for case (a dict built once) and titles give none, so a loop over many unknown
#: queries, or typing in the explorer's search box, stays cheap. Python and the explorer
#: page apply the same limit.
CLOSEST_SPELLINGS = 5_000
_YEAR = re.compile(r"\s*\(\d{4}(?:[-\u2013]\d{0,4})?\)\s*$")


def normalise_title(title: str) -> str:
    """``'Matrix, The (1999)'`` -> ``'matrix'``; ``'The Matrix'`` -> ``'matrix'`` (for matching)."""
    text = _YEAR.sub("", title).strip().casefold()
    for article in ARTICLES:
        if text.endswith(", " + article):
            text = text[: -len(article) - 2]
            break
        if text.startswith(article + " "):
            text = text[len(article) + 1 :]
            break
    return text.strip()


class TitleIndex:
    """Title -> node index maps for the matching rules above.

    Parameters
    ----------
    titles : sequence of str
        Title of each node, by index (``None``/empty for untitled nodes).
    """

    def __init__(self, titles: Iterable[str | None]) -> None:
        self.titles = ["" if t is None else str(t) for t in titles]
        self.exact: dict[str, list[int]] = {}
        self.by_folded: dict[str, list[int]] = {}
        self.by_name: dict[str, list[int]] = {}
        for i, title in enumerate(self.titles):
            if not title:
                continue
            self.exact.setdefault(title, []).append(i)
            self.by_folded.setdefault(title.casefold(), []).append(i)
            self.by_name.setdefault(normalise_title(title), []).append(i)
        self.folded = [t.casefold() for t in self.titles]

    def exact_match(self, text: str) -> list[int]:
        """Indices whose title is exactly ``text`` (rule 1), possibly empty."""
        return list(self.exact.get(text, ()))

    def find(self, text: str) -> list[int]:
        """Indices of the nodes ``text`` names under the first rule that matches (maybe [])."""
        found = self.exact.get(text)
        if found:
            return list(found)
        needle = text.strip().casefold()
        if not needle:
            return []
        found = self.by_folded.get(needle) or self.by_name.get(normalise_title(text.strip()))
        if found:
            return list(found)
        return [i for i, title in enumerate(self.folded) if needle in title]

    def closest(self, text: str, n: int = 3) -> list[str]:
        """Up to ``n`` titles resembling ``text`` (for "did you mean" hints); none above
        :data:`CLOSEST_SPELLINGS` titles."""
        picks: list[int] = []
        if len(self.titles) > CLOSEST_SPELLINGS:
            return []
        for pool, probe, cutoff in (
            (self.by_name, normalise_title(text), 0.6),
            (self.by_folded, text.casefold(), 0.5),
        ):
            for match in difflib.get_close_matches(probe, list(pool), n=n, cutoff=cutoff):
                for index in pool[match]:
                    if index not in picks:
                        picks.append(index)
        return [self.titles[i] for i in picks[:n]]
