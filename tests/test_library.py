"""The 型 library as data: schema, both languages, references, explained placeholders, lookups."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from katachi.core.errors import KatachiError
from katachi.knowledge.library.catalog import HERE, load_library, read_patterns
from katachi.knowledge.library.schema import SLOTS, Pattern, braces

LIB = load_library()
FUNCTIONS = {
    "sales",
    "marketing",
    "support",
    "admin",
    "hr",
    "finance",
    "engineering",
    "legal",
    "procurement",
    "manufacturing",
    "management",
}


def test_size_minimums():
    by_function = {f: [p for p in LIB.patterns.values() if p.function == f] for f in FUNCTIONS}
    assert {f.id for f in LIB.functions} >= FUNCTIONS
    assert all(len(ps) >= 6 for ps in by_function.values()), {f: len(ps) for f, ps in by_function.items()}
    assert len(LIB.kpis) >= 60
    assert len(LIB.vocabulary) >= 6
    assert LIB.anti_examples


def test_every_entry_has_both_languages():
    for p in LIB.patterns.values():
        assert p.ja is not None and p.en is not None, p.id
        assert len(p.ja.steps) == len(p.en.steps), p.id
    for k in LIB.kpis.values():
        assert k.ja is not None and k.en is not None, k.id
    for v in LIB.vocabulary:
        assert v.ja.term and v.en.term


def test_every_reference_exists():
    assert LIB.check_references() == []
    used = {k for p in LIB.patterns.values() for k in p.kpis}
    assert used <= set(LIB.kpis)
    # every KPI fits at least one pattern (a KPI no pattern moves is a catalogue entry nobody reaches)
    orphans = [k for k in LIB.kpis if not LIB.patterns_for_kpi(k)]
    assert len(orphans) <= len(LIB.kpis) // 4, orphans


def test_placeholders_are_explained_and_steps_use_known_slots():
    for p in LIB.patterns.values():
        for lang in ("ja", "en"):
            x = p.text(lang)
            assert x.placeholders, p.id  # the shipped patterns all have at least one
            assert set(braces(x.template)) - set(SLOTS) == set(x.placeholders), (p.id, lang)
            assert all(len(v) >= 4 for v in x.placeholders.values()), (p.id, lang)
            for s in x.steps:
                assert set(braces(s)) <= set(SLOTS), (p.id, s)
            assert 4 <= len(x.steps) <= 6


def test_every_pattern_has_a_person_checking():
    for p in LIB.patterns.values():
        assert p.checks, p.id
        assert all(1 <= c <= len(p.ja.steps) for c in p.checks)


def test_no_chinese_in_japanese_and_no_cjk_in_english():
    from katachi.agents.script import foreign

    for p in LIB.patterns.values():
        assert not foreign(p.ja.model_dump_json(), "ja"), p.id
        assert not foreign(p.en.model_dump_json(), "en"), p.id
    for k in LIB.kpis.values():
        assert not foreign(k.ja.model_dump_json(), "ja") and not foreign(k.en.model_dump_json(), "en"), k.id


def test_placeholder_mismatch_is_refused(tmp_path: Path):
    data = yaml.safe_load((HERE / "patterns" / "sales.yaml").read_text(encoding="utf-8"))
    bad = data["patterns"][0]
    bad["ja"]["template"] += " {説明のない項目}"
    f = tmp_path / "bad.yaml"
    f.write_text(yaml.safe_dump({"patterns": [bad]}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KatachiError) as e:
        read_patterns(f)
    assert e.value.code == "library_file_invalid" and "説明のない項目" in e.value.message("ja")


def test_a_stray_key_is_refused_not_dropped(tmp_path: Path):
    data = yaml.safe_load((HERE / "patterns" / "sales.yaml").read_text(encoding="utf-8"))
    data["patterns"][0]["en"]["risks"][0]["typo"] = "x"
    f = tmp_path / "bad.yaml"
    f.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KatachiError):
        read_patterns(f)


@pytest.mark.parametrize(
    "department,function",
    [
        ("営業部", "sales"),
        ("総務部", "admin"),
        ("品質保証部", "manufacturing"),
        ("経理課", "finance"),
        ("Customer Support", "support"),
        ("Purchasing", "procurement"),
        ("人事部", "hr"),
        ("法務・コンプライアンス", "legal"),
        ("IT", "engineering"),
        ("経営企画室", "management"),
        ("デザイン室", None),
    ],
)
def test_department_maps_to_function(department, function):
    assert LIB.function_of(department) == function


def test_candidates_follow_the_work_and_the_kpis():
    ps = LIB.pattern_candidates("営業部", "提案書の作成に平均2日かかる", "ja", k=3)
    assert ps[0].id == "sales.proposal_draft" and all(p.function == "sales" for p in ps)
    ps = LIB.pattern_candidates(
        "Accounting", "Invoices are matched by hand every month", "en", kpi_ids=["invoice_matching_hours"], k=2
    )
    assert ps[0].id == "finance.invoice_matching"
    # a department no function covers gets candidates from the whole library
    assert len(LIB.pattern_candidates("デザイン室", "議事録がばらばらで引き継ぎで情報が抜ける", "ja", k=3)) == 3
    ks = LIB.kpi_candidates("月次決算が遅い 締めに7営業日", "ja", ["finance"], k=3)
    assert "close_days" in [k.id for k in ks]


def test_company_layer_comes_first_and_may_have_one_language(tmp_path: Path):
    d = tmp_path / "lib" / "patterns"
    d.mkdir(parents=True)
    p = LIB.patterns["sales.proposal_draft"].model_dump(mode="json", exclude_none=True)
    p["id"] = "sales.own_proposal"
    del p["en"]
    (d / "own.yaml").write_text(yaml.safe_dump({"patterns": [p]}, allow_unicode=True), encoding="utf-8")
    lib = load_library(company_dir=tmp_path / "lib")
    own = lib.patterns["sales.own_proposal"]
    assert own.origin == "company" and own.text("en").title == own.ja.title
    assert lib.pattern_candidates("営業部", "提案書", "ja", k=1)[0].id == "sales.own_proposal"


def test_unknown_kpi_in_a_layer_is_refused(tmp_path: Path):
    d = tmp_path / "patterns"
    d.mkdir()
    p = LIB.patterns["sales.proposal_draft"].model_dump(mode="json", exclude_none=True)
    p["id"], p["kpis"] = "sales.x", ["no_such_kpi"]
    (d / "x.yaml").write_text(yaml.safe_dump({"patterns": [p]}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KatachiError) as e:
        load_library(shared_dir=tmp_path)
    assert e.value.code == "library_reference_unknown"
    with pytest.raises(KatachiError):
        load_library(shared_dir=tmp_path / "missing")


def test_sources_file_attributes_the_library():
    text = (HERE / "SOURCES.md").read_text(encoding="utf-8")
    for p in LIB.patterns.values():
        assert f"`{p.source}`" in text, p.source
    for k in LIB.kpis.values():
        assert f"`{k.source}`" in text, k.source


def test_pattern_model_refuses_misaligned_languages():
    p = LIB.patterns["hr.job_posting"].model_dump()
    p["en"]["steps"] = p["en"]["steps"][:4]
    with pytest.raises(ValueError):
        Pattern.model_validate(p)


def test_cli_list_show_add(tmp_path: Path, capsys):
    from katachi.ui.cli.main import main

    assert main(["--lang", "en", "library", "list", "--function", "finance"]) == 0
    out = capsys.readouterr().out
    assert "finance.invoice_matching" in out and "sales." not in out
    assert main(["--lang", "ja", "library", "show", "finance.invoice_matching"]) == 0
    out = capsys.readouterr().out
    assert "請求書と発注の突合" in out and "確認ポイント" in out and "{請求書}" in out
    assert main(["--lang", "ja", "library", "list", "--kpis", "--function", "legal"]) == 0
    assert "contract_review_days" in capsys.readouterr().out
    p = LIB.patterns["admin.policy_qa"].model_dump(mode="json", exclude_none=True)
    p["id"], p["source"] = "admin.own_policy_qa", "acme consulting 2026"
    f = tmp_path / "own.yaml"
    f.write_text(yaml.safe_dump({"patterns": [p]}, allow_unicode=True), encoding="utf-8")
    assert main(["--lang", "ja", "library", "add", str(f), "--company", "acme"]) == 0
    assert "1 件の型を acme" in capsys.readouterr().out
    assert main(["--lang", "ja", "library", "list", "--company", "acme", "--function", "admin"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("admin.own_policy_qa") and "[自社]" in first
    p["kpis"] = ["no_such_kpi"]
    f.write_text(yaml.safe_dump({"patterns": [p]}, allow_unicode=True), encoding="utf-8")
    assert main(["--lang", "ja", "library", "add", str(f), "--company", "acme"]) == 2
    assert "no_such_kpi" in capsys.readouterr().err
    assert main(["--lang", "en", "library", "show", "nope"]) == 2
    assert 'There is no pattern "nope"' in capsys.readouterr().err


def test_a_theme_is_measured_by_its_departments_kpis_before_another_sectors():
    from katachi.knowledge.library.catalog import load_library

    lib = load_library()
    q = "見積書の品質と回答速度 見積の回答に平均5営業日かかり、競合に案件を取られている"
    anywhere = [k.id for k in lib.kpi_candidates(q, "ja", k=2)]
    mine = [k.id for k in lib.kpi_candidates(q, "ja", {"sales", "manufacturing"}, k=2)]
    assert "counter_wait_minutes" in anywhere  # 'reply' and 'wait' pull in a town hall's counter
    assert mine[0] == "quote_turnaround" and "counter_wait_minutes" not in mine
    assert all({"sales", "manufacturing"} & set(lib.kpis[i].functions) for i in mine)


def test_no_step_of_the_library_loops_once_its_own_slot_words_are_placed_in_it():
    """「… ready for review for review」, "per client per client": a step must read once its slots are filled
    with the pattern's own words (the words a use case falls back to), and the inputs and outputs are things."""
    from katachi.agents.patterns import fill
    from katachi.agents.schemas import Score, UseCase
    from katachi.agents.slots import is_artifact, loops

    for p in LIB.patterns.values():
        for lang in ("ja", "en"):
            x = p.text(lang)
            uc = UseCase(
                id="U1",
                department="d",
                title=x.title,
                who=x.who,
                when=x.when,
                how=[],
                workflow_step=x.step,
                input=x.input,
                output=x.output,
                kpi_id="K1",
                impact=Score(value=3),
                feasibility=Score(value=3),
            )
            assert not [s for s in (fill(s, uc) for s in x.steps) if loops(s, lang)], (p.id, lang)
            assert is_artifact(x.input, x.output) and is_artifact(x.output), (p.id, lang)
