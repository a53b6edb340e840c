"""Each slot of a use case checked on its own, in code: who is a person, not a department; an input is an
artefact, not a stage; no field loops a phrase or keeps a prompt example's value or shape. A slot that
fails takes the 型 library pattern's own words, never the example's.

The same checks score the evals (evals/rubric.py), so the rubric measures what the checks promise.
Without them the slots read (measured on two unseen handbooks): いつ 「営業部の営業担当者と営業部の営業部の…」,
誰が 「開発部」, 入力 「商談準備の段階」, reasons 「会議の議題の作成が週の半日」 (the example's shape).
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata

from katachi.agents.intake import similarity

_DEPT_END = re.compile(
    r"(?:部|課|室|局|本部|事業部|センター|チーム|グループ|部門|係)$|\b(?:department|dept|team|division|"
    r"group|office|unit|function)$",
    re.I,
)
_ROLE = re.compile(
    r"(?:担当|者|長|員|リーダー|マネージャー|スタッフ|係|士|師|主任|責任者|管理者|オペレーター|コーディネーター|"
    r"ドライバー|デザイナー|エンジニア|職|役)$|\b(?:manager|lead|leader|officer|rep|representative|coordinator|"
    r"clerk|agent|engineer|specialist|analyst|assistant|director|head|owner|planner|buyer|accountant|"
    r"administrator|supervisor|nurse|teacher|partner|executive|controller|recruiter|designer|developer|"
    r"writer|editor|staff|member|associate|consultant|worker|technician|inspector|operator)s?$",
    re.I,
)
_STAGE = re.compile(
    r"(?:段階|工程|フェーズ|プロセス|の流れ|業務全般|全体)$|^(?:the )?(?:\w+ )?(?:stage|phase|process|step)$", re.I
)
_FIELDS = ("title", "who", "when", "workflow_step", "input", "output")


def loops(text: str, lang: str) -> bool:
    """A field that repeats itself: 「営業部の営業担当者と営業部の営業部の…」, "the sales rep and the sales rep"."""
    v = unicodedata.normalize("NFKC", text or "")
    if re.search(r"(.{4,})\1", v):
        return True
    if lang == "ja" or re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", v):
        grams = [v[i : i + 4] for i in range(len(v) - 3)]
        return any(grams.count(g) >= 3 for g in set(grams))
    words = v.lower().split()
    grams3 = [" ".join(words[i : i + 3]) for i in range(len(words) - 2)]
    return any(grams3.count(g) >= 2 for g in set(grams3))


@functools.lru_cache(maxsize=4)
def example_values(lang: str) -> tuple[tuple[str, str], ...]:
    """(field, value) for every value of every prompt's format example in ``lang``: a new example is
    covered without a new list."""
    from katachi.agents.prompts import PROMPTS
    from katachi.agents.script import strings

    out: list[tuple[str, str]] = []
    for texts in PROMPTS.values():
        text = texts.get(lang, "")
        start = max(text.rfind("形式の例"), text.rfind("Format example"))
        if start < 0 or "{" not in text[start:]:
            continue
        try:
            data = json.JSONDecoder().raw_decode(text[text.index("{", start) :])[0]  # the example, not what follows
        except ValueError:
            continue
        for path, value in strings(data):
            if isinstance(value, str) and len(value) >= 2 and not re.fullmatch(r"[A-Za-z0-9_.\-]+", value):
                out.append((path.split("[")[0].split(".")[-1] or path, value))
    return tuple(dict.fromkeys(out))


def _shape(value: str, example: str) -> bool:
    """The example's frame with another noun: 「会議の議題の作成が週の半日」 for 「計画づくりが週の半日」."""
    if value == example or len(example) < 5:
        return False
    pre = len(_common_prefix(value, example))
    suf = len(_common_prefix(value[::-1], example[::-1]))
    frame = min(pre + suf, len(example))
    return frame >= 4 and frame >= 0.6 * len(example) and abs(len(value) - len(example)) <= len(example)


def _common_prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


def example_copy(value: str, field: str, lang: str, said: str = "") -> str | None:
    """The prompt example a field repeats (its value in any field, or its shape in the same field), if
    any; ``said``: what participants and documents said (their words are never a copy)."""
    v = (value or "").strip()
    if not v:
        return None
    for f, ex in example_values(lang):
        if ex in said:
            continue
        long_enough = len(ex) >= (5 if lang == "ja" else 12)
        if (long_enough and ex in v) or (f == field and (similarity(v, ex) >= 0.8 or _shape(v, ex))):
            return ex
    return None


def is_department(who: str, departments: list[str]) -> bool:
    w = (who or "").strip()
    return any(w == d or w == d + "部" or w.lower() == d.lower() for d in departments) or bool(_DEPT_END.search(w))


def is_person(who: str, pattern_who: str, documents: str, departments: list[str]) -> bool:
    """A role a person holds: the pattern's, one the company's documents name, or a word that names a role."""
    w = (who or "").strip()
    if not w or is_department(w, departments):
        return False
    return pattern_who in w or w in documents or bool(_ROLE.search(w))


def is_artifact(text: str, other: str = "", documents: str = "") -> bool:
    """An input or output is a thing (メモ, 申請書, "the call notes"): not a stage of the work, not a
    sentence (e.g. a document's sentence about the work pasted as an input), and not the other side
    of the arrow again."""
    v = (text or "").strip()
    # the library's own inputs and outputs run to 24 characters and 12 words
    sentence = len(v) > 30 if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", v) else len(v.split()) > 14
    pasted = len(v) >= 12 and v in documents
    return (
        bool(v)
        and not _STAGE.search(v)
        and not sentence
        and not pasted
        and not (other and similarity(v, other) >= 0.75)
    )


# A phrase cut where it would go on: 「…適宜休憩時間の」, "When the request is sent to the".
# (まで, "are in", "passes it on" end a phrase: not listed)
_DANGLING = re.compile(
    r"(?:[のをにはがとやも、]|(?<!ま)で|\b(?:the|a|an|of|to|and|or|for|with|by|from|that|which|is|are))$", re.I
)


def cut_phrase(text: str) -> bool:
    """Does the text stop mid-phrase (a particle or a function word last)?"""
    return bool(_DANGLING.search(text.strip().rstrip(".")))


def _long(text: str, ja: int, en: int) -> bool:
    return len(text) > ja if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text) else len(text.split()) > en


def check_slots(
    values: dict[str, str],
    pattern_words: dict[str, str],
    department: str,
    departments: list[str],
    documents: str,
    said: str,
    lang: str,
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The slots with each failing one replaced by the pattern's words, and (slot, why) for each replaced."""
    out = dict(values)
    failed: list[tuple[str, str]] = []
    for f in _FIELDS:
        v = (out.get(f) or "").strip()
        why = ""
        if not v:
            why = "empty"
        elif loops(v, lang):
            why = "loops"
        elif example_copy(v, f, lang, said):
            why = "example"
        elif f == "who" and not is_person(v, pattern_words.get("who", ""), documents, departments):
            why = "not_a_person"
        elif f == "input" and (
            not is_artifact(v, out.get("output", ""), documents) or similarity(v, out.get("when", "")) >= 0.75
        ):
            why = "not_an_artifact"  # also the moment again: 「入力: 週次レビューの前日」
        elif f == "output" and not is_artifact(v, "", documents):
            why = "not_an_artifact"
        elif f == "output" and v.casefold() == (out.get("input") or "").strip().casefold():
            why = "same_as_input"  # "The month's lost-deal records → The month's lost-deal records"
        elif f in ("when", "workflow_step") and ("→" in v or "->" in v):
            why = "not_a_moment"
        elif f == "when" and (cut_phrase(v) or (len(v) >= 12 and v in documents and _long(v, 24, 12))):
            why = "not_a_moment"  # a document's sentence cut: 「妊娠中の…指導された場合は、適宜休憩時間の」
        elif f == "workflow_step" and _long(v, 12, 5):
            why = "not_a_step"  # a step is named in a few words (「受注後の引き継ぎ」), not described
        if why and pattern_words.get(f):
            failed.append((f, why))
            out[f] = pattern_words[f]
    return out, failed
