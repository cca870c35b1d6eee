"""The club report as CSV and as an SVG chart.

The chart is drawn as SVG text by hand: the tables' names are Chinese, and an SVG's text is set by the
viewer's fonts (a browser has CJK fonts; a server-side PNG renderer would need them installed in the
image), and two bar panels need no plotting library."""

from __future__ import annotations

import csv
import io
import math
from xml.sax.saxutils import escape

from gateway.reports.schemas import ClubReport, Table

WIDTH, LEFT, BAR, GAP = 960, 250, 22, 8


def to_csv(report: ClubReport) -> str:
    """``table,item,name,count``: each table's total first, then its rows; the participations last."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "item", "name", "count"])
    for key, table in (("members", report.members), ("services", report.services)):
        writer.writerow([key, "total", table.name, table.total])
        writer.writerows([key, row.item, row.name, row.count] for row in table.rows)
    writer.writerow(["activities", "participations", "会员活动参与人次", report.activity_participations])
    return out.getvalue()


def to_svg(report: ClubReport) -> str:
    """Two horizontal bar charts; the services on a log scale (claims outnumber the rest 60 to 1)."""
    parts: list[str] = []
    y = 60

    def panel(title: str, bars: list[tuple[str, int]], log: bool) -> None:
        nonlocal y
        parts.append(f'<text x="20" y="{y}" font-size="18" font-weight="bold">{escape(title)}</text>')
        y += 14
        top = max([count for _, count in bars] + [1])
        span = WIDTH - LEFT - 120
        for name, count in bars:
            length = span * (math.log10(count + 1) / math.log10(top + 1) if log else count / top)
            y += BAR + GAP
            parts.append(
                f'<text x="{LEFT - 10}" y="{y - 6}" text-anchor="end" font-size="14">{escape(name)}</text>'
            )
            parts.append(
                f'<rect x="{LEFT}" y="{y - BAR}" width="{length:.1f}" height="{BAR}" fill="#c8102e"/>'
            )
            parts.append(f'<text x="{LEFT + length + 8:.1f}" y="{y - 6}" font-size="13">{count:,}</text>')
        y += 50

    def bars(table: Table) -> list[tuple[str, int]]:
        return [(row.name, row.count) for row in table.rows]

    panel(
        f"{report.members.name} · members by tier ({report.members.total:,})", bars(report.members), log=False
    )
    panel(
        f"{report.services.name} · value-added services used ({report.services.total:,}; log scale)",
        [*bars(report.services), ("会员活动参与人次", report.activity_participations)],
        log=True,
    )
    period = f"{report.since:%Y-%m-%d} – {report.until:%Y-%m-%d}"
    header = (
        f'<text x="20" y="28" font-size="14" fill="#555">车友俱乐部 · {escape(period)} · '
        f"as of {report.as_of:%Y-%m-%d %H:%M} UTC</text>"
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{y}" viewBox="0 0 {WIDTH} {y}" '
        'font-family="Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif">'
        f'<rect width="100%" height="100%" fill="white"/>{header}{"".join(parts)}</svg>\n'
    )
