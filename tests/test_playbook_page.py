"""The playbook as a web page: contents, footnote links to a numbered source list, escaped content."""

from __future__ import annotations

from katachi.exports.blocks import Block
from katachi.exports.html import blocks_to_html


def test_the_page_has_contents_linked_footnotes_and_escapes_what_it_shows():
    blocks = [
        Block("title", text="型プレイブック: 見積回答の短縮"),
        Block("h1", text="テーマ", refs=[1]),
        Block("field", label="経営課題", text="見積回答に平均5営業日[^1] <script>x</script>"),
        Block("table", headers=["ID", "指標"], rows=[["K1", "見積回答日数[^2]"]]),
        Block("h2", text="手順"),
        Block("code", text="次の見積依頼を読み、{顧客名} 向けに…" * 10),
        Block(
            "sources",
            notes=[
                {"rel": "docs/a.md", "heading": "見積", "quote": "平均5営業日かかる", "chunk_id": "c1"},
                {"rel": "docs/b.md", "heading": "KPI", "quote": "回答日数を測る", "chunk_id": "c2"},
            ],
        ),
    ]
    page = blocks_to_html(blocks, contents="目次", sources="出典")
    assert '<nav class="k-toc"><b>目次</b>' in page and 'href="#k-sec-1"' in page and 'href="#k-sources"' in page
    assert "[^" not in page  # no raw footnote marks, in headings or tables
    assert '<a href="#k-src-2">2</a>' in page and 'id="k-src-2"' in page and "回答日数を測る" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert '<pre class="k-template">' in page
    titled = blocks_to_html([Block("h1", text="出典"), blocks[-1]], contents="目次", sources="出典")
    assert titled.count(">出典<") == 2  # the heading and its contents entry, not a second heading
