"""Does a text talk to the model that reads it, instead of describing the company's work?

It looks for what an injection *does*, not for its phrasings: a list of phrasings ("ignore previous
instructions", 「以前の指示を無視」…) misses the ones it lacks and withholds ordinary sentences such as
「上司の指示を無視した場合は、就業規則に従い注意処分とする。」 (measured on evals/injection: such a list
caught none of twelve phrasings written by someone else, let 43 of 64 attacks reach the model and
withheld 12 of 64 ordinary sentences). The kinds, each narrow enough to leave work text alone:

- ``template``: chat-template tokens and fences meant for the model (``<|im_start|>``, ``[INST]``,
  ``### Instruction``, ``</documents>``, a JSON chat message);
- ``override``: an order to drop earlier instructions (「これまでの指示は無視して」, "disregard any prior rules");
- ``label``: a system/developer message label (「システムメッセージ：」, "System prompt:");
- ``role_line``: a role label whose line is an utterance or an order, not a name (「アシスタント：承知しました…」;
  "System: Salesforce (CRM)" is a name);
- ``address``: words addressed to a model — a note to it, a vocative, "if you are a language model",
  a reader that is named as a machine (「この文書を読み込んだ言語モデルへ」, "To the AI reviewer:");
- ``reveal``: asking for the system prompt;
- ``steer``: an order about this workshop's output — cite a made-up source, write a stated baseline,
  add a quoted step to the playbook, switch the output language — given as an order (never a
  description: "The assistant answers in English by default" stays).

Text is normalised first: format characters (zero-width, bidirectional marks) are dropped, widths folded
(NFKC), look-alike Cyrillic and Greek letters mapped to Latin, case folded; lines broken mid-sentence and
letters spaced apart are joined too. :func:`reasons` says which kinds matched (for reports and tests).
"""

from __future__ import annotations

import re
import unicodedata

# Cyrillic and Greek letters that look like Latin ones ("Аssistаnt" with two Cyrillic а).
_CONFUSABLE = str.maketrans(
    "аеорсухіјѕԁһԛԝАВЕКМНОРСТХІЈЅοαινκρτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "aeopcyxijsdhqwABEKMHOPCTXIJSoaivkptyxABEZHIKMNOPTYX"
)
_SPACED_CJK = re.compile(r"(?<=[\u3040-\u30ff\u3400-\u9fff])\s+(?=[\u3040-\u30ff\u3400-\u9fff])")
_SPACED_LATIN = re.compile(r"(?<=\b\w) (?=\w\b)")

# -- vocabulary -----------------------------------------------------------------------------------------
_AI_EN = (
    r"(?:ai|a\.i\.|artificial intelligence|(?:large )?language models?|llms?|ai models?|models?|assistants?|"
    r"chatbots?|bots?|chatgpt|gpt(?:-?\d)?|claude|gemini|copilot|summari[sz]ers?|ai reviewers?|reviewer bots?|"
    r"automated (?:summari[sz]ers?|readers?|systems?|tools?)|machine readers?|"
    r"(?:summari[sz]ing|summary|generating|generation|ai|automated) (?:tools?|systems?|programs?|engines?|software))"
)
_AI_JA = (
    r"(?:生成ai|チャットai|要約ai|ai|人工知能|言語モデル|大規模言語モデル|llm|モデル|アシスタント|チャットボット|ボット|"
    r"gpt|エージェント)"
)
_LANGS_EN = r"(?:french|spanish|german|portuguese|italian|chinese|korean|english|japanese|russian|dutch)"
_LANGS_JA = r"(?:英語|日本語|中国語|フランス語|スペイン語|ドイツ語|韓国語|ポルトガル語|イタリア語)"
_ORDER_JA = r"(?:て(?:ください|下さい|くれ)|てね|こと|ように|せよ|しろ|なさい|べし|よ(?:う)?に)"
_OUTPUTS_EN = (
    r"(?:playbook|procedures?|glossary|roles? section|training plan|weekly review|rollout|steps?|output|"
    r"answers?|summary|kpi table|sources(?: list)?)"
)
_ADDRESSEE_END = (
    r"(?=\s*(?:[:：,.;!?)\]—–-]|$)|\s+(?:reading|processing|summari[sz]ing|parsing|that|who|which|"
    r"here)\b)"
)
_OUTPUTS_JA = r"(?:プレイブック|手順書?|用語集|展開計画|研修計画|ロールアウト|出力|回答|要約|各ステップ|週次レビュー)"

_RULES: dict[str, list[str]] = {
    "template": [
        r"<\|?\s*(?:im_start|im_end|endoftext|system|user|assistant)\s*\|?>",
        r"\[/?inst\]|<<\s*/?sys\s*>>",
        r"(?:^|\n)\s*#{2,}\s*(?:instruction|response|system|input)s?\b",
        r"</?\s*(?:documents?|system|instructions?|pain_points|context|prompt)\s*>",
        r"\{\s*\"role\"\s*:\s*\"(?:system|assistant|user|developer)\"",
        r"\b(?:begin|end)\s+(?:system|hidden)\s+(?:prompt|instructions?|message)",
    ],
    "override": [
        r"\b(?:ignore|disregard|forget|override|bypass|discard)\s+(?:all\s+|any\s+|every\s+|of\s+)*(?:the\s+|your\s+|my\s+|"
        r"these\s+|those\s+)?(?:previous|prior|above|earlier|preceding|foregoing|original|initial|system|existing|other)"
        r"\s+(?:\w+\s+)?(?:instructions?|prompts?|rules|directions|guidance|guidelines|messages?|context|constraints)",
        r"\b(?:ignore|disregard|forget)\s+(?:all\s+|everything\s+|of\s+)*(?:the\s+)?(?:above|foregoing)"
        r"(?=\s*(?:and\b|[.,;:!]|$|instructions|rules|text|content|prompts?))",
        r"\bdo\s+not\s+follow\s+(?:the|your|any)\s+(?:previous\s+|prior\s+|original\s+|system\s+)?(?:rules|instructions|prompt)",
        r"(?:これまで|以前|上記|前記|前述|先ほど|さっき|最初|既存|元|前|他)の(?:すべての|全ての|あらゆる)?(?:指示|命令|プロンプト|"
        r"ルール|設定|制約|指令)(?:は|を|に|も)?(?:すべて|全て|一切)?(?:無視|忘れ|破棄|取り消|上書き)(?:して|て|しろ|せよ|する(?:こと|ように)|"
        r"てください|なさい|ろ)",
        r"(?:これまで|以前|上記|前述|最初)の(?:指示|命令|プロンプト|ルール)(?:に|には)従わ(?:ないで|ずに|なくて)",
        r"以降(?:は|の)(?:次の|以下の)(?:指示|命令)に従",
        r"(?:^|[\s>])(?:new|updated|revised)\s+(?:instructions?|task|rules)\s*:\s*(?:\w+\s+){0,8}?(?:cite|output|answer|"
        r"reply|respond|theme|kpi|baseline|playbook|language|ignore)",
        r"新しい(?:指示|命令)\s*[:：][^。\n]{0,40}(?:テーマ|kpi|引用|出典|出力|回答|ベースライン|プレイブック|無視)",
    ],
    "identity": [
        # the reader told it is someone else now — 「あなたは今から別のアシスタントです」
        rf"あなたは(?:今から|これから|以後|以降|もう)[^。\n]{{0,20}}{_AI_JA}",
        rf"\byou\s+are\s+(?:now|no\s+longer)\s+(?:an?\s+|the\s+)?(?:\w+\s+){{0,2}}?{_AI_EN}{_ADDRESSEE_END}",
        rf"\b(?:act|behave|respond)\s+as\s+(?:an?\s+)?(?:unrestricted\s+|unfiltered\s+|jailbroken\s+)?{_AI_EN}"
        rf"{_ADDRESSEE_END}",
    ],
    "label": [
        r"(?:^|[\s>\[(（【])(?:system|developer)\s*(?:message|prompt|instructions?|note|override|alert|update|notice)s?"
        r"\s*[:：]",
        rf"(?:^|[\s>\[(（【]){_AI_EN}\s+(?:instructions?|notes?|guidance|directives?|rules)\s*[:：]",
        r"(?:システム|開発者)(?:メッセージ|プロンプト|指示|命令)\s*[:：]",
        r"(?:^|[\s(（【\[])(?:システム連絡|ai(?:処理|要約|解析)(?:用|向け)(?:メモ|指示)?)",
    ],
    "reveal": [
        r"(?:system\s*prompt|システムプロンプト|hidden\s+instructions?|隠れた指示|初期(?:指示|プロンプト))\s*(?:を|は)?\s*"
        r"(?:表示|出力|教え|開示|見せ|print|reveal|show|repeat|output|display|disclose)",
        r"\b(?:reveal|print|show|repeat|output|display|disclose|tell\s+me)\s+(?:me\s+)?(?:your|the)\s+(?:system\s+prompt|"
        r"hidden\s+instructions|initial\s+instructions)",
    ],
    "address": [
        # a note, a message, a P.S. to a model
        rf"\b(?:notes?|messages?|memo|reminders?|instructions?|hints?|tips?|requests?|p\.?s\.?|attention|notice|heads-up)"
        rf"\s+(?:to|for)\s+(?:the\s+|any\s+|all\s+|every\s+|an?\s+|whichever\s+)?{_AI_EN}{_ADDRESSEE_END}",
        r"\b(?:whoever|whatever|anyone|anything|the\s+one)\s+(?:generates|writes|summari[sz]es|produces|reads|processes)\s+"
        r"(?:the|this)\s+(?:playbook|summary|output|answer|document|page|file)\s*[:：,]",
        rf"\b(?:dear|hey|hi|hello|attention|ps|p\.s\.)[\s,]+{_AI_EN}\b(?!\s+(?:manager|director|to|of|team)\b)",
        rf"\bto\s+(?:the\s+|any\s+)?{_AI_EN}\s+(?:reading|processing|summari[sz]ing|parsing|seeing)\b",
        rf"\b(?:if|when)\s+(?:you\s+are|you're)\s+(?:an?\s+)?{_AI_EN}\b",
        rf"\b(?:if|when|whenever)\s+(?:an?\s+|the\s+|any\s+)?{_AI_EN}\s+(?:is|are)\s+(?:reading|summari[sz]ing|processing|"
        rf"parsing|compiling|generating|writing)\b",
        rf"\b(?:fyi|note|heads-up|psa)\s+(?:to|for)\s+(?:the\s+|any\s+)?{_AI_EN}\s+(?:compiling|building|generating|writing|"
        rf"reading|processing|summari[sz]ing)\b",
        rf"(?:^|[.!?,]\s*)(?:please|ok|okay)\s*,\s*{_AI_EN}\s*,",
        rf"\b(?:if|when)\s+(?:this|the)\s+(?:text|document|page|file|content)\s+(?:reaches|is\s+read\s+by|is\s+processed\s+by|"
        rf"gets\s+to)\s+(?:an?\s+|any\s+)?{_AI_EN}\b",
        rf"\b(?:when|whenever|if)\s+(?:an?\s+|the\s+|any\s+)?{_AI_EN}\s+(?:reads?|process(?:es)?|summari[sz]es?|parses?|"
        rf"ingests?)\s+(?:this|the\s+following)\b",
        rf"\b{_AI_EN}\s+(?:reading|processing|summari[sz]ing|parsing)\s+(?:this|the\s+following)\s+(?:text|document|page|file|"
        rf"content|slide|sheet|pdf)",
        rf"(?:^|[\s(\[—-]){_AI_EN}\s*[:：,]\s*(?:\w+\s+){{0,3}}?(?:the\s+)?(?:baseline|cites?|answer|reply|respond|write|output|"
        rf"say|record|add|put|use|state|report|every\s+claim)",
        r"(?:^|[\s(\[—-])ai\s+(?:add|cite|put|use|write|answer|respond|record|say|state)\b",
        r"\[(?:reviewer\s+bot|ai(?:\s+\w+)?|bot|assistant|model|llm)\]",
        rf"\bas\s+an?\s+{_AI_EN}\s+(?:reading|processing)\b",
        # ja: a vocative — 「AIへ：」「AIさんへ」「言語モデル各位：」「AI担当へ：」「生成AIの方へ ―」
        rf"{_AI_JA}(?:さん|様|殿|担当|の方|の皆さん)?(?:へ|向け|宛て?)(?:の(?:お願い|依頼|メモ|注意|連絡|指示|伝言))?\s*[:：]",
        rf"(?:^|[\n※【(（「_\s]){_AI_JA}(?:さん|様|殿|担当|の方|の皆さん)?(?:へ|向け|宛て?)(?:の(?:お願い|依頼|メモ|注意|連絡))?"
        rf"(?:[\s、,，―—\-_]|$)",
        rf"{_AI_JA}(?:さん|様)(?:へ|[、,:：])",
        rf"[\[【(（]{_AI_JA}(?:さん|様)?(?:へ|向け|宛て?)の?(?:指示|お願い|依頼|メモ|注意)?[\]】)）]",
        r"(?:要約|回答|出力|生成)(?:時|の際|する際|する時)の(?:注意|お願い|指示|ルール|メモ)\s*[:：]",
        rf"{_AI_JA}各位\s*[:：、]",
        rf"(?:読み手|読者|あなた)が{_AI_JA}(?:の場合|なら|であれば)",
        rf"{_AI_JA}(?:モデル)?が(?:この|本|当)(?:文書|資料|ページ|ファイル|pdf|スライド|表|シート|ドキュメント)を"
        rf"(?:読|処理|要約|解析|参照|取り込)[^\s。、]{{0,6}}(?:場合|とき|時|なら|際)",
        rf"(?:ご担当|担当|要約担当|処理担当)の{_AI_JA}(?:へ|様|さん)",
        r"(?:機械|自動)(?:処理|読み取り|要約|生成)(?:向け|用)",
        # ja: a reader named as a machine — 「この文書を読み込んだ言語モデル」「本PDFを解析するAI」
        rf"(?:この|本|当|以下の|上の)(?:文書|資料|ページ|ファイル|pdf|スライド|表|シート|メモ|テキスト|データ|ドキュメント)を"
        rf"(?:読|処理|要約|解析|参照|取り込|学習|確認)[^\s。、]{{0,8}}{_AI_JA}",
        r"(?:要約|回答|出力)を(?:生成|作成)する(?:仕組み|システム|ツール|プログラム)(?:へ|に|は)",
        # ja: a model told what to write — 「AIは…と書く」「モデルは全項目の出典を…とする」
        rf"{_AI_JA}は[^。\n]{{0,40}}(?:と(?:書|記|す|し|扱)|を(?:追加|加え|挙げ|引用|記載)|で(?:回答|出力|応答|書)|に(?:記載|書))",
    ],
    "steer": [
        # made-up sources forced into every citation
        r"\bcite\s+(?:only\s+)?[a-z]{2,}-?\d{2,}|\b(?:always|only)\s+cite\b|\bevery\s+claim\s+(?:must\s+|should\s+)?cites?\b",
        r"\b(?:sources?|citations?)\s+(?:list\s+)?(?:must|should)\s+(?:start|begin|include|be|list)\b",
        r"\bas\s+the\s+source\s+for\s+(?:every|each|all)\b",
        r"(?:出典|引用元|参照元)(?:として|は|を|には)[^。\n]{0,12}(?:『[^』]+』|「[^」]+」|[a-z]{2,}-?\d{2,})",
        r"(?:すべて|全て|全項目|各項目)の(?:主張|項目|回答|根拠)(?:に|の|には)[^。\n]{0,10}(?:出典|根拠)",
        r"根拠(?:に|と)(?:は)?(?:必ず|常に)|唯一の(?:根拠|出典)",
        # a stated KPI value to be written
        r"\b(?:record|report|state|write|set|treat|use|put)\s+(?:\w+\s+){0,6}?(?:baseline|target|current\s+value)s?\s+"
        r"(?:as|to|at|=)\s*\d",
        r"\b(?:baseline|target)\b[^.\n]{0,40}\b(?:must|should)\s+(?:read|be|say|show)\s*\d",
        r"\buse\s+this\s+(?:figure|number|value)\b",
        rf"\b{_AI_EN}\s+(?:must|should|shall|has\s+to|needs?\s+to)\s+(?:always\s+)?(?:state|say|write|record|report|use|cite|add|"
        rf"put|include|mention|list)\b",
        rf"(?:ベースライン|現状値|現状|目標値)(?:は|を)[^。\n]{{0,24}}(?:と|として)(?:記載|書|記|扱|報告|記録|書き写)[^。\n]{{0,4}}{_ORDER_JA}",
        # a quoted step or line added to what the workshop writes
        rf"\b(?:add|append|insert|include|put)\s+(?:the\s+(?:step|line|sentence|text|rule)\s+)?['\"“‘][^'\"”’]{{3,}}['\"”’]\s+"
        rf"(?:to|in|into|at)\s+(?:the\s+|every\s+|each\s+|your\s+)?(?:\w+\s+)?{_OUTPUTS_EN}",
        rf"\b(?:end|start|begin)\s+(?:every|each)\s+{_OUTPUTS_EN}\s+with\b",
        rf"\b{_OUTPUTS_EN}\s+(?:must|should)\s+(?:include|contain|start\s+with|end\s+with)\s+['\"“‘]",
        rf"{_OUTPUTS_JA}[^。\n]{{0,16}}「[^」]{{3,}}」(?:と|を)(?:必ず)?(?:追加|加え|入れ|記載|書き添え|含め)(?:{_ORDER_JA}|$|して|る)",
        # the output language switched, as an order
        rf"\b(?:answer|reply|respond|write|output|produce|switch|translate)\b[^.\n]{{0,40}}\b(?:in|into|to)\s+{_LANGS_EN}\b"
        rf"(?=[^.\n]*\b(?:only|please|always|must)\b)|\b(?:only|from\s+(?:now|here)\s+on|for\s+the\s+rest)\b[^.\n]{{0,40}}"
        rf"\b(?:in|into|to)\s+{_LANGS_EN}\b|\b(?:entire|whole|all\s+(?:of\s+)?(?:your|the))\s+(?:output|answers?|replies|"
        rf"responses?)\s+in\s+{_LANGS_EN}\b|\b(?:output|answer|response)\s+language\s+to\s+{_LANGS_EN}\b",
        rf"{_LANGS_JA}(?:で|に)(?:回答|出力|応答|返答|書|記述|作成|統一|切り替)[^。\n]{{0,12}}{_ORDER_JA}",
        rf"(?:以後|以降|今後|ここから先)の?(?:回答|出力|応答|返答)[^。\n]{{0,12}}{_LANGS_JA}",
        rf"(?:出力|回答|応答)(?:言語)?を{_LANGS_JA}(?:に|へ)(?:変更|切り替)",
        rf"(?:回答|出力|応答)は(?:すべて|全て|必ず)?{_LANGS_JA}(?:で|に)(?:[^。\n]{{0,10}}{_ORDER_JA}|\s*(?:。|$))",
    ],
}
_COMPILED = {kind: [re.compile(p, re.I | re.M) for p in pats] for kind, pats in _RULES.items()}

# A role label at the start of a line: an injection when what follows is an utterance or an order
_ROLE = re.compile(
    r"(?:^|\n|[。.!?]\s+|[\[【(（;；]\s*|(?<=\w)[:：]\s+)"
    r"(?:system|assistant|ai|model|user|bot|chatbot|gpt|システム|アシスタント|"
    r"モデル|ユーザー|ボット)\s*[:：]\s*(?P<rest>[^\n]*)",
    re.I,
)
_UTTERANCE = re.compile(
    r"\b(?:understood|sure|certainly|of\s+course|i\s+will|i'll|ok(?:ay)?[,.]|from\s+(?:now|here)\s+on|"
    r"baseline|respond|answer\s+in|reply\s+in|cite|output)\b|承知|了解|かしこまり|わかりました|分かりました|"
    r"以後|以降|今後|ベースライン|出力|回答|引用|出典|" + _ORDER_JA,
    re.I,
)


def normalise(text: str) -> str:
    """Format characters out, widths folded, look-alike letters mapped to Latin, case folded."""
    t = "".join(ch for ch in text if unicodedata.category(ch) != "Cf" and not 0xFE00 <= ord(ch) <= 0xFE0F)
    return unicodedata.normalize("NFKC", t).translate(_CONFUSABLE).casefold()


def _variants(text: str) -> list[str]:
    t = normalise(text)
    flat = re.sub(r"\s+", " ", t)
    words = re.sub(r"[-_/]+", " ", flat)  # a file name: "for-ai-answer-in-spanish-only"
    return list(dict.fromkeys([t, flat, _SPACED_CJK.sub("", flat), _SPACED_LATIN.sub("", flat), words]))


def reasons(text: str) -> list[str]:
    """The kinds of instruction-to-a-model found in ``text`` (empty: ordinary text)."""
    found: list[str] = []
    for v in _variants(text):
        for kind, pats in _COMPILED.items():
            if kind not in found and any(p.search(v) for p in pats):
                found.append(kind)
        if "role_line" not in found and any(_UTTERANCE.search(m.group("rest")) for m in _ROLE.finditer(v)):
            found.append("role_line")
    return found


def looks_like_instruction(text: str) -> bool:
    return bool(reasons(text))
