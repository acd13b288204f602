"""The project's own NLU components, on Rasa messages as the pipeline passes them."""

from __future__ import annotations

from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.question_focus import focus, focus_spans
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


def classified(text: str, intent: str) -> Message:
    message = Message({TEXT: text})
    message.set(INTENT, {"name": intent, "confidence": 0.9})
    message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": 0.9}])
    return message


def test_the_question_of_a_story_counts_twice():
    text = "My mum is 80. She gets cramps every night. Is her tablet to blame?"
    message = tokenised(text)
    before = len(message.get(TOKENS_NAMES[TEXT]))
    focus(message)
    words = [t.text for t in message.get(TOKENS_NAMES[TEXT])]
    assert words[before:] == ["Is", "her", "tablet", "to", "blame?"]


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
