"""The regulator's report: leak posts detected and removed, per platform, domain and
hosting country, with time-to-removal figures and a chart over time.

Definitions (printed in the report too):
* *posts detected* — distinct URLs first fetched in the period whose content was judged
  a redistribution of the corpus;
* *records exposed* — distinct corpus records in those posts (counts only);
* *notices sent* — takedown notices delivered in the period;
* *removed* — re-checks in the period that found a post gone (404/410 or the matched
  records no longer on the page);
* *time to removal* — from first detection to that re-check (so it is bounded below
  by the re-check interval);
* *still online* — detected posts not found removed by the end of the period.
Country comes from RDAP for the hosting address where a case looked it up; .onion
hosts are "onion". Nothing here holds corpus plaintext: it is all counts.
"""

from __future__ import annotations

import base64
import io
import json
import statistics
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from sqlmodel import select

from dumpwatch.storage import CaseEvent, Database, Document, Finding, Notice, Sighting, TakedownCase
from dumpwatch.storage.db import batches


@dataclass
class Row:
    platform: str
    domain: str
    country: str
    detected: int = 0
    records: int = 0
    notices: int = 0
    removed: int = 0
    median_ttr_s: float | None = None
    p90_ttr_s: float | None = None
    online: int = 0
    _records: set = field(default_factory=set, repr=False)
    _ttr: list = field(default_factory=list, repr=False)


@dataclass
class RegulatorReport:
    start: datetime
    end: datetime
    rows: list[Row]
    total: Row
    bins: list[datetime]
    detections: list[int]
    removals: list[int]
    generated_at: datetime

    def as_dict(self) -> dict:
        def row(r: Row) -> dict:
            return {k: v for k, v in r.__dict__.items() if not k.startswith("_")}
        return {"from": self.start.isoformat(), "to": self.end.isoformat(),
                "generated_at": self.generated_at.isoformat(),
                "rows": [row(r) for r in self.rows], "total": row(self.total),
                "series": {"bins": [b.isoformat() for b in self.bins],
                           "detections": self.detections, "removals": self.removals}}


def _utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile: an observed removal time, never an interpolated one."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def profile_domains(config_dir: Path) -> dict[str, str]:
    """source -> the public domain its profile declares (sources crawled by address)."""
    from crawler.profiles import load_sources

    if not (config_dir / "sources").is_dir():
        return {}
    return {name: src.takedown.domain for name, src in
            load_sources(config_dir, strict=False).items() if src.takedown.domain}


def build_report(db: Database, start: datetime, end: datetime,
                 profile_domains: dict[str, str] | None = None) -> RegulatorReport:
    """``profile_domains``: source -> public domain, for sources crawled by address."""
    start, end = _utc(start), _utc(end)
    profile_domains = profile_domains or {}
    with db.session() as s:
        cases = s.exec(select(TakedownCase)).all()
        sightings = s.exec(
            select(Sighting).join(Document, Document.id == Sighting.document_id)
            .where(Document.verdict == "redistribution", Sighting.fetched_at >= start,
                   Sighting.fetched_at < end)).all()
        records: dict[int, set[str]] = {}
        for chunk in batches(sg.document_id for sg in sightings):  # a year can pass 65,535
            for doc_id, corpus, rid in s.exec(
                    select(Finding.document_id, Finding.corpus, Finding.record_id)
                    .where(Finding.document_id.in_(chunk))):  # type: ignore[attr-defined]
                records.setdefault(doc_id, set()).add(f"{corpus}\x1f{rid}")
        removed_events = s.exec(select(CaseEvent).where(
            CaseEvent.action == "recheck", CaseEvent.outcome == "removed",
            CaseEvent.at < end)).all()
        notices = s.exec(select(Notice, TakedownCase)
                         .join(TakedownCase, TakedownCase.id == Notice.case_id)
                         .where(Notice.status == "sent", Notice.sent_at >= start,
                                Notice.sent_at < end)).all()
    country_of = {c.domain: c.country for c in cases if c.domain and c.country}

    def key(source: str, url: str) -> tuple[str, str, str]:
        host = (urlsplit(url).hostname or "?").lower()
        if host.endswith(".onion"):
            return source, host[:16] + "….onion" if len(host) > 30 else host, "onion"
        domain = profile_domains.get(source) or host
        return source, domain, country_of.get(domain) or "unknown"

    rows: dict[tuple[str, str, str], Row] = {}

    def row_for(k: tuple[str, str, str]) -> Row:
        return rows.setdefault(k, Row(*k))

    removed_at: dict[str, datetime] = {}
    for ev in removed_events:
        data = json.loads(ev.data or "{}")
        if data.get("url"):
            removed_at.setdefault(data["url"], _utc(ev.at))
    for sg in sightings:
        r = row_for(key(sg.source, sg.url))
        r.detected += 1
        r._records |= records.get(sg.document_id, set())
        if sg.url not in removed_at:
            r.online += 1
    removals = []
    for ev in removed_events:
        at = _utc(ev.at)
        data = json.loads(ev.data or "{}")
        if at < start or not data.get("url"):
            continue
        removals.append(at)
        r = row_for(key(data.get("source") or "?", data["url"]))
        r.removed += 1
        if data.get("seconds") is not None:
            r._ttr.append(float(data["seconds"]))
    for _notice, case in notices:
        row_for(key(case.source, case.url)).notices += 1
    total = Row("all", "", "")
    for r in rows.values():
        r.records = len(r._records)
        r.median_ttr_s = statistics.median(r._ttr) if r._ttr else None
        r.p90_ttr_s = percentile(r._ttr, 90)
        total._records |= r._records
        total._ttr += r._ttr
        for f in ("detected", "notices", "removed", "online"):
            setattr(total, f, getattr(total, f) + getattr(r, f))
    total.records = len(total._records)
    total.median_ttr_s = statistics.median(total._ttr) if total._ttr else None
    total.p90_ttr_s = percentile(total._ttr, 90)
    bins, det, rem = _series(start, end, [_utc(sg.fetched_at) for sg in sightings], removals)
    ordered = sorted(rows.values(), key=lambda r: (-r.detected, -r.removed, r.platform, r.domain))
    return RegulatorReport(start, end, ordered, total, bins, det, rem, datetime.now(UTC))


def _series(start: datetime, end: datetime, detections: list[datetime],
            removals: list[datetime]) -> tuple[list[datetime], list[int], list[int]]:
    """Minute bins up to two hours, hourly ones up to three days, daily ones beyond."""
    span = end - start
    step = timedelta(minutes=1) if span <= timedelta(hours=2) else (
        timedelta(hours=1) if span <= timedelta(days=3) else timedelta(days=1))
    first = start.replace(second=0, microsecond=0)
    if step >= timedelta(hours=1):
        first = first.replace(minute=0)
    if step == timedelta(days=1):
        first = first.replace(hour=0)
    bins = []
    t = first
    while t < end and len(bins) < 2000:
        bins.append(t)
        t += step
    det, rem = [0] * len(bins), [0] * len(bins)
    for series, times in ((det, detections), (rem, removals)):
        for at in times:
            i = int((at - first) / step)
            if 0 <= i < len(bins):
                series[i] += 1
    return bins, det, rem


def duration(seconds: float | None) -> str:
    """2d 4h, 5h 12m, 14m — how people say time to removal."""
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    if minutes < 1:
        return f"{int(seconds)}s"
    days, rem = divmod(minutes, 1440)
    hours, mins = divmod(rem, 60)
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {mins:02d}m" if hours else f"{mins}m"


def chart_png(rep: RegulatorReport, width: float = 9, height: float = 3.2) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(width, height), dpi=110)
    if rep.bins:
        step = (rep.bins[1] - rep.bins[0]) if len(rep.bins) > 1 else timedelta(hours=1)
        w = step.total_seconds() / 86400 * 0.4
        x = mdates.date2num(rep.bins)
        day = step.total_seconds() / 86400  # a bin [t, t + step) holds both of its bars
        ax.bar(x + 0.1 * day, rep.detections, width=w, align="edge", color="#c0392b",
               label="posts detected")
        ax.bar(x + 0.5 * day, rep.removals, width=w, align="edge", color="#27ae60",
               label="posts removed")
        online, running = [], 0
        for d, r in zip(rep.detections, rep.removals, strict=True):
            running += d - r
            online.append(max(running, 0))
        ax2 = ax.twinx()
        ax2.step(x, online, where="post", color="#34495e", linewidth=1.5,
                 label="still online (running)")
        ax2.set_ylabel("still online", color="#34495e")
        ax2.set_ylim(0, max(1, *online) * 1.15)
        ax2.yaxis.set_major_locator(MaxNLocator(integer=True))
        locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        h1, l1 = ax.get_legend_handles_labels()
        h2, l2 = ax2.get_legend_handles_labels()
        ax.legend(h1 + h2, l1 + l2, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=3,
                  frameon=False, fontsize=9)
        for side in ("top",):
            ax.spines[side].set_visible(False)
            ax2.spines[side].set_visible(False)
    step = rep.bins[1] - rep.bins[0] if len(rep.bins) > 1 else timedelta(hours=1)
    ax.set_ylabel("posts per " + ("minute" if step < timedelta(hours=1) else
                                  "hour" if step < timedelta(days=1) else "day"))
    ax.set_ylim(0, max(1, *rep.detections, *rep.removals) * 1.15)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def render_html(rep: RegulatorReport) -> str:
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("dumpwatch", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["duration"] = duration
    chart = base64.b64encode(chart_png(rep)).decode("ascii")
    return env.get_template("regulator.html.j2").render(r=rep, chart=chart,
                                                        fmt=_fmt_time)


def _fmt_time(dt: datetime) -> str:
    return _utc(dt).strftime("%Y-%m-%d %H:%M UTC")


def render_pdf(rep: RegulatorReport, path: Path) -> None:
    """Two parts on A4 landscape: the summary with the chart, then the table."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.image as mpimg
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    t = rep.total
    with PdfPages(path) as pdf:
        fig = plt.figure(figsize=(11.69, 8.27))
        fig.text(0.05, 0.93, "Personal-data leak posts: detection and removal", fontsize=18,
                 weight="bold")
        fig.text(0.05, 0.89, f"{_fmt_time(rep.start)} – {_fmt_time(rep.end)} · generated "
                 f"{_fmt_time(rep.generated_at)}", fontsize=10, color="#555")
        figures = [("posts detected", t.detected), ("records exposed", f"{t.records:,}"),
                   ("notices sent", t.notices), ("removed", t.removed),
                   ("median time to removal", duration(t.median_ttr_s)),
                   ("p90 time to removal", duration(t.p90_ttr_s)), ("still online", t.online)]
        for i, (label, value) in enumerate(figures):
            x = 0.05 + i * 0.13
            fig.text(x, 0.80, str(value), fontsize=16, weight="bold")
            fig.text(x, 0.77, label, fontsize=8, color="#555")
        ax = fig.add_axes((0.05, 0.08, 0.9, 0.62))
        ax.imshow(mpimg.imread(io.BytesIO(chart_png(rep, 10, 5)), format="png"))
        ax.axis("off")
        pdf.savefig(fig)
        plt.close(fig)
        fig = plt.figure(figsize=(11.69, 8.27))
        ax = fig.add_axes((0.03, 0.05, 0.94, 0.85))
        ax.axis("off")
        fig.text(0.03, 0.94, "Per platform, domain and hosting country", fontsize=14,
                 weight="bold")
        header = ["platform", "domain", "country", "detected", "records", "notices",
                  "removed", "median TTR", "p90 TTR", "still online"]
        cells = [[r.platform, r.domain, r.country, r.detected, f"{r.records:,}", r.notices,
                  r.removed, duration(r.median_ttr_s), duration(r.p90_ttr_s), r.online]
                 for r in [*rep.rows[:30], t]]
        widths = [0.13, 0.25, 0.07] + [0.078] * 7
        table = ax.table(cellText=cells, colLabels=header, loc="upper center",
                         cellLoc="right", colWidths=widths)
        for (row, col), cell in table.get_celld().items():
            if col < 3:
                cell.set_text_props(ha="left")
                cell._loc = "left"
            if row == 0 or row == len(cells):
                cell.set_text_props(weight="bold")
            cell.set_edgecolor("#cccccc")
        fig.text(0.03, 0.04, "Time to removal runs from first detection to the re-check that "
                 "found the post gone (404/410 or its matched records no longer on the page). "
                 "Counts only: no personal data.", fontsize=8, color="#555")
        table.auto_set_font_size(False)
        table.set_fontsize(8)
        table.scale(1, 1.4)
        pdf.savefig(fig)
        plt.close(fig)
