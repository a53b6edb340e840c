"""One evals scenario with the real embedded model: the harness, the linter and the citation checks
on real output (the seeded pattern comes from a scripted gate edit, so it must always be caught)."""

import pytest

pytestmark = pytest.mark.integration


def test_a_seeded_scenario_with_the_embedded_model(tmp_path):
    from katachi.core.settings import get_settings
    from katachi.evals import harness
    from katachi.graphs.service import WorkshopService

    sc = [s for s in harness.load_scenarios() if s.name == "ja-usage-as-goal"]
    report = harness.run(sc, tmp_path / "eval", lambda: WorkshopService(get_settings()), "local")
    row = report["scenarios"][0]
    assert row["metrics"]["citation_validity"] in (None, 1.0)
    assert row["metrics"]["schema_validity"] == 1.0
    assert row["metrics"]["linter_recall"] == 1.0
    assert (tmp_path / "eval" / "report.md").is_file()
