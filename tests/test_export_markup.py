"""Exports escape: markup in any data — pain points, department names, theme edits, endorsement reasons,
document headings and quotes, check-in notes — is shown as text in every Markdown export, and a
CommonMark renderer finds no tag it did not make itself."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from katachi.core.settings import get_settings
from katachi.graphs.service import WorkshopService
from tests.fakes import FakeChatModel
from tests.flow import auto, walk
from tests.workshop_fakes import ListRetriever, WorkshopResponder

ATTACKS = [
    '<img src=x onerror="alert(1)">',
    "<IMG SRC=x ONERROR=alert(2)>",
    "<script>alert(3)</script>",
    "<svg/onload=alert(4)>",
    "\\<a href=javascript:alert(5)>x</a>",
    "<!-- c --><iframe src=//x>",
]
# what a CommonMark renderer makes by itself from Markdown
RENDERER_TAGS = {
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "code",
    "pre",
    "a",
    "br",
    "hr",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "input",
    "del",
    "s",
    "img",
}


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def live_tags(markdown: str) -> list:
    """Tags in the rendered HTML that the renderer did not make from Markdown, or that carry a handler
    or a script address (raw HTML is allowed in the CommonMark preset, as on wikis and Git hosts)."""
    from markdown_it import MarkdownIt

    parser = Tags()
    parser.feed(MarkdownIt("commonmark").enable("table").render(markdown))
    bad = []
    for tag, attrs in parser.tags:
        handlers = [k for k, _ in attrs if k.startswith("on")]
        scripts = [v for _, v in attrs if v and "javascript:" in v.lower()]
        if tag not in RENDERER_TAGS or handlers or scripts or tag == "img":
            bad.append((tag, attrs))
    return bad


def test_the_check_finds_live_tags():
    """The checker itself: raw tags, any case, are found."""
    assert live_tags("text <IMG SRC=x ONERROR=alert(1)>") and live_tags("<script>x</script>")
    assert not live_tags("# 見出し\n\n- **太字** と `code`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")


def _mark_strings(node, payload: str, skip: frozenset):
    """Every text in ``node`` with ``payload`` added (ids, enums and keys the graph reads are left)."""
    if isinstance(node, dict):
        return {k: (v if k in skip else _mark_strings(v, payload, skip)) for k, v in node.items()}
    if isinstance(node, list):
        return [_mark_strings(v, payload, skip) for v in node]
    if isinstance(node, str) and node.strip():
        return f"{node} {payload}"
    return node


SKIP = frozenset(
    {
        "id",
        "chunk_id",
        "lang",
        "kind",
        "gate",
        "action",
        "status",
        "severity",
        "rule",
        "stage",
        "thread_id",
        "today",
        "at",
        "deadline",
        "direction",
        "catalog_id",
        "pattern",
        "source_kind",
        "function",
        "n",
        "kpi",
        "kpis_moved",
        "origin",
        "company",
        "section",
        "sections",
        "part",
        "support",
        "basis",
        "baseline_source",
        "target_basis",
        "mode",
        "unit_kind",
        "better",
    }
)


@pytest.fixture
def finished(tmp_path):
    docs = [
        "提案書の作成には平均で二日かかっている。<img src=x onerror=alert(9)>見積は課長が確認する。",
        "受注後は営業からカスタマーサクセスへ顧客の目標を引き継ぐ。引き継ぎの基準は文書化されていない。",
    ]
    retr = ListRetriever("acme", docs)
    retr.passages[0] = retr.passages[0].model_copy(update={"heading": "<SCRIPT>alert(8)</SCRIPT> 提案書"})
    model = FakeChatModel(responder=WorkshopResponder())
    svc = WorkshopService(
        get_settings(), model_for=lambda r: model, retriever_for=lambda c: retr, db_path=tmp_path / "w.sqlite"
    )
    points = [
        "提案書の作成に2日かかる <img src=x onerror=alert(1)>",
        "引き継ぎで顧客情報が失われる <IMG SRC=x ONERROR=y>",
    ]
    snap = svc.start(
        "acme",
        points,
        ["営業 <svg onload=alert(2)>", "カスタマーサクセス"],
        lang="ja",
        thread_id="t1",
        today="2026-10-05",
    )
    snap = walk(svc, "t1", snap, decide=lambda gate: {**auto(gate), "reason": "<iframe src=//evil> 理由"})
    yield svc, snap.values
    svc.close()


def test_every_markdown_export_shows_markup_in_data_as_text(finished, tmp_path):
    from katachi.exports.exports import export
    from katachi.exports.outputs import render_markdown, write_outputs

    _, values = finished
    for n, payload in enumerate(ATTACKS):
        marked = _mark_strings(values, payload, SKIP)
        audit = [{"at": "2026-10-06T09:00:00", "by": "kon " + payload, "what": "review: comment", "detail": payload}]
        md_file, _ = write_outputs(marked, tmp_path / f"out{n}")
        for md in (
            render_markdown(marked),
            md_file.read_text(encoding="utf-8"),
            export(marked, "md", audit=audit).decode("utf-8"),
        ):
            assert payload.split()[0].lstrip("\\") in md.replace("\\", "")  # still readable as text
            assert live_tags(md) == [], (payload, live_tags(md)[:3])


def test_a_prompt_template_cannot_close_its_fence(finished):
    from katachi.exports.outputs import render_markdown

    _, values = finished
    proc = values["playbook"]["procedures"][0]
    proc["prompt_template"] = "顧客名: {顧客名}\n```\n<img src=x onerror=alert(1)>\n```"
    md = render_markdown(values)
    assert live_tags(md) == [] and "<img src=x onerror=alert(1)>" in md  # verbatim, inside the fence


def test_the_weekly_pack_shows_markup_in_check_ins_as_text():
    from katachi.tracker.pack import pack_markdown

    payload = "<img src=x onerror=alert(1)>"
    pack = {
        "lang": "ja",
        "title": "営業 " + payload,
        "week": "2026-11-23",
        "kpis": ["K1 " + payload],
        "stuck": ["U1 " + payload],
        "hypotheses": [
            {
                "text": "仮説 " + payload,
                "citations": [
                    {"chunk_id": "c1", "rel": "docs/a.md", "heading": "<SCRIPT>x</SCRIPT>", "quote": "引用 " + payload}
                ],
            }
        ],
        "decisions": ["決定 " + payload],
        "exec_prompts": ["問い " + payload],
        "findings": [],
    }
    md = pack_markdown(pack)
    assert live_tags(md) == [] and "onerror" in md


def test_the_evidence_filter_ignores_case():
    """`<IMG …>` passed the markup check (`<[a-z/!]`) and was offered, then cited."""
    from katachi.agents.grounding import build_evidence, is_prose
    from katachi.knowledge.passages import Passage

    for s in (
        "<IMG SRC=x ONERROR=alert(1)> 提案書の作成には平均で二日かかっている。",
        "<Script>alert(1)</Script> 提案書の作成には平均で二日かかっている。",
        "提案書の作成には平均で二日かかっている <!-- x --> ものとする。",
    ):
        assert not is_prose(s)
    p = Passage(
        chunk_id="c1",
        company="acme",
        source="/d/a.md",
        rel="d/a.md",
        heading="提案書",
        text="<IMG SRC=x ONERROR=alert(1)> 提案書の作成に二日かかる。見積の回答には平均で五日かかっている。",
    )
    offered = [s for _, s in build_evidence([p], "提案書 見積").sentences.values()]
    assert offered and not any("IMG" in s for s in offered)
