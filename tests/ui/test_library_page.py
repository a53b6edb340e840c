"""The Documents tab's 型 library section: a consultant adds patterns for their client; others cannot."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import yaml

from katachi.core.errors import KatachiError
from katachi.core.settings import get_settings
from katachi.knowledge.library.catalog import load_library
from katachi.ui.policy import User
from katachi.ui.web.documents.handlers import add_library_file, company_patterns


@pytest.fixture
def ctx():
    return SimpleNamespace(settings=get_settings())


def _file(tmp_path, pid="legal.own_nda"):
    p = load_library().patterns["legal.nda_check"].model_dump(mode="json", exclude_none=True)
    p["id"], p["source"] = pid, "kimura consulting"
    f = tmp_path / "p.yaml"
    f.write_text(yaml.safe_dump({"patterns": [p]}, allow_unicode=True), encoding="utf-8")
    return str(f)


def test_consultant_adds_patterns_for_their_company(ctx, tmp_path):
    kimura = User("kimura", "consultant", ["acme"])
    own, total = company_patterns(ctx, kimura, "acme")
    assert own == [] and total >= 66
    added = add_library_file(ctx, kimura, "acme", _file(tmp_path))
    assert [p.id for p in added] == ["legal.own_nda"]
    own, _ = company_patterns(ctx, kimura, "acme")
    assert [(p.id, p.origin) for p in own] == [("legal.own_nda", "company")]


def test_others_are_refused_and_empty_uploads_named(ctx, tmp_path):
    with pytest.raises(KatachiError) as e:
        add_library_file(ctx, User("mori", "consultant", ["beta"]), "acme", _file(tmp_path))
    assert e.value.code == "forbidden"
    with pytest.raises(KatachiError) as e:
        add_library_file(ctx, User("yuki", "participant"), "acme", _file(tmp_path))
    assert e.value.code == "forbidden"
    with pytest.raises(KatachiError) as e:
        add_library_file(ctx, User("kimura", "consultant", ["acme"]), "acme", None)
    assert e.value.code == "upload_empty"
    bad = tmp_path / "bad.yaml"
    bad.write_text("patterns: [{id: x", encoding="utf-8")
    with pytest.raises(KatachiError) as e:
        add_library_file(ctx, User("kimura", "consultant", ["acme"]), "acme", str(bad))
    assert e.value.code == "library_file_unreadable" and "YAML" not in e.value.message("ja")[:3]
