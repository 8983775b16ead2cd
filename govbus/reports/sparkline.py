"""A clause's trend as a tiny inline SVG: one bar per run, oldest left, coloured by status."""

from __future__ import annotations

import math
from collections import Counter
from html import escape

from govbus.contracts.results import Status
from govbus.reports.agreements import ClausePoint

BAR_WIDTH = 4
GAP = 1
HEIGHT = 20
COLOURS = {Status.passed: "#2e7d32", Status.warning: "#ef8f00", Status.failed: "#c62828", Status.error: "#6a1b9a"}


def sparkline(points: list[ClausePoint]) -> str:
    """``points`` newest first, as the history holds them; the bar height grows with the failing share."""
    if not points:
        return '<span class="muted">no runs</span>'
    ordered = list(reversed(points))
    width = len(ordered) * (BAR_WIDTH + GAP)
    counts = Counter(p.status.value for p in ordered)
    label = f"trend over {len(ordered)} runs: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    bars = []
    for index, point in enumerate(ordered):
        # A square-root scale keeps a 0.5% failure visible beside a 100% one.
        height = 4 if point.status is Status.passed else 6 + (HEIGHT - 6) * math.sqrt(point.failing_percent / 100)
        tip = f"{point.started_at:%Y-%m-%d %H:%M} {point.status.value}, {point.failing_count} failing"
        bars.append(
            f'<rect x="{index * (BAR_WIDTH + GAP)}" y="{HEIGHT - height:.1f}" width="{BAR_WIDTH}" height="{height:.1f}" '
            f'fill="{COLOURS[point.status]}"><title>{escape(tip)}</title></rect>'
        )
    return (
        f'<svg class="trend" role="img" aria-label="{escape(label)}" width="{width}" height="{HEIGHT}" '
        f'viewBox="0 0 {width} {HEIGHT}">{"".join(bars)}</svg>'
    )
