"""A child process for the workshop kill test: drives a workshop to the end with the fake model,
approving every gate, and SIGKILLs itself when the model is asked for its Nth answer — mid-stage,
with no cleanup. ``python -m tests.workshop_child DB KILL_AT`` (KILL_AT < 0: never; prints the count)."""

from __future__ import annotations

import os
import signal
import sys

PAINS = ["提案書の作成に2日かかる", "引き継ぎで顧客情報が失われる", "議事録の共有が遅い"]
DEPTS = ["営業", "カスタマーサクセス"]
DOCS = [
    "提案書の作成には平均で二日かかっている。営業担当は顧客訪問の時間を確保できていない。",
    "受注後は営業からカスタマーサクセスへ顧客の目標を引き継ぐ。引き継ぎの基準は文書化されていない。",
]


def service(db: str, kill_at: int = -1):
    from katachi.core.settings import get_settings
    from katachi.graphs.service import WorkshopService
    from tests.fakes import FakeChatModel
    from tests.workshop_fakes import ListRetriever, WorkshopResponder

    responder = WorkshopResponder()
    responder.new_use_cases = True  # the model writes procedures too: more points to die at
    count = [0]

    def answer(messages, kwargs):
        count[0] += 1
        if count[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return responder(messages, kwargs)

    svc = WorkshopService(
        get_settings(),
        model_for=lambda r: FakeChatModel(responder=answer),
        retriever_for=lambda c: ListRetriever("acme", DOCS),
        db_path=db,
    )
    return svc, count


def drive(svc, snap):
    """Approve every gate (the first theme) until the playbook is done."""
    from tests.flow import walk

    return walk(svc, "w", snap)


def main() -> None:
    db, kill_at = sys.argv[1], int(sys.argv[2])
    svc, count = service(db, kill_at)
    drive(svc, svc.start("acme", PAINS, DEPTS, lang="ja", thread_id="w", today="2026-11-27"))
    print(count[0])


if __name__ == "__main__":
    main()
