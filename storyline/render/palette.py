"""One colour per outlet everywhere (pages, the HTML report, the timeline picture, ``/api/outlets``).

A palette is a plain mapping, outlet → hue, passed to whatever draws: a page, a report or an axis is
rendered with the palette named in its call (the database's, from ``outlet_hues(store.outlet_order())``,
or a report's own). Pages colour by class (``h-<hue>``, see ``hues_css``) because the web UI's
Content-Security-Policy forbids inline styles.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from functools import lru_cache

GOLDEN_ANGLE = 137.508  # degrees: successive hues never bunch up, however many follow

Palette = Mapping[str, int]


def outlet_hues(order: Sequence[str], start: float = 210.0) -> dict[str, int]:
    """One hue per outlet, in golden-angle steps in the order outlets first appeared: the first outlets
    of a database are as far apart on the colour wheel as they can be (a hash put Report and Xinhua both
    in green), and an outlet keeps its hue when others are added after it."""
    return {name: round(start + i * GOLDEN_ANGLE) % 360 for i, name in enumerate(order)}


def hue(name: str, hues: Palette | None = None) -> int:
    """The outlet's hue in ``hues``; a stable hash of the name for anything not in it, so one name has one
    colour in every view."""
    if hues is not None and name in hues:
        return hues[name]
    return int(hashlib.md5(name.encode("utf-8")).hexdigest()[:4], 16) % 360


def hue_class(name: str | None, hues: Palette | None = None) -> str:
    """The CSS class that colours an outlet's badge or dot (``h-none`` for no outlet)."""
    return f"h-{hue(name, hues)}" if name else "h-none"


@lru_cache(maxsize=1)
def hues_css() -> str:
    """The classes ``hue_class`` names: each sets ``--h``, which the badge and dot rules read."""
    return "".join(f".h-{h}{{--h:{h}}}" for h in range(360)) + ".h-none{--h:220}"
