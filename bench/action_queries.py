"""Database statements and time per action run, for the actions the conversation mix calls.

    .venv/bin/python -m bench.action_queries

Each action is created once, as the action server does, on a freshly seeded SQLite knowledge base (and a
review store of its own);
the first run of each is a warm-up; the figures are per run after it."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import event

from actions import settings
from actions.db import engine_for, session_factory
from actions.medication import ActionAnswerMedication
from actions.red_flags import ActionRedFlag
from actions.referral import ValidateReferralForm
from actions.repository import KnowledgeRepository
from actions.seed import start_up
from actions.topics import ActionAnswerCauses, ActionAnswerTopic

ROOT = Path(__file__).resolve().parent.parent
RUNS = 200


def turn(
    text: str, intent: str, entities: Optional[Dict[str, str]] = None, form_answer: Optional[str] = None
) -> Tracker:
    """The tracker of one user turn as the action server gets it from Rasa (rasa_sdk reads it with from_dict);
    with `form_answer`, the referral form is asking its first question and the answer is this turn's slot event."""
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": [{"entity": kind, "value": value} for kind, value in (entities or {}).items()],
    }
    state: Dict[str, Any] = {"sender_id": "bench", "latest_message": message, "latest_action_name": "action_listen"}
    state["events"] = [{"event": "user", "text": text, "parse_data": message}]
    if form_answer is not None:
        state["slots"] = {"red_flags": form_answer, "requested_slot": "red_flags"}
        state["events"].append({"event": "slot", "name": "red_flags", "value": form_answer})
        state["active_loop"] = {"name": "referral_form"}
    return Tracker.from_dict(state)


def cases(repository: KnowledgeRepository) -> List[Tuple[str, Action, Tracker]]:
    return [
        (
            "causes, a named condition",
            ActionAnswerCauses(repository),
            turn("can diabetes cause cramps?", "ask_causes", {"condition": "diabetes"}),
        ),
        ("another topic", ActionAnswerTopic(repository), turn("how do I prevent cramps at night?", "ask_prevention")),
        (
            "medication",
            ActionAnswerMedication(repository),
            turn("is quinine safe?", "ask_medication_safety", {"medication": "quinine"}),
        ),
        (
            "red flag",
            ActionRedFlag(repository),
            turn("my calf is swollen, red and warm", "report_red_flag", {"red_flag": "swollen"}),
        ),
        (
            "form answer (warning signs)",
            ValidateReferralForm(repository),
            turn("no, none of those", "inform", form_answer="no, none of those"),
        ),
    ]


async def measure() -> Dict[str, Dict[str, float]]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    out: Dict[str, Dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'knowledge.db'}"
        settings.REVIEW_DATABASE_URL = f"sqlite:///{Path(tmp) / 'review.db'}"  # the actions' ratings and logs
        start_up(url)  # the action server's start-up: the knowledge base seeded, the review store's tables
        sessions = session_factory(url)
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
