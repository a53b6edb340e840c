"""Nothing internal in what an executive sees: every export and page of a finished workshop, ja and en,
read back with the library that opens it, has no ids, codes, rule names or footnote marks."""

import io

import pytest

from tests import deliverables_kit as kit


@pytest.fixture(scope="module", params=["ja", "en"])
def done(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(request.param)
    svc = kit.service(tmp, request.param)
    values = kit.finish(svc, request.param)
    tr = kit.tracker(svc, tmp)
    yield values, tr
    svc.close()


def docx_text(data: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def pptx_text(data: bytes) -> str:
    from pptx import Presentation

    out = []
    for slide in Presentation(io.BytesIO(data)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                out.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                out += [c.text for r in shape.table.rows for c in r.cells]
        if slide.has_notes_slide:
            out.append(slide.notes_slide.notes_text_frame.text)
    return "\n".join(out)


def assert_clean(what: str, text: str) -> None:
    found = kit.raw_tokens(text)
    assert not found, f"{what}: {found[:8]}"


def ics_text(data: bytes) -> str:
    """What a calendar shows: the title, the place and the description (the UID is the file's own)."""
    from icalendar import Calendar

    ev = next(iter(Calendar.from_ical(data).walk("VEVENT")))
    return "\n".join(str(ev.get(k, "")) for k in ("SUMMARY", "LOCATION", "DESCRIPTION"))


READ = {
    "md": lambda b: b.decode(),
    "docx": docx_text,
    "pdf": pdf_text,
    "pptx": pptx_text,
    "summary-pdf": pdf_text,
    "summary-docx": docx_text,
    "ics": ics_text,
}


@pytest.mark.parametrize("fmt", list(READ))
def test_every_export_shows_no_internal_token(done, fmt):
    from katachi.exports.exports import export, file_name

    values, _ = done
    audit = [{"at": "2026-11-28T09:00:00+00:00", "by": "kon", "what": "review: section approved", "detail": "kpis:K1"}]
    assert_clean(fmt, READ[fmt](export(values, fmt, audit=audit, tracker_url="http://127.0.0.1:7860/")))
    assert_clean("file name", file_name(values, fmt, 1))


def test_the_review_page_shows_no_internal_token(done):
    import re

    from katachi.graphs.versions import sections_of
    from katachi.ui.web.review.render import section

    values, _ = done

    class View:  # what the review page draws a section from
        def __init__(self) -> None:
            self.values, self.comments = values, {}
            self.sections = sections_of(values["versions"][-1]["content"])

    for name in View().sections:
        assert_clean(name, re.sub(r"<[^>]+>", " ", section(View(), name, values["lang"])))


def test_the_done_page_shows_no_internal_token(done):
    import re

    from katachi.exports.blocks import build
    from katachi.exports.html import blocks_to_html
    from katachi.ui.web.room.render import findings, usecases

    values, _ = done
    lang = values["lang"]
    for html in (blocks_to_html(build(values)), findings(values, "done", lang), usecases(values, lang)):
        visible = re.sub(r"<[^>]+>", " ", html)  # what the page shows, not its markup
        assert_clean("page", visible)


def test_the_tracker_and_its_pack_show_no_internal_token(done):
    import re

    from katachi.tracker.pack import pack_markdown
    from katachi.ui.web.tracker.page import summary_html

    values, tr = done
    thread = values["thread_id"]

    class Idle:
        state, error = "idle", None

    assert_clean("tracker", re.sub(r"<[^>]+>", " ", summary_html(tr.summary(thread), Idle(), values["lang"])))
    pack = tr.pack(thread)
    assert_clean("pack", pack_markdown(pack))
    assert_clean("pack pptx", pptx_text(tr.pack_file(thread, "pptx")))
    assert_clean("pack pdf", pdf_text(tr.pack_file(thread, "pdf")))
