"""Amounts in the playbook read as people write them."""
from __future__ import annotations

import pytest

from graphs.documents.blocks import _amount


@pytest.mark.parametrize("value, unit, shown", [
    ("8000", "£ per month", "£8,000 per month"), ("45000", "$", "$45,000"), ("3", "hours", "3 hours"),
    ("1", "working days", "1 working day"), ("2", "日", "2 日"), ("要測定", "時間", "要測定"),
])
def test_amounts_read_as_written(value, unit, shown):
    assert _amount(value, unit) == shown
