"""What the participants said, read in code: the numbers that measure a pain point (not its scope),
which of them matters most, which way it should move, and the words around it that name the work.

These readings let code write themes and KPIs from the participants' own sentences: the embedded model
pins one pain point's 「2日」 to another pain point's KPI and restates problems as outcomes.
"""

from __future__ import annotations

import re
import unicodedata

from katachi.agents.numbers import Stated, stated_numbers
from katachi.agents.quantities import TIME_FAMILIES, quantities

# Counts that say how big the work is, not how badly it goes: 「スタッフ12名」, "3 departments".
SCOPE_UNITS = (
    "人",
    "名",
    "社",
    "店",
    "台",
    "種類",
    "アカウント",
    "部署",
    "ページ",
    "people",
    "staff",
    "departments",
    "accounts",
    "stores",
    "sites",
    "subsidiaries",
    "teams",
    "branches",
    "kids",
    "pupils",
    "students",
    "beds",
    "nurses",
)
# A number said as too little: 「週に3時間もない」, "only 2 a month", "fell to 19%".
_TOO_LITTLE = re.compile(
    r"しか|もない|だけ|やっと|足りな|少な|不足|落ち|下が|減っ|届かな|\bonly\b|\bjust\b|\bbarely\b|"
    r"less than|fewer than|short of|fell|dropped|down to|\bmaybe\b.*\bactually\b",
    re.I,
)
_CLAUSE_END = re.compile(
    r"[、。,;；!！?？\n]|\.\s|\s+(?:so|because|and then|which|but|while|when|and(?= (?:each|it|we|they|i)\b))\s+", re.I
)


# A count measures a pain point when it counts something going wrong (or work arriving); otherwise it
# says how much there is of an activity (「社内報は年4回発行」) and is scope, not a baseline to lower.
_PROBLEM = re.compile(
    r"ミス|漏れ|抜け|差し戻|クレーム|苦情|問い合わせ|問合せ|質問|事故|ヒヤリ|エラー|遅れ|遅延|不良|不備|返品|手戻り|"
    r"欠品|トラブル|障害|再|重複|ダブル|取りこぼ|失注|解約|離職|退職|辞め|欠勤|催促|間違|誤|ズレ|未|待|"
    r"過ぎ|逃|失|忘れ|切れ|"
    r"error|mistake|miss|lost|lose|complain|return|defect|late|delay|incident|escalat|question|quer|"
    r"ticket|call|rework|duplicat|double|cancel|churn|leav|quit|absen|overdue|chas|wrong|fail|redo|"
    r"back|short|gap|wait|expir|forgot|overrun|breach",
    re.I,
)


def measures(text: str) -> list[Stated]:
    """The numbers in a pain point that measure it: not a limit or a rule, not the size of a team, not
    how often an ordinary activity happens."""
    out = []
    for x in stated_numbers([text]):
        if x.rule:
            continue
        if x.family == "count" and not x.per and any(x.unit.lower().endswith(u) for u in SCOPE_UNITS):
            continue
        if x.family == "count" and not _PROBLEM.search(clause(x)) and not too_little(x):
            continue
        out.append(x)
    return out


def primary(text: str) -> Stated | None:
    """The number the pain point is about: a time first (「2日かかる」), then a share, a count, money."""
    found = measures(text)
    for kinds in (TIME_FAMILIES, ("percent",), ("count",)):
        for x in found:
            if x.family in kinds:
                return x
    return found[0] if found else None


def clause(x: Stated) -> str:
    """The clause of the sentence the number stands in (between commas, full stops, 'so', 'because')."""
    t = unicodedata.normalize("NFKC", x.text)
    starts = [m.end() for m in _CLAUSE_END.finditer(t) if m.end() <= x.start]
    ends = [m.start() for m in _CLAUSE_END.finditer(t) if m.start() >= x.end]
    return t[(starts[-1] if starts else 0) : (ends[0] if ends else len(t))].strip()


def too_little(x: Stated) -> bool:
    """Is the number said as too low (so higher is better)?"""
    return bool(_TOO_LITTLE.search(clause(x)))


# Words around a number that say how often or how roughly, not what: 「毎回」「平均」「約」, "about", "on average".
_JA_FILLER = re.compile(
    r"(?:平均|毎回|毎期|毎月|毎週|毎日|毎晩|毎朝|毎年|約|およそ|大体|だいたい|ほぼ|合計|全部で|いつも|常に|月に|"
    r"週に|日に|年に|年間|丸|正直|実際|現在|今は|最大|最低|ざっと|それが|少なくとも|くらい|ぐらい|程度|"
    r"ほど|もの|まるまる|前年比|去年|昨年|今年|先月|今月|翌月|週|月|日|年|で|に|が|は|も|を|の|まで|から|、|\s)+$"
)
_JA_LEAD = re.compile(r"^(?:正直|実は|とにかく|うちは|最近|今|いま|結局|毎回|毎月|毎週|去年は|昨年は|今年は|、|\s)+")
_JA_ROLE = re.compile(
    r"(?:者|長|員|師|部|課|係|担当|任|スタッフ|マネージャー|リーダー|さん|班|チーム|先生|社員|経理|総務|人事|法務|"
    r"営業|以下|人|名)$"
)
_JA_THAT = re.compile(r"^(?:そのうち|うち|その|それ|これ)$")
_JA_PER = re.compile(
    r"(?:\d+|[一二三])?(?:件|回|本|人分|商品|案件|現場|名|人)?(?:あたり|当たり|ごと|につき|毎)?(?:に|で|の)?$"
)
_JA_PURPOSE = re.compile(
    r"(?:のに|には|ので|ために|ため|のは|ていて|ていると|している|してて|ている|てる|て|で|に|を|が|は)$"
)
_EN_TRAIL = re.compile(
    r"(?:\b(?:takes?|took|taking|eats?|ate|costs?|is|are|was|were|sits?|at|about|around|roughly|"
    r"on average|almost|nearly|over|up to|me|us|them|every|each|adds?|causes?|of|for|spends?|spent|"
    r"loses?|lost|wastes?|maybe|only|just|still|now|currently|typically|usually|has|have|had|been|"
    r"crept up|gone up|went up|fell|dropped|from|to|by|hit|hits|reach|reaches|the|need|needs|get|gets|one|"
    r"which|that|this|it)\b|\s)+$",
    re.I,
)
# The verb after the subject ends it: "Budget variance commentary means chasing 9 department heads"
_EN_VERB = re.compile(
    r"(?<=\w)\s+(?:means|requires|involves|takes|took|eats|costs|needs|runs?|lands?|comes?|goes|"
    r"is|are|was|were|has|have|gets?|sits?|waits?|spends?|loses?|lose)\b(?=\s|$)",
    re.I,
)
_EN_LEAD = re.compile(r"^(?:honestly|frankly|right now|currently|today|our|the|we|i|and|but|so|every|each)\b\s*", re.I)


def subject(x: Stated, lang: str) -> str:
    """The work the number measures, in the participants' words: 「シフト作成」 for 「シフト作成に、主任が毎月
    二日がかり」, "Month-end close" for "Month-end close takes 12 working days"."""
    t = unicodedata.normalize("NFKC", x.text)
    part = clause(x)
    offset = t.find(part)
    offset = offset if 0 <= offset <= x.start else 0
    earlier = [q.start for q in quantities(t) if offset <= q.start and q.end <= x.start]
    before = t[offset : earlier[0] if earlier else x.start]  # 「成約率が去年の18%から12%に」: what precedes both
    after = t[x.end :]
    if lang == "ja":
        return _subject_ja(t[:offset], before, after)
    return _subject_en(x, t[:offset], before, after)


def _subject_ja(preceding: str, before: str, after: str) -> str:
    """``subject`` in Japanese: the words before the number, else those of the clause before (``preceding``
    is the sentence up to the number's clause), else those after it."""
    phrase = _JA_LEAD.sub("", _peel_ja(before)).strip()
    if _JA_THAT.match(phrase):  # 「そのうち3割はパスワードのリセット」: what the share is of comes after
        return re.split(r"[がをで、。]", after.lstrip("はがの"))[0].strip()[:24]
    if _JA_ROLE.search(phrase):
        phrase = ""  # only who does it (「経理が毎期2週間」): what they do is in the clause before
    if not phrase:
        prev = preceding.rstrip("、, ")
        prev = prev[max(prev.rfind("、"), prev.rfind("。")) + 1 :]
        phrase = _JA_PURPOSE.sub("", prev).strip() or phrase
    if not phrase:
        phrase = re.split(r"[がをはで、。]", after.lstrip("のをがは"))[0]
    return _head(phrase.strip("「」 "))


def _peel_ja(before: str) -> str:
    """The words before a number without the fillers and qualifiers at their end."""
    kept = _JA_FILLER.sub("", before)
    while True:  # 「…に1件あたり」「マネージャーが案件ごとに」: qualifiers and fillers, peeled from the end
        per = _JA_PER.search(kept)
        assert per is not None  # every part of it is optional: it always matches, maybe empty
        shorter = _JA_FILLER.sub("", _JA_PER.sub("", kept)) if per.group(0) else kept
        if shorter == kept:
            return kept
        kept = shorter


def _subject_en(x: Stated, preceding: str, before: str, after: str) -> str:
    """``subject`` in English: what is counted, the subject before the verb, what a share is of, what
    time is spent doing; else the clause before (``preceding``) or the words after the number."""
    if x.family == "count" and re.fullmatch(r"[a-z -]+", x.unit.lower()) and not x.unit.startswith("per "):
        return x.unit  # "4 renewals", "3 phone calls": what is counted
    of = re.match(
        r"\s*of\s+(?:them\s+(?:are|is)\s+)?([\w' -]+?)(?:[,.;]|\s+(?:so|because|and|which|when|every)\b|$)", after, re.I
    )
    if x.said.lower().endswith(" of"):  # "a third of them are password resets": the share is of what follows
        rest = re.sub(r"^\s*(?:them|it|those|these|the)\s+(?:are|is|were|was)?\s*", "", after, flags=re.I)
        return " ".join(re.split(r"[,.;]", rest)[0].split()[:6])
    phrase = _en_lead(before, after)
    if of and (not phrase or len(phrase.split()) <= 1):
        phrase = of.group(1).strip()
    if not phrase:
        prev = preceding.rstrip(" ,;")
        prev = re.split(r"[,;.]\s*", prev)[-1] if prev else ""
        phrase = (
            _EN_LEAD.sub("", re.sub(r"\s+(?:has to|have to|must|needs? to)\b.*$", "", prev)).strip() if prev else ""
        )
    if not phrase:
        tail = re.match(r"\s*(?:a|per|each)?\s*(?:day|week|month|year)?\s*([\w' -]+?)(?:[,.;]|$)", after)
        phrase = tail.group(1).strip() if tail else ""
    return " ".join(phrase.split()[:8])


def _en_lead(before: str, after: str) -> str:
    """The subject said before the number, up to its verb; for time spent or lost, what it is spent doing."""
    lead = re.sub(
        r"\b(?:went|gone|crept|rose|risen|fell|fallen|dropped|grew)\s+(?:up\s+|down\s+)?from\s+\S+\s+(?:to\s+)?$",
        "",
        before.strip() + " ",
        flags=re.I,
    )
    spend = re.search(r"\b(?:spends?|spent|lose|loses|lost|wastes?|wasted)\b[\w ]*$", lead, re.I)
    lead = _EN_VERB.split(lead, maxsplit=1)[0] if _EN_VERB.search(lead) else lead
    phrase = _EN_LEAD.sub("", _EN_TRAIL.sub("", lead).strip()).strip()
    if spend:
        doing = re.match(
            r"\s*(?:(?:a|per|each|every)\s+(?:day|week|month|evening|morning|night)\s+)?(\w+ing\b[\w' -]*)", after, re.I
        )
        phrase = doing.group(1).strip() if doing else phrase
    return phrase


def _head(phrase: str, cap: int = 24) -> str:
    """A long Japanese phrase keeps its end (the head noun is last), cut after a particle, never mid-word."""
    if len(phrase) <= cap:
        return phrase
    cut = max((m.end() for m in re.finditer(r"[のをでにとがは、]", phrase) if len(phrase) - m.end() <= cap), default=0)
    return phrase[cut:] if cut else phrase[-cap:]
