"""The one parser of nbgrader's hidden-test regions (``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS``).

A region starts at a line containing ``BEGIN HIDDEN TESTS`` and ends at the next line containing
``END HIDDEN TESTS`` (nbgrader's own rule: the marker may sit anywhere in the line). Malformed regions are
errors, here and everywhere this parser is used, so a mistake is found at build time and never changes what a
student sees:

- a region not closed by the end of the cell (nbgrader's ``generate_assignment`` refuses it too; reading it as
  "hidden to the end of the cell" would silently hide the tests after it, or show them in feedback);
- a ``BEGIN`` inside a region (nested regions: nbgrader refuses them);
- an ``END`` outside any region (nbgrader drops that line silently; it is almost always a typo).

:class:`HiddenRegionError` says which of these, with the line number. ``python -m workbook hygiene`` (and so the
build) reports it for every source cell.
"""

from __future__ import annotations

from dataclasses import dataclass

BEGIN = "BEGIN HIDDEN TESTS"
END = "END HIDDEN TESTS"


class HiddenRegionError(ValueError):
    """A cell's hidden-test markers do not pair up (unclosed, nested, or an END without a BEGIN)."""


@dataclass(frozen=True)
class HiddenRegion:
    """One region: the 0-based line indexes of its markers and the lines between them."""

    begin: int
    end: int
    body: tuple[str, ...]


def has_hidden_tests(source: str) -> bool:
    """Whether ``source`` has any hidden-test marker (cheap; does not check that they pair up)."""
    return BEGIN in source or END in source


def hidden_regions(source: str) -> list[HiddenRegion]:
    """The regions of ``source`` in order; HiddenRegionError if the markers do not pair up."""
    regions: list[HiddenRegion] = []
    opened: int | None = None
    lines = source.splitlines()
    for index, line in enumerate(lines):
        if BEGIN in line:
            if opened is not None:
                raise HiddenRegionError(
                    f"line {index + 1}: '{BEGIN}' inside the region opened on line {opened + 1} "
                    f"(regions cannot nest; add '### {END}' before it)"
                )
            opened = index
        elif END in line:
            if opened is None:
                raise HiddenRegionError(f"line {index + 1}: '{END}' without a '{BEGIN}' above it")
            regions.append(HiddenRegion(opened, index, tuple(lines[opened + 1 : index])))
            opened = None
    if opened is not None:
        raise HiddenRegionError(
            f"line {opened + 1}: '{BEGIN}' is never closed (add '### {END}' at the end of the hidden tests)"
        )
    return regions


def hidden_line_numbers(source: str) -> set[int]:
    """1-based numbers of the lines inside hidden regions, markers included (as ``ast`` numbers lines)."""
    return {number + 1 for region in hidden_regions(source) for number in range(region.begin, region.end + 1)}


def region_texts(source: str) -> list[str]:
    """The text of each region, without its marker lines."""
    return ["\n".join(region.body) for region in hidden_regions(source)]


def without_hidden_tests(source: str, note: str | None = None) -> str:
    """``source`` with each region (markers included) cut out, or replaced by ``note`` indented like its BEGIN."""
    lines = source.splitlines()
    kept: list[str] = []
    position = 0
    for region in hidden_regions(source):
        kept.extend(lines[position : region.begin])
        if note is not None:
            marker = lines[region.begin]
            kept.append(marker[: len(marker) - len(marker.lstrip())] + note)
        position = region.end + 1
    kept.extend(lines[position:])
    return "\n".join(kept)


def without_markers(source: str) -> str:
    """``source`` with the marker lines removed and the hidden code kept (the self-learner edition's view)."""
    lines = source.splitlines()
    markers = {index for region in hidden_regions(source) for index in (region.begin, region.end)}
    return "\n".join(line for index, line in enumerate(lines) if index not in markers)
