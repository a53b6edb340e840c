"""The 型 library's schema: use-case patterns, the KPI catalogue, business functions and the method's
vocabulary, Japanese and English side by side. Loaded YAML is validated here, so a consultancy's own
file that breaks a rule is refused with the rule it breaks."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# Slots a pattern's steps may use; the use-case stage fills them with the company's own words.
SLOTS = ("who", "when", "input", "output")
_BRACES = re.compile(r"\{([^{}\n]{1,40})\}")
ID = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)?$"


class Strict(BaseModel):
    # A stray comma in a YAML flow mapping makes an extra key: refuse it instead of dropping text.
    model_config = ConfigDict(extra="forbid")


def braces(text: str) -> list[str]:
    return list(dict.fromkeys(m.strip() for m in _BRACES.findall(text)))


class Function(Strict):
    """A business function; ``aliases`` are the department names that map to it."""

    id: str = Field(pattern=ID)
    ja: FunctionText
    en: FunctionText


class FunctionText(Strict):
    name: str = Field(min_length=1)
    aliases: list[str] = Field(min_length=1)


class KPIText(Strict):
    name: str = Field(min_length=2)
    definition: str = Field(min_length=2)
    measure: str = Field(min_length=4)  # how it is measured, from which data
    owner: str = Field(min_length=2)  # the executive title that usually owns it
    unit: str = Field(min_length=1)


class CatalogKPI(Strict):
    id: str = Field(pattern=ID)
    better: Literal["lower", "higher"]
    functions: list[str] = Field(min_length=1)
    max: float | None = None  # the top of the scale when there is one (a 5-point score)
    ja: KPIText | None = None  # both in the shipped catalogue; a company's own KPI may have one
    en: KPIText | None = None
    source: str = "katachi"

    @model_validator(mode="after")
    def _some_text(self) -> CatalogKPI:
        if self.ja is None and self.en is None:
            raise ValueError(f"{self.id}: needs ja or en text")
        return self

    def text(self, lang: str) -> KPIText:
        x = (self.ja if lang == "ja" else self.en) or self.ja or self.en
        assert x is not None  # _some_text: one of them is there
        return x


class AntiExample(Strict):
    """A usage count that looks like a KPI; the linter cites these."""

    ja: str
    en: str


class Risk(Strict):
    risk: str = Field(min_length=2)
    control: str = Field(min_length=2)


class PatternText(Strict):
    title: str = Field(min_length=2, max_length=40)
    step: str = Field(min_length=2)  # the workflow step it changes
    when: str = Field(min_length=2)
    who: str = Field(min_length=2)
    input: str = Field(min_length=2)
    output: str = Field(min_length=2)
    steps: list[str] = Field(min_length=4, max_length=6)
    template: str = Field(min_length=8)
    placeholders: dict[str, str] = Field(default_factory=dict)  # every {name} in the template, explained
    risks: list[Risk] = Field(min_length=1)
    needs: list[str] = Field(min_length=1)  # data, access or a template needed before it works

    @model_validator(mode="after")
    def _placeholders_explained(self) -> PatternText:
        used = {x for x in braces(self.template) if x not in SLOTS}
        if used != set(self.placeholders):
            raise ValueError(
                f"template placeholders {sorted(used)} must equal the explained ones {sorted(self.placeholders)}"
            )
        for s in self.steps:
            unknown = set(braces(s)) - set(SLOTS)
            if unknown:
                raise ValueError(f"step '{s}' uses unknown slots {sorted(unknown)}; allowed: {SLOTS}")
        return self


class Pattern(Strict):
    id: str = Field(pattern=ID)
    function: str
    kpis: list[str] = Field(min_length=1)
    checks: list[int] = Field(default_factory=list)  # 1-based steps that are a person's check point
    # The shipped library has both languages (a test says so); a company's own pattern, written from
    # one workshop, may have only the language it was run in.
    ja: PatternText | None = None
    en: PatternText | None = None
    source: str = "katachi"  # a key of SOURCES.md; a company's own pattern names its origin
    origin: Literal["library", "company", "proven"] = "library"

    @model_validator(mode="after")
    def _aligned(self) -> Pattern:
        texts = [x for x in (self.ja, self.en) if x is not None]
        if not texts:
            raise ValueError(f"{self.id}: needs ja or en text")
        if len({len(x.steps) for x in texts}) > 1:
            raise ValueError(f"{self.id}: ja has {len(texts[0].steps)} steps, en {len(texts[1].steps)}")
        if any(not 1 <= c <= len(texts[0].steps) for c in self.checks):
            raise ValueError(f"{self.id}: check points {self.checks} outside the steps")
        return self

    def text(self, lang: str) -> PatternText:
        """The text in ``lang``, else the one there is."""
        x = (self.ja if lang == "ja" else self.en) or self.ja or self.en
        assert x is not None  # _aligned: one of them is there
        return x


class Term(Strict):
    term: str = Field(min_length=1)
    definition: str = Field(min_length=8)
    used_by: str = Field(min_length=1)


class VocabularyEntry(Strict):
    id: str = Field(pattern=ID)
    ja: Term
    en: Term
    aliases: list[str] = Field(default_factory=list)


class ReviewText(Strict):
    cadence: str
    inputs: list[str] = Field(min_length=1)
    agenda: list[str] = Field(min_length=2)
    rules: list[str] = Field(min_length=1)
    exec_ai_hour: str
    attendee_head: str  # "{department}の部門長"


class SessionText(Strict):
    session: str
    audience: str
    teaches: str
    format: str


class TrainingTemplate(Strict):
    id: str = Field(pattern=ID)
    ja: SessionText
    en: SessionText


class ReviewTemplate(Strict):
    ja: ReviewText
    en: ReviewText


class MethodFile(Strict):
    """The method's weekly review and training plan, filled by code with a workshop's KPIs and 型."""

    weekly_review: ReviewTemplate
    training: list[TrainingTemplate] = Field(min_length=1)


class KPIFile(Strict):
    kpis: list[CatalogKPI]
    anti_examples: list[AntiExample] = Field(default_factory=list)


class PatternFile(Strict):
    patterns: list[Pattern]

    @field_validator("patterns")
    @classmethod
    def _unique(cls, v: list[Pattern]) -> list[Pattern]:
        ids = [p.id for p in v]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"duplicate pattern ids {sorted(dup)}")
        return v


Function.model_rebuild()
