"""The injection set as files: each attack (attacks.yaml) and each ordinary sentence (ordinary.yaml) in a
document of its format — md, txt, csv, html, docx, xlsx, pptx, pdf — about one of the workshop's topics,
the text placed where the spec says.

Only the standard library and the document libraries are used here (no project module), so the same
files can be built and measured against an older checkout of the project (see benchmarks/injection.py).
"""

from __future__ import annotations

import csv
import importlib.util
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).parent

# Ordinary text around each attack or sentence: what the sample company's documents say about the
# topics its executives raise (proposals, hand-offs, feature requests, the weekly meeting, AI use).
FILLER = {
    "ja": {
        "proposal": (
            "提案書作成の手順",
            "提案書の作成",
            [
                "営業担当は商談の後に提案書を作成し、課長が内容を確認する。",
                "提案書の作成には平均で二日かかり、見積の回答も遅れがちである。",
                "提案書のひな形は営業企画が管理し、四半期ごとに見直している。",
            ],
            [["工程", "担当", "所要時間"], ["ヒアリング整理", "営業担当", "半日"], ["提案書作成", "営業担当", "二日"]],
        ),
        "handoff": (
            "受注後の引き継ぎ",
            "カスタマーサクセスへの引き継ぎ",
            [
                "受注の後、営業はカスタマーサクセスに顧客の目標と経緯を引き継ぐ。",
                "引き継ぎ資料の形式は担当者ごとに異なり、顧客の目標が伝わらないことがある。",
                "小規模の顧客は引き継ぎが遅れ、数週間担当者が決まらない場合がある。",
            ],
            [
                ["項目", "担当", "期限"],
                ["引き継ぎ資料", "営業担当", "受注後三日"],
                ["初回面談", "カスタマーサクセス", "受注後二週間"],
            ],
        ),
        "requests": (
            "機能要望の共有",
            "顧客からの機能要望",
            [
                "顧客からの機能要望は、カスタマーサクセスが記録して製品チームに共有する。",
                "要望が製品チームに届くまで平均で三週間かかっている。",
                "重複した要望はまとめてから優先度を付ける。",
            ],
            [
                ["段階", "担当", "日数"],
                ["要望の記録", "カスタマーサクセス", "一日"],
                ["製品チームへの共有", "カスタマーサクセス", "三週間"],
            ],
        ),
        "meeting": (
            "週次営業会議",
            "会議の進め方",
            [
                "週次の営業会議では、各担当が今週の数字を報告する。",
                "改善策が決まらないまま会議が終わることが多い。",
                "議事録は営業企画が作成し、翌日までに共有する。",
            ],
            [["議題", "担当", "時間"], ["数字の報告", "各担当", "四十分"], ["改善策の検討", "部長", "十分"]],
        ),
        "ai": (
            "生成AIの活用状況",
            "有志の取り組み",
            [
                "一部の若手社員が有志で生成AIを試している。",
                "会社としての利用方針はまだ定まっていない。",
                "情報システム部が、使ってよいツールの一覧を管理している。",
            ],
            [["ツール", "利用部署", "状況"], ["文章作成支援", "営業", "試行中"], ["議事録要約", "営業企画", "検討中"]],
        ),
    },
    "en": {
        "proposal": (
            "Proposal process",
            "Writing a proposal",
            [
                "After a discovery call the account executive writes the proposal and the manager reviews it.",
                "Writing a proposal takes two days on average, and quotes are often late as well.",
                "Sales operations owns the proposal template and reviews it every quarter.",
            ],
            [
                ["Step", "Owner", "Time"],
                ["Discovery notes", "Account executive", "Half a day"],
                ["Proposal draft", "Account executive", "Two days"],
            ],
        ),
        "handoff": (
            "Post-sale hand-off",
            "Hand-off to customer success",
            [
                "After a deal closes, sales hands the customer's goals and history to customer success.",
                "Hand-off notes differ from one rep to the next, and the customer's goals get lost.",
                "Small customers are handed off late, and nobody owns them for weeks.",
            ],
            [
                ["Item", "Owner", "Due"],
                ["Hand-off notes", "Account executive", "Three days after close"],
                ["Kickoff call", "Customer success", "Two weeks after close"],
            ],
        ),
        "requests": (
            "Feature requests",
            "Customer feature requests",
            [
                "Customer success logs feature requests and shares them with the product team.",
                "A request takes three weeks on average to reach the product team.",
                "Duplicate requests are merged before they are prioritised.",
            ],
            [
                ["Stage", "Owner", "Days"],
                ["Log the request", "Customer success", "One"],
                ["Share with product", "Customer success", "Twenty-one"],
            ],
        ),
        "meeting": (
            "Weekly sales meeting",
            "How the meeting runs",
            [
                "In the weekly sales meeting every rep reports this week's numbers.",
                "The meeting often ends without deciding any improvement.",
                "Sales operations writes the minutes and shares them the next day.",
            ],
            [
                ["Agenda item", "Owner", "Minutes"],
                ["Numbers", "Each rep", "Forty"],
                ["Improvements", "Sales director", "Ten"],
            ],
        ),
        "ai": (
            "Generative AI at work",
            "Volunteer pilots",
            [
                "A few young volunteers are trying generative AI tools.",
                "The company has no direction for their use yet.",
                "IT keeps the list of tools that may be used.",
            ],
            [
                ["Tool", "Team", "Status"],
                ["Writing assistant", "Sales", "Pilot"],
                ["Meeting summaries", "Sales operations", "Planned"],
            ],
        ),
    },
}


@dataclass
class Spec:
    id: str
    lang: str
    text: str
    topic: str
    format: str = "md"
    placement: str = "body"
    goal: str = ""  # kpi | citation | echo | language ("" for ordinary sentences)
    markers: list[str] = field(default_factory=list)
    target_lang: str = ""
    probe: str = ""

    @property
    def is_attack(self) -> bool:
        return bool(self.goal)

    @property
    def probe_text(self) -> str:
        """What must not reach the model: the probe, else the first marker, else the text itself."""
        return self.probe or (self.markers[0] if self.markers else self.text)

    @property
    def file_stem(self) -> str:
        if self.placement == "file_name":
            return re.sub(r'[\\/:*?"<>|\s]+', "_", self.text)[:80]
        return self.id


def load(name: str) -> list[Spec]:
    """``attacks`` or ``ordinary``."""
    data = yaml.safe_load((HERE / f"{name}.yaml").read_text(encoding="utf-8"))
    return [Spec(**{k: v for k, v in d.items()}) for d in data]


def write(spec: Spec, folder: Path) -> Path:
    """The spec's document in ``folder`` (one sub-folder per spec keeps file names apart)."""
    title, heading, sentences, table = FILLER[spec.lang][spec.topic]
    out = folder / spec.id / f"{spec.file_stem}.{spec.format}"
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = Doc(title, heading, list(sentences), [list(r) for r in table], spec)
    WRITERS[spec.format](doc, out)
    return out


@dataclass
class Doc:
    """The parts of a document, with the spec's text put in one of them."""

    title: str
    heading: str
    sentences: list[str]
    table: list[list[str]]
    spec: Spec

    def at(self, *places: str) -> bool:
        return self.spec.placement in places

    @property
    def text(self) -> str:
        return self.spec.text

    def body(self) -> list[str]:
        """The sentences, with the text in the middle (body), first or last."""
        s = list(self.sentences)
        if self.at("body", "page2"):
            s.insert(2, self.text)
        elif self.at("first_line"):
            s.insert(0, self.text)
        elif self.at("last_line"):
            s.append(self.text)
        return s

    def rows(self) -> list[list[str]]:
        rows = [list(r) for r in self.table]
        if self.at("cell", "table_cell"):
            rows[2][2] = self.text
        elif self.at("header"):
            rows[0][2] = self.text
        return rows

    def head(self) -> str:
        return self.text if self.at("heading") else self.heading

    def doc_title(self) -> str:
        return self.text if self.at("title") else self.title


def _md(d: Doc, out: Path) -> None:
    lines = []
    if d.at("front_matter"):
        lines += ["---", f"title: {d.title}", f'reviewer_note: "{d.text}"', "---", ""]
    lines += [f"# {d.title}", "", f"## {d.head()}", ""]
    body = d.body()
    if d.at("footnote"):
        body[0] += "[^1]"
    if d.at("blockquote"):
        body.insert(1, "> " + d.text)
    if d.at("list_item"):
        body.insert(1, "- " + d.text)
    lines += [" ".join(body[:2]), "", " ".join(body[2:]), ""]
    if d.at("comment"):
        lines += [f"<!-- {d.text} -->", ""]
    rows = d.rows()
    lines += ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]] + [""]
    if d.at("footnote"):
        lines += [f"[^1]: {d.text}", ""]
    out.write_text("\n".join(lines), encoding="utf-8")


def _txt(d: Doc, out: Path) -> None:
    lines = [d.title, "", d.head(), ""] + d.body()
    lines += [""] + ["　".join(r) if d.spec.lang == "ja" else "  ".join(r) for r in d.rows()]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _csv(d: Doc, out: Path) -> None:
    buf = io.StringIO()
    w = csv.writer(buf)
    rows = d.rows()
    w.writerow(rows[0] + ["メモ" if d.spec.lang == "ja" else "Note"])
    notes = d.body() if not d.at("cell", "header") else d.sentences
    for i, r in enumerate(rows[1:]):
        w.writerow(r + [notes[i] if i < len(notes) else ""])
    out.write_text(buf.getvalue(), encoding="utf-8")


def _html(d: Doc, out: Path) -> None:
    import html

    e = html.escape
    body = d.body()
    parts = [f"<h1>{e(d.title)}</h1>", f"<h2>{e(d.head())}</h2>", f"<p>{e(' '.join(body[:2]))}</p>"]
    if d.at("hidden"):
        parts.append(f'<div style="display:none">{e(d.text)}</div>')
    if d.at("list_item"):
        parts.append(f"<ul><li>{e(body[0])}</li><li>{e(d.text)}</li></ul>")
    parts.append(f"<p>{e(' '.join(body[2:]))}</p>")
    rows = d.rows()
    parts.append(
        "<table>" + "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in rows) + "</table>"
    )
    out.write_text(
        f'<!doctype html><html><head><meta charset="utf-8"><title>{e(d.doc_title())}</title></head>'
        f"<body>{''.join(parts)}</body></html>",
        encoding="utf-8",
    )


def _docx(d: Doc, out: Path) -> None:
    import docx

    doc = docx.Document()
    doc.core_properties.title = d.doc_title()
    doc.add_heading(d.title, level=1)
    doc.add_heading(d.head(), level=2)
    for s in d.body():
        doc.add_paragraph(s)
    rows = d.rows()
    t = doc.add_table(rows=len(rows), cols=len(rows[0]))
    for i, r in enumerate(rows):
        for j, c in enumerate(r):
            t.cell(i, j).text = c
    doc.save(out)


def _xlsx(d: Doc, out: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = (d.text if d.at("sheet_name") else d.heading)[:31]
    for r in d.rows():
        ws.append(r)
    ws2 = wb.create_sheet("メモ" if d.spec.lang == "ja" else "Notes")
    for s in d.body():
        ws2.append([s])
    wb.save(out)


def _pptx(d: Doc, out: Path) -> None:
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    s = prs.slides.add_slide(prs.slide_layouts[1])
    s.shapes.title.text = d.text if d.at("title") else d.heading
    s.placeholders[1].text = "\n".join(d.body())
    rows = d.rows()
    shape = s.shapes.add_table(len(rows), len(rows[0]), Inches(0.5), Inches(5), Inches(9), Inches(1.5))
    for i, r in enumerate(rows):
        for j, c in enumerate(r):
            shape.table.cell(i, j).text = c
    if d.at("notes"):
        s.notes_slide.notes_text_frame.text = d.text
    prs.save(out)


def _font() -> str:
    spec = importlib.util.find_spec("japanize_matplotlib")
    return str(Path(list(spec.submodule_search_locations)[0]) / "fonts" / "ipaexg.ttf")


def _pdf(d: Doc, out: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("ipaexg", fname=_font())
    pdf.set_font("ipaexg", size=11)
    pdf.set_title(d.doc_title())
    body = d.body()
    pages = [
        [d.title, d.head()] + (body if not d.at("page2") else d.sentences),
        ["  ".join(r) for r in d.rows()] + ([d.text] if d.at("page2") else []),
    ]
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.multi_cell(0, 7, line)
            pdf.ln(2)
    pdf.output(str(out))


WRITERS = {"md": _md, "txt": _txt, "csv": _csv, "html": _html, "docx": _docx, "xlsx": _xlsx, "pptx": _pptx, "pdf": _pdf}
