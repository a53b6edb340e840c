"""The one text catalog: every entry in both languages with the same placeholders, and every code
the code names exists (a typo would otherwise surface as a crash in front of a user)."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from katachi.core.errors import KatachiError
from katachi.core.i18n import LANGS, Code, catalog, t

ROOT = Path(__file__).resolve().parents[1]


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_every_entry_speaks_both_languages_with_the_same_placeholders():
    for code, texts in catalog().items():
        assert set(texts) == set(LANGS), code
        assert all(isinstance(v, str) and v.strip() for v in texts.values()), code
        assert _fields(texts["ja"]) == _fields(texts["en"]), code


def _literal_codes():
    """(code, file:line) for t("x.y"), tr("x") and KatachiError("x") calls with a literal first argument."""
    for pkg in ("core", "agents", "knowledge", "graphs", "exports", "tracker", "ui", "evals"):
        for p in (ROOT / pkg).rglob("*.py"):
            for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
                if not (
                    isinstance(node, ast.Call)
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    continue
                name = ast.unparse(node.func).split(".")[-1]
                arg = node.args[0].value
                where = f"{p.relative_to(ROOT)}:{node.lineno}"
                if name in ("t", "text_of", "Code"):
                    # pages call their gr.I18n ``t`` with bare web keys
                    yield (arg if "." in arg else f"web.{arg}"), where
                elif name == "tr":
                    yield f"web.{arg}", where
                elif name == "KatachiError":
                    yield f"error.{arg}", where


def test_every_code_named_in_the_code_exists():
    missing = [f"{where}: {code}" for code, where in _literal_codes() if code not in catalog()]
    assert not missing, "\n".join(missing)


def test_an_unknown_error_code_is_refused_at_once():
    with pytest.raises(ValueError):
        KatachiError("no_such_code")


def test_parameters_that_are_codes_follow_the_reader():
    err = KatachiError("empty_text", what=Code("field.pain_point"))
    assert err.message("ja") == "課題が空です。"
    assert err.message("en") == "The pain point is empty."


def test_a_parameter_named_code_is_just_a_parameter():
    assert "ABC123" in t("web.join_info", "en", code="ABC123", url="http://x/")


def test_every_finding_rule_raised_in_code_has_its_texts():
    import re
    from pathlib import Path

    from katachi.core.i18n import has

    root = Path(__file__).resolve().parents[1]
    rules = {
        m
        for d in ("agents", "graphs")
        for f in (root / d).rglob("*.py")
        for m in re.findall(r'finding\(\s*"([a-z_]+)"', f.read_text(encoding="utf-8"))
    }
    assert len(rules) > 20
    assert [r for r in sorted(rules) if not (has(f"lint.{r}.why") and has(f"lint.{r}.fix"))] == []
