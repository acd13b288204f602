"""Database statements and time per action run, for the actions the conversation mix calls.

    .venv/bin/python -m bench.action_queries

Each action is created once, as the action server does, on a freshly seeded SQLite knowledge base;
the first run of each is a warm-up; the figures are per run after it."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml
from rasa_sdk import Action
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import event

from actions.db import engine_for, session_factory
from actions.medication import ActionAnswerMedication
from actions.red_flags import ActionRedFlag
from actions.referral import ValidateReferralForm
from actions.repository import KnowledgeRepository
from actions.seed import seed
from actions.topics import ActionAnswerCauses, ActionAnswerTopic
from tests.conftest import entity, make_tracker

ROOT = Path(__file__).resolve().parent.parent
RUNS = 200


def cases(repository: KnowledgeRepository) -> List[Tuple[str, Action, Any]]:
    return [
        (
            "causes, a named condition",
            ActionAnswerCauses(repository),
            make_tracker("can diabetes cause cramps?", "ask_causes", [entity("condition", "diabetes")]),
        ),
        (
            "another topic",
            ActionAnswerTopic(repository),
            make_tracker("how do I prevent cramps at night?", "ask_prevention"),
        ),
        (
            "medication",
            ActionAnswerMedication(repository),
            make_tracker("is quinine safe?", "ask_medication_safety", [entity("medication", "quinine")]),
        ),
        (
            "red flag",
            ActionRedFlag(repository),
            make_tracker("my calf is swollen, red and warm", "report_red_flag", [entity("red_flag", "swollen")]),
        ),
        (
            "form answer (warning signs)",
            ValidateReferralForm(repository),
            make_tracker(
                "no, none of those",
                "inform",
                latest_slot_events={"red_flags": "no, none of those"},
                active_loop="referral_form",
                requested_slot="red_flags",
            ),
        ),
    ]


async def measure() -> Dict[str, Dict[str, float]]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    out: Dict[str, Dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'knowledge.db'}"
        sessions = session_factory(url)
        seed(sessions)
        statements = [0]
        event.listen(engine_for(url), "before_cursor_execute", lambda *_: statements.__setitem__(0, statements[0] + 1))
        for label, action, tracker in cases(KnowledgeRepository(sessions)):
            await action.run(CollectingDispatcher(), tracker, domain)  # warm-up
            statements[0] = 0
            start = time.perf_counter()
            for _ in range(RUNS):
                await action.run(CollectingDispatcher(), tracker, domain)
            out[label] = {"statements": statements[0] / RUNS, "ms": (time.perf_counter() - start) * 1000 / RUNS}
    return out


def main() -> None:
    for label, figures in asyncio.run(measure()).items():
        print(f"{label:<30} {figures['statements']:4.1f} statements/run  {figures['ms']:6.2f} ms/run")


if __name__ == "__main__":
    main()
