"""Hand-made workshop outputs: one clean design per language, and the seeds that break it.

Used by the linter tests and by the evals harness's deterministic scenarios.
"""

from __future__ import annotations

import copy

CLEAN = {
    "ja": {
        "lang": "ja",
        "departments": ["営業", "カスタマーサクセス"],
        "pain_points": [
            {"id": "pp1", "text": "提案書の作成に平均2日かかる"},
            {"id": "pp2", "text": "受注後の引き継ぎで顧客の目標が伝わらない"},
        ],
        "theme": {
            "title": "提案リードタイムの半減",
            "problem": "提案書作成に2日かかり商談が遅れる",
            "outcome": "提案書を1日以内に出す",
            "citations": [],
        },
        "kpis": [
            {
                "id": "K1",
                "name": "提案書作成日数",
                "unit": "日",
                "baseline": "2",
                "target": "1",
                "deadline": "2027-06",
                "owner": "営業担当役員",
                "method": "CRMの依頼日と送付日の差",
            }
        ],
        "use_cases": [
            {
                "id": "U1",
                "department": "営業",
                "title": "商談メモから提案書の下書き",
                "who": "営業担当",
                "when": "初回商談の当日",
                "workflow_step": "提案書作成",
                "kpi_id": "K1",
            },
            {
                "id": "U2",
                "department": "カスタマーサクセス",
                "title": "引き継ぎ要約からキックオフ準備",
                "who": "CSM",
                "when": "受注の翌営業日",
                "workflow_step": "キックオフ準備",
                "kpi_id": "K1",
            },
        ],
        "handoffs": [
            {
                "id": "H1",
                "from_department": "営業",
                "to_department": "カスタマーサクセス",
                "what": "顧客の目標の要約",
                "when": "受注時",
                "receiving_owner": "CS責任者",
            }
        ],
        "playbook": {
            "procedures": [
                {
                    "use_case_id": "U1",
                    "title": "提案書下書きの型",
                    "steps": ["商談メモを残す", "AIに下書きさせる"],
                    "prompt_template": "{顧客名}の提案書の骨子を作って",
                }
            ],
            "weekly_review": {
                "cadence": "毎週月曜9時",
                "attendees": ["営業担当役員", "CS責任者"],
                "inputs": ["KPI実績"],
                "agenda": ["数値", "次の一手"],
                "decision_rules": ["2週未達なら型を見直す"],
            },
            "glossary": [
                {"term": "型", "definition": "誰でも同じ成果を出せる標準手順", "used_by": "全員"},
                {"term": "カスタマーサクセス", "definition": "導入後の成功を支援する部署", "used_by": "全員"},
            ],
            "training": [
                {"session": "提案書の型の演習", "audience": "営業", "teaches": "提案書下書きの型", "format": "実案件"}
            ],
            "roles": {"executive_sponsor": "営業担当役員", "owners": ["CS責任者: 引き継ぎ"]},
        },
    },
    "en": {
        "lang": "en",
        "departments": ["Sales", "Customer Success"],
        "pain_points": [
            {"id": "pp1", "text": "A proposal takes 2 days on average"},
            {"id": "pp2", "text": "Customer goals get lost in the hand-off after the deal"},
        ],
        "theme": {
            "title": "Halve proposal lead time",
            "problem": "Proposals take 2 days and slow deals",
            "outcome": "Proposals out within 1 day",
            "citations": [],
        },
        "kpis": [
            {
                "id": "K1",
                "name": "Proposal lead time",
                "unit": "days",
                "baseline": "2",
                "target": "1",
                "deadline": "2027-06",
                "owner": "VP Sales",
                "method": "CRM request-to-send days",
            }
        ],
        "use_cases": [
            {
                "id": "U1",
                "department": "Sales",
                "title": "Proposal draft from call notes",
                "who": "Account executive",
                "when": "Same day as the first call",
                "workflow_step": "Proposal writing",
                "kpi_id": "K1",
            },
            {
                "id": "U2",
                "department": "Customer Success",
                "title": "Kickoff prep from the hand-off summary",
                "who": "CSM",
                "when": "Next working day after close",
                "workflow_step": "Kickoff prep",
                "kpi_id": "K1",
            },
        ],
        "handoffs": [
            {
                "id": "H1",
                "from_department": "Sales",
                "to_department": "Customer Success",
                "what": "Summary of customer goals",
                "when": "At close",
                "receiving_owner": "Head of CS",
            }
        ],
        "playbook": {
            "procedures": [
                {
                    "use_case_id": "U1",
                    "title": "Proposal draft 型",
                    "steps": ["Keep call notes", "Ask AI for a draft"],
                    "prompt_template": "Outline a proposal for {customer}",
                }
            ],
            "weekly_review": {
                "cadence": "Mondays 9:00",
                "attendees": ["VP Sales", "Head of CS"],
                "inputs": ["KPI actuals"],
                "agenda": ["Numbers", "Next step"],
                "decision_rules": ["Two weeks missed: revise the 型"],
            },
            "glossary": [
                {"term": "型", "definition": "A standard procedure anyone can follow", "used_by": "Everyone"},
                {"term": "Hand-off", "definition": "What one department passes to the next", "used_by": "Everyone"},
            ],
            "training": [
                {
                    "session": "Proposal 型 practice",
                    "audience": "Sales",
                    "teaches": "Proposal draft 型",
                    "format": "Live deals",
                }
            ],
            "roles": {"executive_sponsor": "VP Sales", "owners": ["Head of CS: hand-off"]},
        },
    },
}

# rule id -> lang -> list of (dotted path, new value) edits that seed that failure pattern
SEEDS: dict[str, dict[str, list[tuple[str, object]]]] = {
    "junior_delegation": {
        "ja": [("kpis.0.owner", "若手の有志チーム"), ("playbook.roles.owners", ["若手有志: 推進"])],
        "en": [
            ("kpis.0.owner", "a group of junior volunteers"),
            ("playbook.roles.owners", ["Junior volunteers: drive it"]),
        ],
    },
    "prompt_training_only": {
        "ja": [
            (
                "playbook.training",
                [
                    {
                        "session": "プロンプト研修",
                        "audience": "全社員",
                        "teaches": "ChatGPTのプロンプトの書き方",
                        "format": "講座",
                    }
                ],
            ),
            ("playbook.weekly_review", None),
        ],
        "en": [
            (
                "playbook.training",
                [
                    {
                        "session": "Prompt training",
                        "audience": "All staff",
                        "teaches": "How to use ChatGPT prompts",
                        "format": "Webinar",
                    }
                ],
            ),
            ("playbook.weekly_review", None),
        ],
    },
    "executive_absent": {
        "ja": [
            ("kpis.0.owner", "現場担当者"),
            ("playbook.roles.executive_sponsor", "現場担当者"),
            ("playbook.weekly_review.attendees", ["営業担当", "CSM"]),
        ],
        "en": [
            ("kpis.0.owner", "Staff member"),
            ("playbook.roles.executive_sponsor", "Staff member"),
            ("playbook.weekly_review.attendees", ["Account executive", "CSM"]),
        ],
    },
    "usage_as_goal": {
        "ja": [("kpis.0.name", "生成AIの利用回数"), ("kpis.0.unit", "回")],
        "en": [("kpis.0.name", "Number of prompts per employee"), ("kpis.0.unit", "prompts")],
    },
    "unmeasured": {
        "ja": [("kpis.0.baseline", ""), ("kpis.0.deadline", "")],
        "en": [("kpis.0.target", ""), ("kpis.0.owner", "")],
    },
    "point_solution": {
        "ja": [("use_cases.1.department", "営業"), ("handoffs", [])],
        "en": [("use_cases.1.department", "Sales"), ("handoffs", [])],
    },
    "handoff_no_owner": {
        "ja": [("handoffs.0.receiving_owner", "")],
        "en": [("handoffs.0.receiving_owner", "")],
    },
    "glossary_inconsistent": {
        "ja": [("playbook.procedures.0.steps", ["商談メモを残す", "カスタマー・サクセスに共有する"])],
        "en": [
            (
                "playbook.glossary",
                [
                    {"term": "Hand-off", "definition": "x", "used_by": "all"},
                    {"term": "Handoff", "definition": "y", "used_by": "all"},
                ],
            )
        ],
    },
    "no_cadence": {
        "ja": [("use_cases.0.when", "必要に応じて")],
        "en": [("use_cases.0.when", "as needed")],
    },
}


def seeded(rule: str, lang: str) -> dict:
    values = copy.deepcopy(CLEAN[lang])
    for path, value in SEEDS[rule][lang]:
        node = values
        *parents, last = path.split(".")
        for p in parents:
            node = node[int(p)] if p.isdigit() else node[p]
        if last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value
    return values
