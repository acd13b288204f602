"""The project's own NLU components, on Rasa messages as the pipeline passes them."""

from __future__ import annotations

from typing import Tuple

import numpy as np
import pytest
import scipy.sparse
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.in_scope import InScope, about_a_leg_cramp
from components.length_scaling import length_factor, scaled
from components.multi_intent_guard import MultiIntentGuard, asks_two_things
from components.narrative import Narrative
from components.question_focus import QUESTION_MARK, STORY_MARK, focus, focus_spans, marker
from components.warning_signs import WarningSigns


def tokenised(text: str) -> Message:
    message = Message({TEXT: text})
    tokens, start = [], 0
    for word in text.split():
        start = text.index(word, start)
        tokens.append(Token(word, start))
        start += len(word)
    message.set(TOKENS_NAMES[TEXT], tokens)
    return message


def classified(text: str, intent: str, *others: Tuple[str, float]) -> Message:
    """A message as DIET leaves it: `intent` first (0.9, or 1 minus the others' confidences), then `others`."""
    top = {"name": intent, "confidence": round(1.0 - sum(c for _, c in others), 6) if others else 0.9}
    ranking = [top, *({"name": n, "confidence": c} for n, c in others)]
    message = Message({TEXT: text})
    message.set(INTENT, ranking[0])
    message.set(INTENT_RANKING_KEY, ranking)
    return message


def test_the_question_of_a_story_counts_twice():
    text = "My mum is 80. She gets cramps every night. Is her tablet to blame?"
    message = tokenised(text)
    before = len(message.get(TOKENS_NAMES[TEXT]))
    focus(message)
    words = [t.text for t in message.get(TOKENS_NAMES[TEXT])]
    assert words[before:] == ["Is", "her", "tablet", "to", "blame?", QUESTION_MARK]


def test_a_message_says_whether_it_asks_anything():
    assert marker("I get cramps in my calves. I drink plenty of water. Any suggestions.") == QUESTION_MARK
    assert marker("My son cramps after football. I want to know how to stop them") == QUESTION_MARK
    assert marker("Woke at 3am with a cramp. It went after a minute.") == STORY_MARK
    assert marker("I get cramps most nights") == ""
    assert focus_spans("My calf cramps on runs. It's annoying. Any ideas how to fix it.") == [(38, 63)]


def test_a_long_story_weighs_like_a_one_line_question_and_a_short_one_is_left_as_it_is():
    counts = scipy.sparse.coo_matrix(np.array([[1, 0, 2]]))
    assert length_factor("how do i stop a cramp", 12) == 1.0
    assert np.isclose(length_factor(" ".join(["word"] * 48), 12), 0.5)
    assert np.allclose(scaled(counts).toarray(), [[1.0, 0.0, 1.0 + np.log(2)]])  # 1 + ln(count)
    assert np.allclose(scaled(counts, 0.5).toarray(), [[0.5, 0.0, 0.5 * (1.0 + np.log(2))]])


def test_a_two_question_label_needs_two_questions():
    assert asks_two_things("what causes leg cramps and how can i prevent them")
    assert asks_two_things("I get cramps. Why? What can I do?")
    assert not asks_two_things("how do i stop waking up with cramps every single night")
    assert not asks_two_things("ok thanks, and can stretching stop them happening?")  # thanks is no question
    runners_up = (("ask_prevention", 0.3), ("ask_self_care", 0.2))  # the two-question label has 0.5
    one = classified("how do i stop getting cramps", "ask_self_care+ask_prevention", *runners_up)
    two = classified(
        "why do they happen and how do i stop them",
        "ask_self_care+ask_prevention",
        ("ask_prevention", 0.45),
        ("ask_self_care", 0.05),
    )
    sure = classified(two.get(TEXT), "ask_prevention", ("ask_self_care+ask_prevention", 0.2))
    MultiIntentGuard({}).process([one, two, sure])
    assert one.get(INTENT) == {"name": "ask_prevention", "confidence": 0.8}
    assert [r["name"] for r in one.get(INTENT_RANKING_KEY)] == ["ask_prevention", "ask_self_care"]
    # two questions, and the runner-up is a part of the two-question label: one reading, not an ambiguity
    assert two.get(INTENT) == {"name": "ask_self_care+ask_prevention", "confidence": 0.95}
    assert [r["name"] for r in two.get(INTENT_RANKING_KEY)] == ["ask_self_care+ask_prevention", "ask_self_care"]
    assert sure.get(INTENT)["name"] == "ask_prevention"  # DIET is sure of one reading: left as it is


def test_two_questions_read_as_one_of_them_or_both_get_both():
    text = "I get cramps in my calfs. Why do they happen? How do I stop them?"
    part_first = classified(text, "ask_causes", ("ask_causes+ask_prevention", 0.45), ("ask_triggers", 0.05))  # 0.5
    other = classified(text, "ask_causes", ("ask_triggers", 0.45), ("ask_causes+ask_prevention", 0.05))
    MultiIntentGuard({}).process([part_first, other])
    assert part_first.get(INTENT) == {"name": "ask_causes+ask_prevention", "confidence": 0.95}
    assert [r["name"] for r in part_first.get(INTENT_RANKING_KEY)] == ["ask_causes+ask_prevention", "ask_triggers"]
    assert [r["name"] for r in other.get(INTENT_RANKING_KEY)] == [
        "ask_causes",
        "ask_triggers",
        "ask_causes+ask_prevention",
    ]


def test_a_story_without_a_question_repeats_its_last_sentence_and_one_sentence_nothing():
    assert focus_spans("I get cramps. They wake me up every night.") == [(13, 42)]
    assert focus_spans("what causes leg cramps?") == []
    assert focus_spans("What causes them? How do I stop them?") == []


def test_a_warning_sign_in_a_story_without_a_question_becomes_a_red_flag_report():
    messages = [
        classified("my mum is 83 and her left calf has been swollen and hot since her operation", "report_symptoms"),
        classified("bye, I blacked out from the pain last night", "goodbye"),
    ]
    WarningSigns({}).process(messages)
    assert [m.get(INTENT)["name"] for m in messages] == ["report_red_flag", "report_red_flag"]
    assert messages[0].get(INTENT_RANKING_KEY)[1]["name"] == "report_symptoms"


def test_questions_form_answers_and_stories_without_a_sign_keep_their_intent():
    messages = [
        classified("what causes leg cramps? my calf is swollen and red", "ask_causes"),
        classified("my calf is swollen", "inform"),
        classified("my dad gets cramps most nights, no swelling or redness", "report_symptoms"),
        classified("/report_symptoms", "report_symptoms"),
    ]
    WarningSigns({}).process(messages)
    assert [m.get(INTENT)["name"] for m in messages] == ["ask_causes", "inform", "report_symptoms", "report_symptoms"]


@pytest.mark.parametrize(
    "text, leg_cramp",
    [
        ("I always get cramps in my lower leg when I run. How can I avoid this?", True),
        ("how do you get rid of a charlie horse", True),
        ("a spasm in my left calf woke me up", True),
        ("are period cramps the same thing? they go into my thighs", False),  # a neighbour, named
        ("my husband kicks his legs all night, is that cramp?", False),  # restless legs told without the name
        ("I get stomach cramps after running", False),
        ("my feet are freezing every night", False),  # no cramp
        ("writer's cramp in my hand", False),  # not the leg
    ],
)
def test_a_leg_cramp_is_told_apart_from_its_neighbours(text, leg_cramp):
    assert about_a_leg_cramp(text) is leg_cramp


def test_a_leg_cramp_read_as_out_of_scope_gets_the_best_leg_cramp_intent():
    texts = [
        "I always get cramps in my lower leg when I run. How can I avoid this?",  # a leg cramp: in scope
        "how do I stop period cramps in my thighs",  # a neighbour: stays
        "tell me a joke about cramps",  # no leg: stays
    ]
    messages = [classified(t, "out_of_scope", ("greet", 0.1), ("ask_prevention", 0.05)) for t in texts]
    InScope({}).process(messages)
    assert [m.get(INTENT)["name"] for m in messages] == ["ask_prevention", "out_of_scope", "out_of_scope"]
    assert messages[0].get(INTENT_RANKING_KEY) == [
        {"name": "ask_prevention", "confidence": 0.85},
        {"name": "greet", "confidence": 0.1},
        {"name": "out_of_scope", "confidence": 0.05},
    ]


def test_a_story_that_asks_nothing_is_a_description_not_a_question():
    story = "Woke at 3am with my calf like a rock. Stretched it out. Sore today but fine."
    pairs = [(story, "ask_prevention"), (story + " Any tips?", "ask_prevention")]
    pairs += [(story, "report_red_flag"), (story, "out_of_scope")]
    messages = [classified(text, intent, ("report_symptoms", 0.3)) for text, intent in pairs]
    Narrative({}).process(messages)
    assert [m.get(INTENT)["name"] for m in messages] == [
        "report_symptoms",
        "ask_prevention",
        "report_red_flag",
        "out_of_scope",
    ]
    assert messages[0].get(INTENT_RANKING_KEY) == [
        {"name": "report_symptoms", "confidence": 0.7},
        {"name": "ask_prevention", "confidence": 0.3},
    ]


def test_a_story_that_asks_a_question_gets_the_question_not_the_assessment():
    story = "My son plays rugby and gets cramp in both calfs near the end of games. He drinks loads of water."
    texts = [
        story + " What else can he do to stop them?",  # a story with a question: the question
        story + " Can you check his symptoms?",  # a request for the assessment: stays
        story + " Stretching helps a bit.",  # asks nothing: stays
        "What can he do to stop them?",  # one sentence: left to DIET
    ]
    messages = [classified(t, "report_symptoms", ("affirm", 0.25), ("ask_prevention", 0.15)) for t in texts]
    Narrative({}).process(messages)
    assert [m.get(INTENT)["name"] for m in messages] == [
        "ask_prevention",
        "report_symptoms",
        "report_symptoms",
        "report_symptoms",
    ]
    assert messages[0].get(INTENT_RANKING_KEY) == [
        {"name": "ask_prevention", "confidence": 0.6},
        {"name": "affirm", "confidence": 0.25},
        {"name": "report_symptoms", "confidence": 0.15},
    ]
