"""A KPI's weekly values against its baseline and target: progress, projection to the deadline, a plot.

The projection is a least-squares line through the latest weeks (at most six: a 型 changes the
slope, so old weeks say little), extended to the last day of the deadline month.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import math
import statistics
from dataclasses import dataclass

from katachi.core.i18n import t


def to_float(x) -> float | None:
    """A finite number, or None: 'nan' and 'inf' parse as floats but are no week's value."""
    try:
        v = float(str(x).replace(",", ""))
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def monday(d: dt.date) -> dt.date:
    """The week a date belongs to (check-ins and packs are per week, starting Monday)."""
    return d - dt.timedelta(days=d.weekday())


def deadline_date(deadline: str) -> dt.date:
    y, m = (int(p) for p in deadline[:7].split("-"))
    return dt.date(y, m, calendar.monthrange(y, m)[1])


@dataclass
class Projection:
    baseline: float | None
    target: float
    deadline: dt.date
    last: float | None = None
    progress: float | None = None  # share of the way from baseline to target, 0..1+ (None: no baseline)
    projected: float | None = None  # value expected at the deadline
    slope_per_week: float | None = None
    reaches: bool | None = None  # projected to hit the target by the deadline
    eta: dt.date | None = None  # when the line reaches the target
    hit: bool = False  # the latest value is at or past the target

    @property
    def lower_is_better(self) -> bool:
        ref = self.baseline if self.baseline is not None else self.last
        return ref is not None and self.target < ref


def project(
    series: list[tuple[dt.date, float]], baseline: float | None, target: float, deadline: str, window: int = 6
) -> Projection:
    pr = Projection(baseline, target, deadline_date(deadline))
    if not series:
        return pr
    series = sorted(series)
    pr.last = series[-1][1]
    down = pr.lower_is_better
    pr.hit = pr.last <= target if down else pr.last >= target
    if baseline is not None and target != baseline:
        pr.progress = (pr.last - baseline) / (target - baseline)
    pts = series[-window:]
    if len(pts) >= 2:
        t0 = pts[0][0]
        xs = [(d - t0).days / 7 for d, _ in pts]
        ys = [v for _, v in pts]
        if len(set(xs)) > 1:
            slope, intercept = statistics.linear_regression(xs, ys)
        else:  # every value from the same day: no slope to draw
            slope, intercept = 0.0, statistics.fmean(ys)
        pr.slope_per_week = slope
        weeks_to_deadline = (pr.deadline - t0).days / 7
        pr.projected = intercept + slope * weeks_to_deadline
        if min(ys + ([baseline] if baseline is not None else [])) >= 0:
            pr.projected = max(pr.projected, 0.0)  # times, counts and rates do not go below zero
        pr.reaches = pr.projected <= target if down else pr.projected >= target
        if slope and ((slope < 0) == down):
            weeks = (target - intercept) / slope
            pr.eta = t0 + dt.timedelta(weeks=weeks)
    return pr


def plot_png(name: str, unit: str, series: list[tuple[dt.date, float]], pr: Projection, lang: str = "ja") -> bytes:
    """Values by week, the baseline and target lines, and the projection to the deadline."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.font_manager import FontProperties

    from katachi.exports.fonts import japanese_font

    fp = FontProperties(fname=str(japanese_font()))
    fig, ax = plt.subplots(figsize=(6.4, 3.4), dpi=110)
    try:
        if series:
            xs, ys = zip(*sorted(series))
            ax.plot(xs, ys, marker="o", color="#1f6feb", label=t("pack.actual", lang))
            if pr.projected is not None:
                ax.plot(
                    [xs[-1], pr.deadline],
                    [ys[-1], pr.projected],
                    linestyle=":",
                    color="#1f6feb",
                    label=t("pack.projection", lang),
                )
        if pr.baseline is not None:
            ax.axhline(pr.baseline, color="#888", linestyle="--", label=t("pack.baseline", lang))
        ax.axhline(pr.target, color="#1e6b35", linestyle="-", label=t("pack.target", lang))
        # matplotlib takes dates through its units (the axis becomes a date axis); its stubs say float
        ax.axvline(pr.deadline, color="#c62828", linewidth=0.8)  # type: ignore[arg-type]
        if series:  # from the first check-in to just past the deadline, not matplotlib's wide default
            first = min(d for d, _ in series)
            lo, hi = first - dt.timedelta(weeks=1), max(pr.deadline, first) + dt.timedelta(weeks=2)
            ax.set_xlim(lo, hi)  # type: ignore[arg-type]  # dates, as above
        ax.set_title(name, fontproperties=fp)
        ax.set_ylabel(unit, fontproperties=fp)
        ax.legend(prop=fp, fontsize=8, loc="best")
        fig.autofmt_xdate()
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        return buf.getvalue()
    finally:
        plt.close(fig)
