import re

from katachi.knowledge.chunker import chunk_text, split_sentences

JA_SENTENCES = [
    "営業部では提案書の作成に平均して二日かかっており、見積もりの回答も遅れがちである。",
    "顧客からの問い合わせは月に約三百件あり、その半数が製品仕様に関するものだ。",
    "マーケティング部は展示会で得たリードを営業部へ引き渡しているが、引き渡しの基準が明文化されていない！",
    "経営会議では毎週の売上速報を確認しているが、施策の効果検証は行われていないのではないか？",
    "カスタマーサポートの一次回答時間は平均で四時間である。",
]


def _doc(n_paragraphs=6):
    body = "\n\n".join("".join(JA_SENTENCES) for _ in range(n_paragraphs))
    return f"# 業務の現状\n\n{body}\n\n## 営業\n\n" + "".join(JA_SENTENCES[:2]) + "\n"


def test_japanese_chunks_end_on_sentence_boundaries():
    chunks = chunk_text(_doc(), max_chars=500, min_chars=300, overlap=60)
    assert len(chunks) > 3
    for c in chunks:
        assert c.text[-1] in "。！？", c.text[-20:]
        # every chunk starts at a sentence start: it begins with one of the known sentences
        assert any(c.text.startswith(s[:10]) for s in JA_SENTENCES)
        assert len(c.text) <= 500 + 60


def test_chunk_sizes_and_overlap_are_whole_sentences():
    chunks = [c for c in chunk_text(_doc(), max_chars=400, min_chars=300, overlap=80) if c.heading == "業務の現状"]
    assert all(len(c.text) >= 200 for c in chunks[:-1])
    overlaps = 0
    for a, b in zip(chunks, chunks[1:]):
        sents_b = [x for x in re.split(r"(?<=[。！？])", b.text) if x]
        shared = [n for n in range(1, len(sents_b)) if a.text.endswith("".join(sents_b[:n]))]
        if shared:
            overlaps += 1
            assert len("".join(sents_b[: min(shared)])) <= 80
    assert overlaps >= 1


def test_headings_are_never_crossed_and_paths_are_kept():
    text = "---\ntitle: 手引き\n---\n# 概要\n本文一。\n## 営業\n営業の本文。\n### 見積もり\n見積もりの本文。\n## 人事\n人事の本文。\n"
    chunks = chunk_text(text)
    assert [c.heading for c in chunks] == [
        "手引き > 概要",
        "手引き > 概要 > 営業",
        "手引き > 概要 > 営業 > 見積もり",
        "手引き > 概要 > 人事",
    ]
    assert [c.text for c in chunks] == ["本文一。", "営業の本文。", "見積もりの本文。", "人事の本文。"]
    # offsets point into the original text, so quotes can be located in the file
    for c in chunks:
        assert text[c.start : c.start + len(c.text)] == c.text


def test_only_an_overlong_sentence_is_cut_inside():
    long_sentence = "あ" * 1200 + "。"
    text = "短い文です。" + long_sentence + "最後の文です。"
    chunks = chunk_text(text, max_chars=500, min_chars=300, overlap=0, markdown=False)
    assert "".join(c.text for c in chunks) == text
    assert max(len(c.text) for c in chunks) <= 500
    assert chunks[0].text == "短い文です。"


def test_headings_inside_code_fences_are_text():
    text = "# A\n```\n# not a heading\n```\nafter.\n"
    chunks = chunk_text(text)
    assert {c.heading for c in chunks} == {"A"}


def test_sentence_split_handles_english_and_brackets():
    text = "First sentence. Second one! 「引用です。」次の文。"
    spans = [text[a:b] for a, b in split_sentences(text)]
    assert spans == ["First sentence.", "Second one!", "「引用です。」", "次の文。"]


def test_chunk_ids_are_stable_content_hashes():
    a = chunk_text(_doc())
    b = chunk_text(_doc())
    assert [c.chunk_id("x.md") for c in a] == [c.chunk_id("x.md") for c in b]
    assert a[0].chunk_id("x.md") != a[0].chunk_id("y.md")
