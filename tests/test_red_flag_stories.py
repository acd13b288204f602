"""Warning signs told as stories: the red-flag reader (actions.triage) on written and real stories, and the
answer path that puts its urgent advice first.

Stories: tests/nlu/red_flag_stories.yml (written for this test) and tests/nlu/real_red_flags.yml (real
messages, collected apart; read when present), both `stories: [{text, source, flags: [keys]}]`.
Targets (issue 12): every story with a warning sign gets that sign, or a more urgent one; at most 5% false
alarms on stories without one. `python -m tests.test_red_flag_stories` prints the figures and the misses.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import pytest
import yaml

from actions import settings
from actions.medication import ActionAnswerMedication
from actions.red_flags import ActionRedFlag
from actions.topics import ActionAnswerTopic
from actions.triage import LEVEL_ORDER, RED_FLAG_LEVELS, find_red_flags
from actions.unanswered import ActionUnanswered
from tests.conftest import make_tracker

ROOT = Path(__file__).resolve().parent.parent
STORY_FILES = (ROOT / "tests" / "nlu" / "red_flag_stories.yml", ROOT / "tests" / "nlu" / "real_red_flags.yml")
MAX_FALSE_ALARMS = 0.05


@dataclass(frozen=True)
class Story:
    text: str
    source: str
    flags: Tuple[str, ...]
    file: str


def load_stories(paths: Sequence[Path] = STORY_FILES) -> List[Story]:
    stories = []
    for path in paths:
        if not path.exists():
            continue
        for raw in yaml.safe_load(path.read_text(encoding="utf-8"))["stories"]:
            stories.append(
                Story(str(raw["text"]).strip(), str(raw.get("source", "")), tuple(raw["flags"] or ()), path.name)
            )
    return stories


STORIES = load_stories()


def rank(flag: str) -> int:
    return LEVEL_ORDER.index(RED_FLAG_LEVELS[flag])


def caught(expected: Sequence[str], found: Sequence[str]) -> bool:
    """Every expected sign found, or a sign found that is more urgent than it."""
    return all(flag in found or any(rank(f) < rank(flag) for f in found) for flag in expected)


@dataclass(frozen=True)
class Figures:
    with_sign: int
    hits: int
    without_sign: int
    false_alarms: int
    misses: Tuple[Tuple[Story, Tuple[str, ...]], ...]
    alarms: Tuple[Tuple[Story, Tuple[str, ...]], ...]

    @property
    def hit_rate(self) -> float:
        return self.hits / max(self.with_sign, 1)

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / max(self.without_sign, 1)

    def lines(self) -> List[str]:
        return [
            f"warning-sign stories: {self.hits} of {self.with_sign} caught ({self.hit_rate:.1%})",
            f"stories without a sign: {self.false_alarms} false alarms of {self.without_sign}"
            f" ({self.false_alarm_rate:.1%}, limit {MAX_FALSE_ALARMS:.0%})",
            *(
                f"  missed {s.file} {s.source}: wanted {list(s.flags)}, found {list(f)}: {s.text[:90]}"
                for s, f in self.misses
            ),
            *(f"  false alarm {s.file} {s.source}: {list(f)}: {s.text[:90]}" for s, f in self.alarms),
        ]


def measure(stories: Sequence[Story]) -> Figures:
    found: Dict[int, Tuple[str, ...]] = {i: tuple(find_red_flags(s.text)) for i, s in enumerate(stories)}
    signs = [i for i, s in enumerate(stories) if s.flags]
    plain = [i for i, s in enumerate(stories) if not s.flags]
    misses = tuple((stories[i], found[i]) for i in signs if not caught(stories[i].flags, found[i]))
    alarms = tuple((stories[i], found[i]) for i in plain if found[i])
    return Figures(len(signs), len(signs) - len(misses), len(plain), len(alarms), misses, alarms)


@pytest.fixture(scope="module")
def figures() -> Figures:
    result = measure(STORIES)
    print("\n" + "\n".join(result.lines()))
    for path in STORY_FILES:
        part = measure([s for s in STORIES if s.file == path.name])
        if part.with_sign or part.without_sign:
            print(f"{path.name}: " + "; ".join(part.lines()[:2]))
    return result


def test_the_written_stories_are_enough_and_use_known_signs():
    written = [s for s in STORIES if s.file == STORY_FILES[0].name]
    assert sum(1 for s in written if s.flags) >= 40 and sum(1 for s in written if not s.flags) >= 40
    assert {flag for s in STORIES for flag in s.flags} <= set(RED_FLAG_LEVELS)
    assert {flag for s in written for flag in s.flags} == set(RED_FLAG_LEVELS), "every sign has a written story"


def test_every_story_with_a_warning_sign_gets_it_or_a_more_urgent_one(figures):
    assert not figures.misses, "\n".join(figures.lines())


def test_false_alarms_on_stories_without_a_warning_sign_are_rare(figures):
    assert figures.false_alarm_rate <= MAX_FALSE_ALARMS, "\n".join(figures.lines())


# --- the answer path: every action gives the urgent advice first ---------------------------------------------

ISSUE_STORIES = {
    "I've had an ache in one calf since the long drive on Sunday and it gets worse every day": "worsening_one_leg",
    "the cramp in my right thigh has been going for ages and nothing I do makes it let go": "persistent_cramp",
    "I blacked out for a moment last night because the cramp hurt so much": "fainting",
}


def answer_ids(dispatcher) -> List[str]:
    return [m["answer_id"] for m in dispatcher.messages if "answer_id" in m]


@pytest.mark.parametrize("text, flag", sorted(ISSUE_STORIES.items()))
@pytest.mark.parametrize(
    "action_class, intent",
    [
        (ActionAnswerTopic, "ask_duration"),
        (ActionAnswerTopic, "ask_overview"),
        (ActionAnswerMedication, "ask_medication_safety"),
    ],
    ids=["duration", "overview", "medication"],
)
async def test_a_story_answered_as_anything_gets_the_urgent_advice_first(
    text, flag, action_class, intent, repository, dispatcher, domain
):
    await action_class(repository).run(dispatcher, make_tracker(text, intent), domain)
    assert answer_ids(dispatcher)[0] == f"red_flags/red_flag:{flag}"


@pytest.mark.parametrize("text, flag", sorted(ISSUE_STORIES.items()))
async def test_the_fallback_gives_the_urgent_advice(text, flag, repository, dispatcher, domain, review_url):
    await ActionUnanswered(repository).run(dispatcher, make_tracker(text, "nlu_fallback"), domain)
    assert answer_ids(dispatcher)[0] == f"red_flags/red_flag:{flag}"


@pytest.mark.parametrize(
    "text, flag, level",
    [
        ("his foot went white and cold", "pale_cold_leg", "emergency"),
        ("she says her pee is dark like cola since the cramps at the gym", "dark_urine", "urgent"),
        ("my calf pain comes on when I walk and goes when I stop", "claudication", "see_doctor"),
    ],
)
async def test_the_red_flag_action_reads_the_story(text, flag, level, repository, dispatcher, domain):
    events = await ActionRedFlag(repository).run(dispatcher, make_tracker(text, "report_red_flag"), domain)
    assert answer_ids(dispatcher)[0] == f"red_flags/red_flag:{flag}"
    assert {"event": "slot", "name": "referral_level", "value": level, "timestamp": None} in events


@pytest.mark.parametrize("text", ["what if my leg swells?", "my mum had a clot once", "no swelling"])
async def test_a_hypothetical_or_absent_sign_gets_when_to_worry_not_an_alarm(text, repository, dispatcher, domain):
    entities = [{"entity": "red_flag", "value": "dvt_signs"}]
    await ActionRedFlag(repository).run(dispatcher, make_tracker(text, "report_red_flag", entities), domain)
    ids = answer_ids(dispatcher)
    assert ids[0] == "when_to_see_doctor/general" and not any(i.startswith("red_flags/") for i in ids)


def test_the_emergency_number_is_in_every_emergency_answer(repository):
    for flag, level in RED_FLAG_LEVELS.items():
        text = repository.answer("red_flags", [("red_flag", flag)]).text
        assert repository.answer("red_flags", [("red_flag", flag)]).subject == ("red_flag", flag)
        if level == "emergency":
            assert "{emergency_number}" in text and "now" in text


def main() -> int:
    result = measure(STORIES)
    print(
        f"stories from {', '.join(p.name for p in STORY_FILES if p.exists())} (knowledge base {settings.KNOWLEDGE_DIR})"
    )
    print("\n".join(result.lines()))
    for path in STORY_FILES:
        part = measure([s for s in STORIES if s.file == path.name])
        if part.with_sign or part.without_sign:
            print(f"{path.name}: " + "; ".join(part.lines()[:2]))
    return 0 if not result.misses and result.false_alarm_rate <= MAX_FALSE_ALARMS else 1


if __name__ == "__main__":
    sys.exit(main())
