"""The deck: its sections read back with python-pptx, every text inside its box (measured, and as
LibreOffice draws it), and a consultancy's template (masters, fonts, colours) carried through."""

import io
import os
import shutil
import subprocess

import pytest
from pptx import Presentation
from pptx.util import Inches

from katachi.exports import textfit
from katachi.exports.deck import deck
from katachi.exports.slides import MARGIN, SPACING, pt
from tests import deliverables_kit as kit


@pytest.fixture(scope="module", params=["ja", "en"])
def done(request, tmp_path_factory):
    svc = kit.service(tmp_path_factory.mktemp(request.param), request.param)
    yield kit.finish(svc, request.param)
    svc.close()


def texts(slide) -> str:
    out = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            out.append(shape.text_frame.text)
        if shape.has_table:
            out += [c.text for r in shape.table.rows for c in r.cells]
    return "\n".join(out)


def test_the_deck_has_every_section_in_the_workshops_language(done):
    prs = Presentation(io.BytesIO(deck(done)))
    ja = done["lang"] == "ja"
    slides = list(prs.slides)
    titles = [s.shapes.title.text if s.shapes.title else "" for s in slides]
    theme = done["theme"]["title"]
    assert theme in texts(slides[0])
    body = {t: texts(s) for t, s in zip(titles, slides)}
    assert done["pain_points"][0]["text"] in body["テーマ" if ja else "Theme"]  # the participants' own words
    voice = body["経営層の賛同" if ja else "Executives' endorsement"]
    assert ("引き継ぎの方が先では" if ja else "Hand-offs first?") in voice and "3.7" in voice
    kpi = next(s for s in slides if s.shapes.title.text == ("KPI" if ja else "KPIs"))
    table = next(sh.table for sh in kpi.shapes if sh.has_table)
    assert [c.text for c in table.rows[0].cells] == (
        ["指標", "現状", "目標", "期限", "責任者"] if ja else ["KPI", "Baseline", "Target", "Deadline", "Owner"]
    )
    assert table.cell(1, 4).text == done["kpis"][0]["owner"]
    the_map = slides[
        titles.index("部署別ユースケースと引き継ぎ" if ja else "Use cases by department and their hand-offs")
    ]
    words = texts(the_map)
    assert all(d in words for d in done["departments"]) and all(u["title"] in words for u in done["use_cases"])
    assert sum(1 for sh in the_map.shapes if sh.shape_type == 9 or "Connector" in sh.name) == len(done["handoffs"])
    procs = [s for t, s in zip(titles, slides) if t.startswith("型: " if ja else "型: ")]
    assert len(procs) == len(done["playbook"]["procedures"])
    first = done["playbook"]["procedures"][0]
    assert first["steps"][0] in texts(procs[0]) and ("確認ポイント" if ja else "check point") in texts(procs[0])
    assert first["prompt_template"] in procs[0].notes_slide.notes_text_frame.text  # whole, to copy from
    weekly = body["週次 KPI・PDCA レビュー" if ja else "Weekly KPI / PDCA review"]
    review = done["playbook"]["weekly_review"]
    assert review["agenda"][0] in weekly and review["decision_rules"][0] in weekly
    rollout = body["30/60/90日 展開計画" if ja else "30/60/90-day roll-out"]
    assert all(f"{d} " in rollout for d in (30, 60, 90))
    assert titles[-1] == ("付録: 出典" if ja else "Appendix: sources") and "docs/doc0.md" in texts(slides[-1])


def _frames(prs):
    """Every text frame with its box and the size its runs are set at."""
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_text_frame and shape.text_frame.text.strip():
                yield slide, shape, shape.text_frame, shape.width - 2 * MARGIN, shape.height - 2 * MARGIN


def test_every_text_measures_inside_its_box(done):
    prs = Presentation(io.BytesIO(deck(done)))
    checked = 0
    for _slide, shape, tf, w, h in _frames(prs):
        paras = [p for p in tf.paragraphs if p.runs]
        size = paras[0].runs[0].font.size.pt
        bold = any(r.font.bold for p in paras for r in p.runs)
        lines = [textfit.wrap(p.text, size, pt(w) * 0.99, bold) for p in paras]
        height = sum(len(x) for x in lines) * size * SPACING + (len(paras) - 1) * size * SPACING * 0.35
        assert height <= pt(h) + 0.5, (shape.text_frame.text[:60], height, pt(h))
        checked += 1
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_table:
                t = shape.table
                assert shape.top + sum(r.height for r in t.rows) <= prs.slide_height
                for r in t.rows:
                    for c, col in zip(r.cells, t.columns):
                        size = c.text_frame.paragraphs[0].runs[0].font.size.pt
                        n = len(textfit.wrap(c.text, size, pt(col.width - 2 * MARGIN), True))
                        assert n * size * SPACING <= pt(r.height), c.text
    assert checked > 20


@pytest.mark.slow
def test_long_japanese_text_shrinks_then_is_cut_never_overflows(done):
    """A 型 with twenty long steps and a long template: smaller type, and what cannot fit is cut with '…'
    and kept whole in the notes."""
    long = dict(done)
    pb = dict(long["playbook"])
    proc = dict(pb["procedures"][0])
    proc["steps"] = [
        f"手順{i}: 担当者が商談メモと過去の提案書を突き合わせ、価格と納期と実績の数字を一つずつ原資料と照らして確かめる"
        "ことで、顧客に送る前の誤りをなくし、確認にかかった時間を週次レビューのために記録しておく"
        for i in range(20)
    ]
    proc["prompt_template"] = "次の商談メモをもとに提案書の構成と本文の下書きを作ってください。" * 60
    pb["procedures"] = [proc] + pb["procedures"][1:]
    long["playbook"] = pb
    long["versions"] = []
    prs = Presentation(io.BytesIO(deck(long)))
    slide = next(s for s in prs.slides if proc["title"] in (s.shapes.title.text if s.shapes.title else ""))
    words = texts(slide)
    assert "…" in words
    assert proc["prompt_template"] in slide.notes_slide.notes_text_frame.text
    for _, shape, tf, w, h in _frames(prs):
        paras = [p for p in tf.paragraphs if p.runs]
        size = paras[0].runs[0].font.size.pt
        lines = sum(len(textfit.wrap(p.text, size, pt(w) * 0.99)) for p in paras)
        assert lines * size * SPACING <= pt(h) * 1.02 + size, shape.text_frame.text[:40]


def _template(path):
    """A consultancy's template: 4:3, its own theme colour and fonts, a sample slide to be dropped."""
    prs = Presentation()
    theme_part = next(r.target_part for r in prs.slide_masters[0].part.rels.values() if r.reltype.endswith("/theme"))
    from lxml import etree

    root = etree.fromstring(theme_part.blob)
    ns = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
    root.find(".//a:accent1/a:srgbClr", ns).set("val", "C00000")
    root.find(".//a:minorFont/a:latin", ns).set("typeface", "Georgia")
    theme_part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    slide = prs.slides.add_slide(prs.slide_layouts[1])
    slide.shapes.title.text = "SAMPLE — delete me"
    prs.save(path)
    return path


def test_the_deck_uses_the_consultancys_template(done, tmp_path):
    from katachi.exports.exports import export

    tpl = _template(tmp_path / "deck.pptx")
    prs = Presentation(io.BytesIO(export(done, "pptx", template=tpl)))
    assert (prs.slide_width, prs.slide_height) == (Inches(10), Inches(7.5))  # the template's size
    assert all("SAMPLE" not in texts(s) for s in prs.slides)
    theme = next(r.target_part for r in prs.slide_masters[0].part.rels.values() if r.reltype.endswith("/theme"))
    assert b'val="C00000"' in theme.blob and b'typeface="Georgia"' in theme.blob
    names = {s.slide_layout.name for s in prs.slides}
    assert names <= {"Title Slide", "Title Only"}
    for s in prs.slides:  # fonts come from the template's theme: no run names its own
        for shape in s.shapes:
            if shape.has_text_frame:
                for p in shape.text_frame.paragraphs:
                    assert all(r.font.name is None for r in p.runs)
                    assert all(
                        r._r.find(".//{http://schemas.openxmlformats.org/drawingml/2006/main}ea") is None
                        for r in p.runs
                    )
    for _, _shape, tf, w, h in _frames(prs):  # a 4:3 slide still holds every text
        paras = [p for p in tf.paragraphs if p.runs]
        size = paras[0].runs[0].font.size.pt
        lines = sum(len(textfit.wrap(p.text, size, pt(w) * 0.99, any(r.font.bold for r in p.runs))) for p in paras)
        assert lines * size * SPACING <= pt(h) + size * SPACING * 0.35 * len(paras), tf.text[:40]


def test_a_missing_or_broken_template_is_a_clear_error(done, tmp_path):
    from katachi.core.errors import KatachiError
    from katachi.exports.exports import export

    with pytest.raises(KatachiError) as e:
        export(done, "pptx", template=tmp_path / "nope.pptx")
    assert e.value.code == "template_missing"
    bad = tmp_path / "bad.pptx"
    bad.write_text("not a deck")
    with pytest.raises(KatachiError) as e:
        export(done, "pptx", template=bad)
    assert e.value.code == "template_bad"


# -- drawn by LibreOffice --------------------------------------------------------------------------------------
def _soffice():
    found = shutil.which("soffice")
    if found is None:
        if os.environ.get("KATACHI_REQUIRE_BROWSER"):
            pytest.fail("LibreOffice is required here (apt-get install libreoffice-impress poppler-utils)")
        pytest.skip("LibreOffice not installed (apt-get install libreoffice-impress poppler-utils)")
    return found


def render(pptx: bytes, folder):
    """The deck as LibreOffice draws it: a PDF and one PNG a slide."""
    src = folder / "deck.pptx"
    src.write_bytes(pptx)
    subprocess.run(
        [
            _soffice(),
            "--headless",
            f"-env:UserInstallation=file://{folder}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(folder / "deck.pdf"), str(folder / "slide")], check=True, timeout=120
    )
    return folder / "deck.pdf"


def words(pdf) -> list[list[tuple[float, float, float, float, str]]]:
    """Each page's words with their boxes in points (pdftotext -bbox)."""
    import re

    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    pages = []
    for page in out.split("<page ")[1:]:
        pages.append(
            [
                (float(a), float(b), float(c), float(d), w)
                for a, b, c, d, w in re.findall(
                    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page
                )
            ]
        )
    return pages


@pytest.mark.slow
def test_libreoffice_draws_every_word_inside_a_box(done, tmp_path):
    """An overflowing text would run below its box: every word LibreOffice sets must lie in a text box,
    a shape or a table of its slide."""
    data = deck(done)
    pdf = render(data, tmp_path)
    prs = Presentation(io.BytesIO(data))
    pages = words(pdf)
    assert len(pages) == len(prs.slides) and len(list(tmp_path.glob("slide-*.png"))) == len(prs.slides)
    for n, (slide, found) in enumerate(zip(prs.slides, pages), 1):
        boxes = [
            (pt(s.left), pt(s.top), pt(s.left + s.width), pt(s.top + s.height))
            for s in slide.shapes
            if s.has_text_frame or s.has_table
        ]
        for x0, y0, x1, y1, w in found:
            inside = any(
                bx0 - 2 <= x0 and x1 <= bx1 + 2 and by0 - 2 <= y0 and y1 <= by1 + 2 for bx0, by0, bx1, by1 in boxes
            )
            assert inside, f"slide {n}: '{w}' at {x0:.0f},{y0:.0f}-{x1:.0f},{y1:.0f} is outside every box"
