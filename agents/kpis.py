"""KPIs for the chosen theme; code checks what code can (dates, units, baseline ≠ target, owners)."""
from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel, Field

from core.i18n import t
from agents.common import StageContext, StageLog, ask, cite, evidence_for, finding, items, text
from agents.grounding import relevant
from agents.intake import similarity
from agents.linter import is_exec
from agents.numbers import Stated, family, fmt, plausible_target, repaired_target, stated_numbers, supported
from agents.prompts import baseline_hint
from agents.schemas import KPI, Finding, PainPoint, Theme

DEADLINE = r"^20[0-9]{2}-(0[1-9]|1[0-2])$"
JUNIOR = ("若手", "有志", "詳しい人", "新人", "インターン", "junior", "volunteer", "intern", "enthusiast")
USAGE = ("利用回数", "利用率", "使用回数", "プロンプト数", "AI活用率", "導入率", "usage", "adoption rate",
         "number of prompts", "prompts per", "ai usage", "logins")
TIME_FAMILIES = ("days", "hours", "minutes", "weeks", "months")
TIME_UNITS = ("日", "時間", "分", "週", "か月", "ヶ月", "カ月", "day", "hour", "minute", "week", "month")
_NUM_UNIT = re.compile(r"(\d+(?:\.\d+)?)\s*(日|時間|分|週間|週|か月|ヶ月|カ月|件|%|％|円|万円|人|days?|hours?|minutes?|weeks?|cases?|percent)")


PARTICIPANTS = "participants"  # a measure the participants named that the catalogue lacks


class KPIOut(BaseModel):
    kpi: str = PARTICIPANTS  # a catalogue KPI id (enum of the candidates offered), or "participants"
    name: str = text(24, 2)
    unit: str = text(8)
    baseline: float | None  # null: not measured yet (then baseline_how says how it will be)
    baseline_how: str = text(40, default="")
    target: float
    deadline: str = Field(pattern=DEADLINE)
    owner: str = text(20)
    method: str = text(40, 2)
    evidence: list[str] = items(2)


class KPIsOut(BaseModel):
    kpis: list[KPIOut] = Field(min_length=1, json_schema_extra={"maxItems": 3})


def fmt_number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def months_after(today: str, months: int) -> str:
    d = date.fromisoformat(today)
    y, m = divmod(d.month - 1 + months, 12)
    return f"{d.year + y:04d}-{m + 1:02d}"


def kpi_problems(k: KPIOut, today: str, pain_points: list[PainPoint]) -> list[str]:
    """Problems worth another model call. A past deadline and a missing baseline method are repaired
    in code instead (see generate_kpis): a retry costs a whole call on a small model."""
    p = []
    b = k.baseline
    if b is not None and b == k.target:
        p.append(f"KPI '{k.name}': target must differ from baseline ({fmt_number(b)})")
    if any(j in k.owner.lower() for j in JUNIOR):
        p.append(f"KPI '{k.name}': owner must be an accountable executive, not '{k.owner}'")
    if b is not None and any(x in k.unit.lower() for x in TIME_UNITS) and k.target >= b:
        p.append(f"KPI '{k.name}': a time should go down: target {fmt_number(k.target)} is not below baseline {fmt_number(b)}")
    if k.owner.strip().endswith(("部", "課", "チーム", "department", "team", "Department", "Team")):
        p.append(f"KPI '{k.name}': owner '{k.owner}' is a department; name the accountable executive's title")
    if any(u in k.name.lower() for u in USAGE):
        p.append(f"KPI '{k.name}': measures AI usage, not a business result")
    # The input's own numbers fix the unit: "2日" must not come back as "2 時間".
    for pp in pain_points:
        for val, unit in _NUM_UNIT.findall(pp.text):
            if b is not None and float(val) == b and unit not in k.unit:
                p.append(f"KPI '{k.name}': participants said {val}{unit}; keep the unit '{unit}' (got '{k.unit}')")
    return p


def catalogue_line(x, lang: str) -> str:
    tx = x.text(lang)
    better = {"ja": {"lower": "小さいほど良い", "higher": "大きいほど良い"},
              "en": {"lower": "lower is better", "higher": "higher is better"}}[lang][x.better]
    return f"- {x.id}: {tx.name}（{tx.unit}、{better}）: {tx.definition} / {tx.measure}"


def from_catalogue(k: KPIOut, lib, lang: str) -> KPIOut:
    """A catalogue KPI keeps the catalogue's name, unit and measurement; the model chose it and set
    the numbers. An owner that is no executive becomes the catalogue's usual owner."""
    cat = lib.kpis.get(k.kpi)
    if cat is None:  # "participants", but named a catalogue KPI (its id or its name): it is that KPI
        cat = lib.kpis.get(k.name.strip()) or next((x for x in lib.kpis.values()
                                                    if x.text(lang).name == k.name.strip()), None)
        if cat is None:
            return k
    tx = cat.text(lang)
    # the baseline is measured the catalogue's way; the model tends to paste the definition there
    update = {"kpi": cat.id, "name": tx.name, "unit": tx.unit, "method": tx.measure, "baseline_how": tx.measure}
    if not is_exec(k.owner):
        update["owner"] = tx.owner
    return k.model_copy(update=update)


def _relevant_stated(k: KPIOut, stated: list[Stated], elsewhere: list[Stated] | None = None) -> Stated | None:
    """The participant-stated number this KPI measures: same kind of unit, and the same subject (or
    the only number of that kind in the theme's own pain points). A number said outside the theme's
    groups counts only when it is about the KPI's subject."""
    same = [x for x in stated if x.family == family(k.unit)]
    if len(same) == 1 and k.kpi == PARTICIPANTS:
        # the participants' own measure: the only number of its kind is its baseline. A catalogue KPI must
        # be about the number's subject (measured: 「不適合報告書の作成に1件45分」 became the baseline of
        # 窓口の待ち時間 because both are minutes)
        return same[0]
    about = [x for x in same + [y for y in elsewhere or [] if y.family == family(k.unit)]
             if relevant(f"{k.name} {k.method}", x.text)]
    if not about and family(k.unit) in TIME_FAMILIES:
        # another unit of time about the same subject (「記入に1日70分」 for 記録・書類の作成時間 in hours):
        # the participants' unit wins, see repair_numbers
        about = [x for x in stated + (elsewhere or []) if x.family in TIME_FAMILIES and _about(k.name, x.text)]
    return about[0] if about else None


_MEASURE_WORDS = {"時間", "作成", "件数", "日数", "時刻", "割合", "比率", "time", "rate", "count", "hour", "day"}


def _about(name: str, said: str) -> bool:
    """The KPI's name and what a participant said share a word beyond the measure itself (記録)."""
    from knowledge.library.catalog import content_words

    return bool((content_words(name) & content_words(said)) - _MEASURE_WORDS)


def cap_problem(k: KPIOut, cap: float | None) -> str | None:
    """A target beyond the scale: more than 100 %, or above a catalogue KPI's maximum (5 on a 5-point score)."""
    top = cap if cap is not None else (100.0 if family(k.unit) == "percent" else None)
    if top is not None and k.target > top:
        return f"KPI '{k.name}': target {fmt(k.target)} is beyond the scale (at most {fmt(top)} {k.unit})"
    return None


def number_problems(k: KPIOut, stated: list[Stated], sources: list[str], better: str = "",
                    elsewhere: list[Stated] | None = None, cap: float | None = None) -> list[str]:
    """Numbers the gate refuses: a baseline nobody stated, a stated baseline not used, a target that
    moves the wrong way, is no plan (100 %) or is beyond the scale."""
    p = [x for x in [cap_problem(k, cap)] if x]
    mine = _relevant_stated(k, stated, elsewhere)
    if mine is not None and k.baseline != mine.value:
        p.append(f"KPI '{k.name}': participants said {fmt(mine.value)}{mine.unit} ('{mine.text[:40]}'); "
                 f"use {fmt(mine.value)} as the baseline")
    elif k.baseline is not None and mine is None and not supported(k.baseline, k.unit, sources, measured=True):
        p.append(f"KPI '{k.name}': baseline {fmt(k.baseline)} is not stated by the participants or the documents; "
                 "use null (to be measured)")
    base = mine.value if mine is not None else k.baseline
    why = plausible_target(base, k.target, k.name, k.unit, better) if base is not None else None
    if why:
        p.append(f"KPI '{k.name}': target {fmt(k.target)}: {why}")
    return p


def unused_stated(kpis: list[KPIOut], stated: list[Stated]) -> list[Stated]:
    used = {(x.value, x.family) for k in kpis for x in stated
            if k.baseline is not None and abs(k.baseline - x.value) < 1e-9 and family(k.unit) == x.family}
    return [x for x in stated if (x.value, x.family) not in used]


def generate_kpis(ctx: StageContext, theme: Theme, pain_points: list[PainPoint], feedback: str = "",
                  focus: list[PainPoint] | None = None) -> tuple[list[KPI], list[Finding], StageLog]:
    """``focus``: the pain points of the theme's own groups; the numbers they state must become baselines."""
    log = StageLog()
    lib = ctx.catalog()
    ev = evidence_for(ctx, [f"{theme.title} {theme.problem}", f"{theme.outcome} KPI 指標 目標"], log)
    stated = stated_numbers([p.text for p in (focus or pain_points)])[:3]
    elsewhere = [x for x in stated_numbers([p.text for p in pain_points]) if x not in stated]
    sources = [p.text for p in pain_points] + [sent for _, sent in ev.sentences.values()]
    functions = ({lib.function_of(p.department) for p in pain_points if p.department} - {None}) | ctx.functions()
    query = " ".join([theme.title, theme.problem, theme.outcome, *[p.text for p in (focus or pain_points)][:4]])
    tied = [lib.kpis[i] for i in theme.measures if i in lib.kpis]  # the KPIs the theme was tied to come first
    candidates = tied + [x for x in lib.kpi_candidates(query, ctx.lang, functions, k=6) if x not in tied][:6 - len(tied)]
    better = {x.id: x.better for x in candidates}
    caps = {x.id: x.max for x in candidates}

    def check(out: KPIsOut) -> list[str]:
        out = out.model_copy(update={"kpis": [from_catalogue(k, lib, ctx.lang) for k in out.kpis]})
        # What code repairs the same way a retry would (an unstated baseline → 「要測定」, the
        # participants' number as the baseline, a target the wrong way or off the scale, an owner who is
        # no executive) is repaired below with a finding, not retried: on the embedded model a retry
        # costs a whole call (~40 s on two cores) and rarely does better.
        probs: list[str] = []
        if all(any(u in k.name.lower() for u in USAGE) for k in out.kpis):
            probs.append("every KPI measures AI usage; measure the business result instead")
        names = [k.name for k in out.kpis]
        probs += [f"KPIs '{a}' and '{b}' measure the same thing; keep one" for i, a in enumerate(names)
                  for b in names[:i] if similarity(a, b) >= 0.75]
        probs += [f"KPI name '{k.name}' copies a pain point; name the measure (e.g. '…の作成時間')" for k in out.kpis
                  if any(similarity(k.name, p.text) >= 0.9 and len(k.name) > 20 for p in pain_points)]
        missing = unused_stated(out.kpis, stated)
        if missing and len(out.kpis) < 3:
            probs.append("add one KPI for each number participants gave: "
                         + "; ".join(f"{fmt(x.value)}{x.unit} ('{x.text[:40]}')" for x in missing))
        return probs

    hint = baseline_hint(ctx.lang, ", ".join(f"{fmt(x.value)}{x.unit}" for x in stated)) if stated else ""
    out: KPIsOut = ask(ctx, log, role="kpis", schema=KPIsOut, prompt="kpis", evidence=ev, feedback=feedback,
                       check=check, theme=theme.title, problem=theme.problem, outcome=theme.outcome,
                       enums={"kpi": [*better, PARTICIPANTS]},
                       catalog="\n".join(catalogue_line(x, ctx.lang) for x in candidates) or "-",
                       pain_points="\n".join(f"- {p.text}" for p in pain_points) + hint, max_tokens=500)
    out = out.model_copy(update={"kpis": [from_catalogue(k, lib, ctx.lang) for k in out.kpis]})
    kpis, findings = [], list(log.findings)
    log.findings.clear()  # reported once, with the KPIs' own findings
    distinct: list[KPIOut] = []
    results = [k for k in out.kpis if not any(u in k.name.lower() for u in USAGE)]
    for k in out.kpis:
        if results and k not in results:  # usage counts go when a real result is measured too
            findings.append(finding("usage_kpi_dropped", "kpis", k.name, ctx.lang))
    for k in results or out.kpis:  # the same measure twice (same unit and baseline, or the same name) is kept once
        if any(similarity(k.name, d.name) >= 0.75 or (k.unit == d.unit and k.baseline == d.baseline is not None
                                                       and k.target == d.target) for d in distinct):
            findings.append(finding("duplicate_kpi", "kpis", k.name, ctx.lang, severity="info"))
            continue
        distinct.append(k)
    for i, k in enumerate(distinct, 1):
        kid = f"K{i}"
        if not is_exec(k.owner):
            owner = t("doc.default_owner", ctx.lang)
            findings.append(finding("owner_repaired", "kpis", kid, ctx.lang, f"{k.owner} → {owner}", severity="info"))
            k = k.model_copy(update={"owner": owner})
        k, repaired = repair_numbers(k, stated, sources, ctx.lang, kid, better.get(k.kpi, ""), elsewhere,
                                     caps.get(k.kpi))
        findings += repaired
        remaining = kpi_problems(k, ctx.today, pain_points) + number_problems(
            k, stated, sources, better.get(k.kpi, ""), elsewhere, caps.get(k.kpi))  # what repair could not fix
        deadline = k.deadline
        if deadline <= ctx.today[:7]:  # the model does not know the date: repair, and say so
            deadline = months_after(ctx.today, 6)
            findings.append(finding("kpi_repaired", "kpis", kid, ctx.lang, f"{k.deadline} → {deadline}",
                                    severity="info"))
        for prob in remaining:
            findings.append(finding("kpi_check", "kpis", kid, ctx.lang, prob))
        citations, support = cite(ev, k.evidence, log, f"kpi[{kid}]", claim=f"{k.name} {k.method} {theme.problem}")
        tbd = t("doc.to_be_measured", ctx.lang)
        baseline = fmt_number(k.baseline) if k.baseline is not None else tbd
        how = k.baseline_how
        if k.baseline is None and not how.strip():  # an unmeasured baseline is measured the KPI's way
            how = k.method
        kpis.append(KPI(id=kid, name=k.name, unit=k.unit, baseline=baseline, baseline_how=how,
                        target=fmt_number(k.target), deadline=deadline, owner=k.owner, method=k.method,
                        citations=citations, support=support, catalog_id=k.kpi if k.kpi in better else "",
                        better=better.get(k.kpi, "")))
    for x in unused_stated(distinct, stated):
        findings.append(finding("stated_number_unused", "kpis", "", ctx.lang, f"{fmt(x.value)}{x.unit}: {x.text[:50]}"))
    return kpis, findings, log


def repair_numbers(k: KPIOut, stated: list[Stated], sources: list[str], lang: str, kid: str, better: str = "",
                   elsewhere: list[Stated] | None = None, cap: float | None = None) -> tuple[KPIOut, list[Finding]]:
    """What survived the retries is repaired in code: the participants' number as the baseline, an
    unstated baseline becomes 'to be measured', a target that moves the wrong way becomes a first step,
    a target beyond the scale comes back inside it."""
    out: list[Finding] = []
    mine = _relevant_stated(k, stated, elsewhere)
    if mine is not None and mine.family != family(k.unit):  # the participants' unit of time wins
        out.append(finding("kpi_unit_from_participants", "kpis", kid, lang, f"{k.unit} → {mine.unit}", severity="info"))
        k = k.model_copy(update={"unit": mine.unit, "baseline": mine.value,
                                 "target": repaired_target(mine.value, k.name, mine.unit, better)})
    if mine is not None and k.baseline != mine.value:
        out.append(finding("baseline_from_participants", "kpis", kid, lang,
                           f"{fmt(k.baseline) if k.baseline is not None else '-'} → {fmt(mine.value)}{mine.unit}",
                           severity="info"))
        k = k.model_copy(update={"baseline": mine.value})
    elif k.baseline is not None and mine is None and not supported(k.baseline, k.unit, sources, measured=True):
        out.append(finding("baseline_unsupported", "kpis", kid, lang, f"{fmt(k.baseline)}{k.unit}"))
        k = k.model_copy(update={"baseline": None})
    if k.baseline is not None and plausible_target(k.baseline, k.target, k.name, k.unit, better):
        new = repaired_target(k.baseline, k.name, k.unit, better)
        out.append(finding("target_repaired", "kpis", kid, lang, f"{fmt(k.target)} → {fmt(new)}{k.unit}",
                           severity="info"))
        k = k.model_copy(update={"target": new})
    if cap_problem(k, cap):
        top = cap if cap is not None else 100.0
        new = round(top * 0.9, 1) if k.baseline is None or k.baseline < top * 0.9 else top
        out.append(finding("target_repaired", "kpis", kid, lang, f"{fmt(k.target)} → {fmt(new)}{k.unit}",
                           severity="info"))
        k = k.model_copy(update={"target": new})
    return k, out
