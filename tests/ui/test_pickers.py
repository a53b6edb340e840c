"""Workshop pickers read as people tell workshops apart: title, company, date — never the internal id."""

import re
import time

from katachi.ui.web.common import workshop_choices
from tests.ui.roomkit import make_rooms

ID = re.compile(r"\b[0-9a-f]{12}\b")


def test_choices_name_title_company_and_date_and_keep_the_id_as_value(tmp_path):
    rooms = make_rooms(tmp_path)
    fac = rooms.user("fumi")
    a = rooms.create(fac, "acme", "営業の型", ["営業"], "ja")
    b = rooms.create(fac, "acme", "営業の型", ["営業"], "ja")  # same words, same minute
    c = rooms.create(fac, "acme", "Sales playbook", ["Sales"], "en")
    rows = rooms.my_workshops(fac)
    for lang in ("ja", "en"):
        choices = workshop_choices(rows, lang)
        labels = [label for label, _ in choices]
        assert sorted(v for _, v in choices) == sorted([a["id"], b["id"], c["id"]])
        assert len(set(labels)) == 3, labels  # two workshops with the same words still read differently
        assert not any(ID.search(x) for x in labels), labels
        day = time.strftime("%Y-%m-%d")
        assert all("acme" in x and day in x for x in labels), labels
    ja = dict((v, k) for k, v in workshop_choices(rows, "ja"))
    assert ja[c["id"]].startswith("Sales playbook（acme・")
    en = dict((v, k) for k, v in workshop_choices(rows, "en"))
    assert en[c["id"]].startswith("Sales playbook (acme, ")


def test_review_queue_row_shows_no_internal_id(tmp_path):
    from katachi.ui.web.review.page import ReviewTab

    row = {
        "id": "e1ca4238a5d7",
        "title": "営業の型",
        "company": "acme",
        "status": "in_review",
        "version": 2,
        "by": "kon",
        "at": "2026-12-06 10:00",
        "created": None,
    }
    cells = ReviewTab._cells(row, "ja")
    assert "e1ca4238a5d7" not in " ".join(map(str, cells)) and cells[0] == "営業の型"
