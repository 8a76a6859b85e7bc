"""The timeline as a picture: the story section's events on a date axis, one dot per reporting outlet
above each (coloured as its badges), so corroboration shows at a glance. One drawing for the web UI's
story page and the HTML report."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

from markupsafe import Markup, escape

from ..contract import MAX_AXIS_EVENTS, axis_events, event_span
from .palette import Palette, hue_class
from .terminal import when


def _segments(days: list[int], width: float) -> list[tuple[int, int, float, float]]:
    """Split the date range where it has long empty gaps (a 2014 background event beside a 2022
    story would squash everything else into one point): (first day, last day, x0, x1) per piece."""
    days = sorted(set(days))
    total = max(days[-1] - days[0], 1)
    groups: list[list[int]] = [[days[0]]]
    for d in days[1:]:
        if d - groups[-1][-1] > max(45, 0.2 * total):
            groups.append([d])
        else:
            groups[-1].append(d)
    gap = 28.0
    weights = [max(g[-1] - g[0], 6) + 4 for g in groups]
    usable = width - gap * (len(groups) - 1)
    out, x = [], 0.0
    for g, w in zip(groups, weights, strict=True):
        share = usable * w / sum(weights)
        out.append((g[0] - 2, g[-1] + 2, x, x + share))
        x += share + gap
    return out


def timeline_svg(timeline: Sequence[dict], hues: Palette | None = None) -> Markup:
    """Events (of the contract's ``timeline``) on a date axis; above each, one dot per outlet reporting it,
    coloured with ``hues``. Month/year precision events are hollow bars over their period. Each event
    links to its entry (``#ev-<id>``) in the list below. Only SVG attributes and classes, no inline style
    (the web UI's Content-Security-Policy)."""
    events = axis_events(list(timeline))  # the story section: background and expected would stretch the axis
    if not events:
        return Markup("")
    width, pad, base = 940.0, 24.0, 120.0
    spans = [event_span(e) for e in events]
    days = [d.toordinal() for s in spans for d in s]
    segs = _segments(days, width - 2 * pad)

    def x(day: int) -> float:
        for lo, hi, x0, x1 in segs:
            if lo <= day <= hi:
                return pad + x0 + (day - lo) / max(hi - lo, 1) * (x1 - x0)
        return pad

    top = base - 40
    out = [""]  # the <svg> tag, once the height is known
    for i, (lo, hi, x0, x1) in enumerate(segs):
        out.append(f'<line class="axis-line" x1="{pad + x0:.1f}" y1="{base}" x2="{pad + x1:.1f}" '
                   f'y2="{base}"/>')
        if i:
            bx = pad + x0 - 14
            out.append(f'<path class="axis-break" d="M{bx - 6:.1f},{base + 6} l6,-12 '
                       f'M{bx:.1f},{base + 6} l6,-12"/>')
        first, last = date.fromordinal(lo + 2), date.fromordinal(hi - 2)
        # month ticks where there is room for them
        months, m = [], date(first.year, first.month, 1)
        while m <= last:
            months.append(m)
            m = date(m.year + m.month // 12, m.month % 12 + 1, 1)
        step = max(1, math.ceil(len(months) * 64 / max(x1 - x0, 1)))
        for m in months[::step]:
            mx = x(max(m.toordinal(), lo))
            out.append(f'<line class="axis-tick" x1="{mx:.1f}" y1="{base}" x2="{mx:.1f}" y2="{base + 5}"/>')
            if mx - (pad + x0) > 100 and (pad + x1) - mx > 100:  # clear of the end labels
                out.append(f'<text class="axis-label month" x="{mx:.1f}" y="{base + 20}" '
                           f'text-anchor="middle">{m:%b %Y}</text>')
        label_lo = escape(f"{first.day} {first:%b %Y}")
        out.append(f'<text class="axis-label" x="{pad + x0:.1f}" y="{base + 20}" '
                   f'text-anchor="start">{label_lo}</text>')
        if hi - lo > 10 and x1 - x0 > 150:
            label_hi = escape(f"{last.day} {last:%b %Y}")
            out.append(f'<text class="axis-label" x="{pad + x1:.1f}" y="{base + 20}" '
                       f'text-anchor="end">{label_hi}</text>')
    # events: nudge markers that would overlap to the right, with a leader line to the true date; in a
    # big story (one marker per day) the dots shrink until neighbouring days clear each other instead
    order = sorted(range(len(events)), key=lambda i: (spans[i][0], -len(events[i]["sources"])))
    r, step = 5.0, 13.0
    if len(events) > MAX_AXIS_EVENTS:
        xs = sorted({x(s[0].toordinal()) for s in spans})
        closest = min((b - a for a, b in zip(xs, xs[1:], strict=False)), default=width)
        r = min(5.0, max(1.5, (closest - 1) / 2))
        step = min(13.0, 2 * r + 1)
    gap = 2 * r + 2  # between the dots of one marker
    cxs: dict[int, float] = {}
    prev = -1e9
    for i in order:  # markers closer than ``step`` move right, with a leader line to their true date
        prev = cxs[i] = max(x(spans[i][0].toordinal()), prev + step)
    limit = width - pad + 6
    for k, i in enumerate(reversed(order)):  # ...and back left where that pushed them off the end
        cxs[i] = min(cxs[i], limit - step * k)
    vague = [i for i in order if events[i]["granularity"] != "day" or events[i]["end"]]
    for i in vague + [i for i in order if i not in vague]:  # periods underneath, days on top
        ev, (first, last) = events[i], spans[i]
        x_true, x_end, cx = x(first.toordinal()), x(last.toordinal()), cxs[i]
        sources = ev["sources"]
        kind = "exact" if ev["granularity"] == "day" else "vague"
        said = ev.get("label") or when(ev["date"], ev["granularity"], ev["end"])
        label = escape(f"{said}: {ev['summary']} ({', '.join(sources)})")
        out.append(f'<a href="#ev-{escape(ev["id"])}" class="axis-event {kind}"><title>{label}</title>')
        if i in vague:
            out.append(f'<rect class="axis-period" x="{x_true:.1f}" y="{base - 4}" '
                       f'width="{max(x_end - x_true, 3):.1f}" height="8" rx="3"/>')
        else:
            out.append(f'<circle class="axis-dot" cx="{x_true:.1f}" cy="{base}" r="3"/>')
        if abs(cx - x_true) > 0.5:
            out.append(f'<line class="axis-leader" x1="{x_true:.1f}" y1="{base - 4}" x2="{cx:.1f}" '
                       f'y2="{base - 10}"/>')
        shown = sources[:7]
        for k, src in enumerate(shown):
            cy = base - 11 - r - gap * k
            out.append(f'<circle class="src-dot {kind} {hue_class(src, hues)}" cx="{cx:.1f}" cy="{cy:.1f}" '
                       f'r="{r:g}"/>')
        if len(sources) > len(shown):
            out.append(f'<text class="axis-more" x="{cx:.1f}" y="{base - 11 - r - gap * len(shown):.1f}" '
                       f'text-anchor="middle">+{len(sources) - len(shown)}</text>')
        out.append("</a>")
        top = min(top, base - 17 - r - gap * len(shown))
    out.append("</svg>")
    # the picture is as tall as its best corroborated event: one dot per outlet
    y0 = top - 8
    out[0] = (f'<svg class="axis-svg" viewBox="0 {y0:.0f} {width:.0f} {base + 30 - y0:.0f}" role="img" '
              f'aria-label="timeline of {len(events)} events">')
    return Markup("".join(out))
