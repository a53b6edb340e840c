"""Clean language: Japanese output without Chinese, English output without CJK.

The embedded model is trained on much Chinese; in Japanese it slips into simplified characters
(进, 优, 实…) and Chinese-only words written with characters Japanese also has (提高, 提升). Both
are found here, named back to the model once, then repaired in code with the Japanese equivalent.
The character table lists only characters that Japanese does not use (据, 准, 机, 后, 里, 那 are
left out on purpose: 据え置き, 准教授, 机, 皇后, 里山, 刹那).
"""

from __future__ import annotations

import re
from typing import Any

# Chinese-only words first (longest first when applied), then single simplified characters.
WORDS = {
    "进一步": "さらに",
    "提高": "向上",
    "提升": "向上",
    "加强": "強化",
    "改进": "改善",
    "进行": "実施",
    "优化": "最適化",
    "实现": "実現",
    "质量": "品質",
    "数据": "データ",
    "问题": "問題",
    "信息": "情報",
    "用户": "ユーザー",
    "客户": "顧客",
    "软件": "ソフトウェア",
    "效率": "効率",
    "项目": "プロジェクト",
    "工厂": "工場",
    "销售": "販売",
    "员工": "従業員",
    "反馈": "フィードバック",
    "确保": "確保",
    "通过": "を通じて",
    "准确": "正確",
    "及时": "適時",
    "保证": "保証",
    "部门": "部門",
    "人员": "担当者",
    "时间": "時間",
    "会议": "会議",
    "报告": "報告",
    "计划": "計画",
    "目标": "目標",
}
CHARS = dict(
    zip(
        "进优实现质问题时间效项员们这个让对应该结构设计资评审备报发执处顾产标过论验证务业总经营单钱认识说话读记录确检测"
        "试统织组级为际东车门开关长场书买卖货运输库仓账财费规范则复杂习训练讨议决选择动态变转换导领头师术专类样种节约续达"
        "远还给从边见觉观视听图层压团队严紧张强弹值额缩减够满职责负贡获势虑险风损误错诉诊疗药护养岁龄儿乐艺厂么吗呢吧啊",
        "進優実現質問題時間効項員　　個　対応該結構設計資評審備報発執処顧産標過論験証務業総経営単銭認識説話読記録確検測"
        "試統織組級為際東車門開関長場書買売貨運輸庫倉帳財費規範則複雑習訓練討議決選択動態変転換導領頭師術専類様種節約続達"
        "遠還給従辺見覚観視聴図層圧団隊厳緊張強弾値額縮減足満職責負貢獲勢慮険風損誤錯訴診療薬護養歳齢児楽芸工　　　　　",
    )
)
_WORD_RE = re.compile("|".join(sorted(WORDS, key=len, reverse=True)))
_CHAR_RE = re.compile("[" + "".join(CHARS) + "]")
KEEP_IN_ENGLISH = {"型"}  # the method's own word, used in English too ("the proposal 型")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]+")


def foreign(text: str, lang: str, allowed: str = "") -> list[str]:
    """The foreign-script tokens in ``text`` (``allowed``: input text whose words may be echoed)."""
    if not text:
        return []
    if lang == "ja":
        return _WORD_RE.findall(text) + _CHAR_RE.findall(_WORD_RE.sub("", text))
    return [m for m in _CJK.findall(text) if m not in allowed and m not in KEEP_IN_ENGLISH]


def repair(text: str, lang: str, allowed: str = "") -> str:
    if lang == "ja":
        text = _WORD_RE.sub(lambda m: WORDS[m.group(0)], text)
        return _CHAR_RE.sub(lambda m: CHARS[m.group(0)].strip(), text)
    out = _CJK.sub(lambda m: m.group(0) if m.group(0) in allowed or m.group(0) in KEEP_IN_ENGLISH else "", text)
    return re.sub(r"\s{2,}", " ", out).strip()


def strings(obj: Any, path: str = ""):
    """(path, text) of every string inside a pydantic model / dict / list."""
    if hasattr(obj, "model_dump"):
        obj = obj.model_dump()
    if isinstance(obj, str):
        yield path, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            if k not in ("evidence", "citations", "kpi_id", "pain_groups", "from_department", "to_department"):
                yield from strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from strings(v, f"{path}[{i}]")


def scan(obj: Any, lang: str, allowed: str = "") -> list[str]:
    """Problems to name back to the model: which field carries which foreign tokens."""
    out = []
    for path, text in strings(obj):
        bad = foreign(text, lang, allowed)
        if bad:
            out.append(f"{path}: {'、'.join(dict.fromkeys(bad))}")
    return out


def repair_model(obj: Any, lang: str, allowed: str = "") -> tuple[Any, list[str]]:
    """The same object with every string repaired, and the tokens that were replaced or dropped."""
    replaced: list[str] = []

    def fix(value: Any) -> Any:
        if isinstance(value, str):
            bad = foreign(value, lang, allowed)
            if bad:
                replaced.extend(bad)
                return repair(value, lang, allowed)
            return value
        if isinstance(value, list):
            return [fix(v) for v in value]
        if isinstance(value, dict):
            return {k: (v if k in ("evidence", "kpi_id", "pain_groups") else fix(v)) for k, v in value.items()}
        return value

    if hasattr(obj, "model_dump"):
        data = fix(obj.model_dump())
        try:
            return type(obj).model_validate(data), replaced
        except ValueError:  # the repair emptied a required field: keep the text, the finding says why
            return obj, replaced
    return fix(obj), replaced
