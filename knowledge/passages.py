"""What retrieval returns and what a stage may cite."""

from __future__ import annotations

from pydantic import BaseModel


class Passage(BaseModel):
    chunk_id: str
    company: str
    source: str  # absolute path of the file the chunk came from
    rel: str  # path shown to people: relative to the folder that was ingested
    heading: str = ""
    position: int = 0
    text: str
    score: float = 0.0
    department: str = ""
    page: int | None = None  # PDF page
    sheet: str = ""  # spreadsheet sheet
    slide: int | None = None  # slide number
    injection: bool = False  # the text reads like an instruction to a model: data, never obeyed

    def label(self) -> str:
        where = self.rel
        if self.page:
            where += f" p.{self.page}"
        if self.sheet:
            where += f" [{self.sheet}]"
        if self.slide:
            where += f" slide {self.slide}"
        return f"{where} § {self.heading}" if self.heading else where
