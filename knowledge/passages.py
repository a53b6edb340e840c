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

    def label(self) -> str:
        return f"{self.rel} § {self.heading}" if self.heading else self.rel
