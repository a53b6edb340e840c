"""Citations by construction, checked in code.

The sentences of the passages given to a call are numbered (``S1``, ``S2``…) and the model may only
answer with those ids (a JSON-schema enum). Code maps ids back to ``{chunk_id, quote}``, and
:func:`check_citation` verifies every citation against the passages that call was given: the chunk
id must be among them and the quote must appear verbatim in the chunk (whitespace normalised).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from katachi.agents.schemas import Citation
from katachi.knowledge.chunker import split_sentences
from katachi.knowledge.passages import Passage

_WS = re.compile(r"\s+")
# Any case: `<IMG …>` is markup too, never a quote to cite.
_MARKUP = re.compile(r"\||\{\{|<[a-z/!]|-->|^\s*[-*]\s*$|^\s*#{1,6}\s|^\s*---\s*$|^\s*```", re.I)
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_URL = re.compile(r"https?://\S+")
_FRONT_MATTER = re.compile(r"^\s*[A-Za-z_][\w-]*:\s")  # `title: …`, `owner: …`
_LETTERS = re.compile(r"[A-Za-z\u3040-\u30ff\u3400-\u9fff]")
_BULLET = re.compile(r"^\s*(?:[-*+・•]|\d+[.)])\s*")
_FORMAT = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufe00-\ufe0f]")


def is_prose(sentence: str) -> bool:
    """A sentence a reviewer would accept as a quote: real text, not markup. Refused: HTML and its
    comments, front matter, headings alone, table rows and rules, code fences, a bullet that is only a
    link, and anything with fewer than 12 letters once links and URLs are taken out."""
    s = sentence.strip()
    if not s or _MARKUP.search(s) or _FRONT_MATTER.match(s):
        return False
    body = _BULLET.sub("", _URL.sub("", _LINK.sub(r"\1", s)))
    if _LINK.fullmatch(_BULLET.sub("", s).strip()):  # `* [Ordering calendar](https://…)`
        return False
    return len(_LETTERS.findall(body)) >= 12


def readable(sentence: str) -> str:
    """What the model reads: Markdown links reduced to their text, format characters (zero-width,
    bidirectional marks) dropped so nothing hides between letters. The quote kept is still verbatim."""
    return norm_ws(_FORMAT.sub("", _LINK.sub(r"\1", sentence).replace("**", "")))


MAX_SENTENCE = 240
MIN_SENTENCE = 12


def norm_ws(text: str) -> str:
    return _WS.sub(" ", text).strip()


@dataclass
class Evidence:
    """The numbered sentences offered to one call."""

    passages: dict[str, Passage] = field(default_factory=dict)
    sentences: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (chunk_id, verbatim sentence)
    withheld: list[Passage] = field(default_factory=list)  # passages with text that talks to the model

    @property
    def ids(self) -> list[str]:
        return list(self.sentences)

    def prompt_block(self) -> str:
        """The fenced documents block: data to cite, never instructions."""
        if not self.sentences:
            return "<documents>\n(none)\n</documents>"
        from katachi.agents.prompts import fence

        lines = []
        for sid, (cid, sent) in self.sentences.items():
            p = self.passages[cid]
            lines.append(
                fence(f"[{sid}] ({p.rel.rsplit('/', 1)[-1]} § {p.heading.rsplit(' > ', 1)[-1]}) {readable(sent)}")
            )
        return "<documents>\n" + "\n".join(lines) + "\n</documents>"

    def citations(self, ids: list[str], limit: int = 3) -> list[Citation]:
        out: list[Citation] = []
        for sid in dict.fromkeys(ids):
            if sid not in self.sentences:
                continue
            cid, sent = self.sentences[sid]
            p = self.passages[cid]
            out.append(Citation(chunk_id=cid, quote=sent, source=p.source, rel=p.rel, heading=p.heading))
            if len(out) >= limit:
                break
        return out

    def unknown(self, ids: list[str]) -> list[str]:
        return [i for i in ids if i not in self.sentences]


def _bigrams(text: str) -> set[str]:
    t = "".join(norm_ws(text).lower().split())
    return {t[i : i + 2] for i in range(len(t) - 1)}


def build_evidence(passages: list[Passage], query: str, max_sentences: int = 6, prefix: str = "S") -> Evidence:
    """Pick the sentences most related to ``query`` (shared character bigrams, then passage rank)."""
    ev = Evidence()
    q = _bigrams(query)
    scored: list[tuple[float, int, int, str, str]] = []
    from katachi.knowledge.injection import looks_like_instruction

    for rank, p in enumerate(passages):
        # A passage whose heading, file name or text talks to the model is offered not at all (the reviewer
        # is told, see evidence_for): an order is often split from its address over two sentences
        # (「アシスタント：承知しました。」 then the value to write), so no sentence of it is safe.
        if any(looks_like_instruction(x) for x in (p.heading, p.rel, p.text)):
            ev.withheld.append(p)
            continue
        for k, (a, b) in enumerate(split_sentences(p.text)):
            sent = p.text[a:b]
            if not (MIN_SENTENCE <= len(readable(sent)) and len(sent) <= MAX_SENTENCE) or not is_prose(sent):
                continue
            overlap = len(q & _bigrams(readable(sent))) / (len(q) ** 0.5 + 1)
            scored.append((-(overlap + 1.0 / (rank + 1)), rank, k, p.chunk_id, sent))
    scored.sort()
    chosen = sorted(scored[:max_sentences], key=lambda s: (s[1], s[2]))
    for n, (_, _, _, cid, sent) in enumerate(chosen, 1):
        ev.sentences[f"{prefix}{n}"] = (cid, sent)
        ev.passages[cid] = next(p for p in passages if p.chunk_id == cid)
    return ev


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_STOP_BIGRAMS = {
    "する",
    "して",
    "した",
    "ます",
    "です",
    "こと",
    "ある",
    "いる",
    "ない",
    "れる",
    "られ",
    "った",
    "ため",
    "よう",
    "など",
    "おり",
    "から",
    "まで",
    "では",
    "には",
    "とし",
    "the",
    "and",
    "ing",
    "ion",
}


def relevant(claim: str, quote: str) -> bool:
    """Does the quoted sentence share content with the claim? A small model sometimes cites any id it
    was offered. Same-script pairs need two shared content bigrams; a Japanese claim citing an
    English sentence (or the reverse) cannot be judged this way and is kept."""
    if bool(_CJK.search(claim)) != bool(_CJK.search(quote)):
        return True
    shared = (_bigrams(claim) & _bigrams(readable(quote))) - _STOP_BIGRAMS
    shared = {b for b in shared if not all(ch in "をにがはのへとでやもかな、。・ " for ch in b)}
    return len(shared) >= 2


_WORD = re.compile(r"[a-z][a-z'-]{3,}")
_STOP_WORDS = {
    "with",
    "that",
    "this",
    "from",
    "into",
    "have",
    "what",
    "when",
    "every",
    "more",
    "less",
    "than",
    "them",
    "their",
    "they",
    "want",
    "make",
    "give",
    "takes",
    "take",
    "about",
    "over",
    "after",
    "before",
    "there",
    # how long and how often say nothing of the subject: "at-risk for 4+ weeks" is no reason why
    # onboarding "needs 8 weeks" matters now
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
    "days",
    "hours",
    "minutes",
    "time",
    "times",
    "daily",
    "weekly",
    "monthly",
    "yearly",
    "each",
}


def same_subject(text: str, said: str) -> bool:
    """Is ``text`` about what ``said`` is about? Japanese: shared content bigrams (as :func:`relevant`);
    English: a shared content word (first five letters, so 'proposal' meets 'proposals')."""
    if _CJK.search(text) or _CJK.search(said):
        return relevant(text, said)
    words = {w[:5] for w in _WORD.findall(text.lower()) if w not in _STOP_WORDS}
    return bool(words & {w[:5] for w in _WORD.findall(said.lower()) if w not in _STOP_WORDS})


def check_citation(c: Citation, offered: dict[str, Passage]) -> str | None:
    """None when valid, else the reason (named to the model on retry)."""
    p = offered.get(c.chunk_id)
    if p is None:
        return f"chunk {c.chunk_id} was not among the passages given"
    if not c.quote.strip() or norm_ws(c.quote) not in norm_ws(p.text):
        return f"quote not found verbatim in chunk {c.chunk_id}"
    return None


def keep_valid(citations: list[Citation], offered: dict[str, Passage]) -> tuple[list[Citation], int]:
    """Drop invalid citations; return the survivors and how many were dropped."""
    good = [c for c in citations if check_citation(c, offered) is None]
    return good, len(citations) - len(good)
