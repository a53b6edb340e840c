"""The weekly PDCA review as a calendar invitation (.ics, RFC 5545, written with ``icalendar``): the
recurring meeting on the playbook's day and time from the first week after the workshop until the last
KPI deadline, the attendees' roles, agenda and decision rules in the description, and where the tracker
is. Everyone imports it into their own calendar; the roles are named, not addressed (the playbook has
no e-mail addresses)."""

from __future__ import annotations

import calendar as months
import datetime as dt
import hashlib
import logging
from typing import Any
from zoneinfo import ZoneInfo

from katachi.core.i18n import t
from katachi.exports.cadence import first_review, weekly_slot

log = logging.getLogger(__name__)


def review_ics(values: dict[str, Any], tracker_url: str, tz: str = "Asia/Tokyo") -> bytes:
    from icalendar import Calendar, Event

    lang = values.get("lang", "ja")
    review = (values.get("playbook") or {}).get("weekly_review") or {}
    slot = weekly_slot(review.get("cadence", ""))
    if not slot.found:
        log.info("the cadence names no weekday (%r): the review goes on Mondays", review.get("cadence"))
    zone = ZoneInfo(tz)
    day = first_review(dt.date.fromisoformat(values.get("today") or dt.date.today().isoformat()), slot)
    start = dt.datetime.combine(day, slot.start, zone)
    cal = Calendar()
    cal.add("prodid", "-//Katachi//weekly review//" + lang.upper())
    cal.add("version", "2.0")
    ev = Event()
    # stable across exports, so importing a newer invitation updates the meeting instead of adding one
    seed = f"{values.get('thread_id', '')}/{values.get('company', '')}/weekly-review"
    ev.add("uid", hashlib.sha256(seed.encode()).hexdigest()[:32] + "@katachi")
    ev.add("dtstamp", dt.datetime.now(dt.UTC))
    ev.add("summary", t("doc.ics_summary", lang, title=(values.get("theme") or {}).get("title", "")))
    ev.add("dtstart", start)
    ev.add("dtend", start + dt.timedelta(minutes=slot.minutes))
    rule = {"freq": "weekly", "interval": slot.interval}
    until = _last_deadline(values, zone)
    if until is not None and until > start:
        rule["until"] = until
    ev.add("rrule", rule)
    ev.add("description", description(values, review, tracker_url))
    if tracker_url:
        ev.add("location", tracker_url)
        ev.add("url", tracker_url)
    cal.add_component(ev)
    cal.add_missing_timezones()
    return cal.to_ical()


def description(values: dict, review: dict, tracker_url: str) -> str:
    lang = values.get("lang", "ja")
    sep = "、" if lang == "ja" else ", "
    lines = [t("doc.ics_attendees", lang, roles=sep.join(review.get("attendees") or []) or "-")]
    if review.get("agenda"):
        lines += ["", t("doc.agenda", lang) + ":"] + [f"{i}. {a}" for i, a in enumerate(review["agenda"], 1)]
    if review.get("decision_rules"):
        lines += ["", t("doc.rules", lang) + ":"] + [f"- {r}" for r in review["decision_rules"]]
    if tracker_url:
        lines += ["", t("doc.ics_tracker", lang, url=tracker_url)]
    return "\n".join(lines)


def _last_deadline(values: dict, zone: ZoneInfo) -> dt.datetime | None:
    """The end of the last KPI's deadline month (YYYY-MM): the review runs until the results are judged."""
    ends = []
    for k in values.get("kpis") or []:
        try:
            y, m = (int(x) for x in str(k.get("deadline", ""))[:7].split("-"))
            ends.append(dt.datetime(y, m, months.monthrange(y, m)[1], 23, 59, tzinfo=zone))
        except ValueError:
            continue
    return max(ends).astimezone(dt.UTC) if ends else None
