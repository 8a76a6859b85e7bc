"""One colour per outlet everywhere (pages, the HTML report, ``/api/outlets``)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

GOLDEN_ANGLE = 137.508  # degrees: successive hues never bunch up, however many follow
_HUES: ContextVar[Mapping[str, int] | None] = ContextVar("outlet_hues", default=None)


def outlet_hues(order: Sequence[str], start: float = 210.0) -> dict[str, int]:
    """One hue per outlet, in golden-angle steps in the order outlets first appeared: the first outlets
    of a database are as far apart on the colour wheel as they can be (a hash put Report and Xinhua both
    in green), and an outlet keeps its hue when others are added after it."""
    return {name: round(start + i * GOLDEN_ANGLE) % 360 for i, name in enumerate(order)}


@contextmanager
def colours(hues: Mapping[str, int] | None) -> Iterator[None]:
    """Render with these outlet hues (``hue`` reads them; views built inside share one palette)."""
    token = _HUES.set(hues)
    try:
        yield
    finally:
        _HUES.reset(token)


def hue(name: str) -> int:
    """The outlet's hue in the palette being rendered with (see ``colours``); a stable hash of the name
    for anything not in it, so one name has one colour in every view."""
    hues = _HUES.get()
    if hues is not None and name in hues:
        return hues[name]
    return int(hashlib.md5(name.encode("utf-8")).hexdigest()[:4], 16) % 360
