"""Messages in other languages: the NLU component (components/language.py), the reply
(actions/language.py), and how they are wired into config.yml, the domain and the rules."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
import yaml
from rasa.shared.nlu.training_data.message import Message

from actions.language import ActionAnswerOtherLanguage
from components.language import LanguageDetector
from tests.conftest import entity, make_tracker, responses

ROOT = Path(__file__).resolve().parent.parent
ANSWERED = ["de", "es", "fr", "pt", "it", "pl"]

FOREIGN = [
    ("de", "Was verursacht Wadenkrämpfe in der Nacht?"),
    ("de", "Ich habe fast jede Nacht Krämpfe in den Waden, was kann ich tun?"),
    ("es", "¿Por qué me dan calambres en las piernas por la noche?"),
    ("es", "Tengo calambres en las piernas, ¿qué puedo hacer?"),
    ("fr", "Pourquoi j'ai des crampes aux jambes la nuit ?"),
    ("fr", "J'ai souvent des crampes au mollet, que faire ?"),
    ("pt", "Por que tenho cãibras nas pernas à noite?"),
    ("pt", "Tenho cãibras na panturrilha todas as noites, o que fazer?"),
    ("it", "Perché ho i crampi alle gambe di notte?"),
    ("it", "Ho spesso crampi al polpaccio, cosa posso fare?"),
    ("pl", "Skurcze łydek w nocy, co robić?"),
    ("pl", "Mam skurcze nóg prawie każdej nocy, co mogę zrobić?"),
    ("nl", "Waarom krijg ik kramp in mijn benen?"),
    ("zh", "为什么我晚上腿抽筋？"),
]

STAYS_ENGLISH = [
    "ok",
    "gracias",
    "merci beaucoup",
    "danke",
    "谢谢",
    "cramp en la pierna",
    "thanks merci",
    "tengo un cramp en mi leg por la noche",
    "ok thanks, and can stretching stop them happening?",
    "i get bad crams in my legg every nite what shud i do",
    "charlie horse in my calfs",
    "my mum is 80 and keeps getting woken by cramps in her thighs",
    "I've had an ache in one calf since the long drive on Sunday and it gets worse every day",
    "Restless legs syndrome at night",
    "Lorazepam baclofen quinine dose",
    "Severe charley horses wake me up nightly",
    "Dehydration after marathon training causes cramping?",
    "Toes curling painfully, calves rock hard",
    "/ask_overview",
    "",
]


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector({})


def parsed(text: str, intent: str = "ask_causes", confidence: float = 0.7) -> Message:
    """A message as the components before LanguageDetector leave it."""
    ranking = [{"name": intent, "confidence": confidence}, {"name": "ask_triggers", "confidence": 0.2}]
    return Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": ranking,
            "entities": [{"entity": "body_part", "value": "calf", "start": 0, "end": 3}],
        }
    )


def nlu_examples(path: Path) -> List[Tuple[str, str, Dict[str, Any]]]:
    """(intent, text, metadata) of every example of an NLU file, in either of Rasa's formats, annotations removed."""
    found = []
    for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
        examples = item.get("examples") or []
        if isinstance(examples, str):
            examples = [{"text": line.strip()[2:]} for line in examples.splitlines() if line.strip().startswith("- ")]
        for example in examples:
            text = re.sub(r"\[([^\]]*)\](\([^)]*\)|\{[^}]*\})", r"\1", str(example["text"]).strip())
            found.append((str(item.get("intent")), text, example.get("metadata") or {}))
    return found


def english_training_texts() -> List[str]:
    """Every English example of the NLU data (training, held-out and real-language test sets)."""
    paths = sorted([*(ROOT / "data" / "nlu").glob("*.yml"), *(ROOT / "tests" / "nlu").glob("*.yml")])
    return [text for path in paths for intent, text, _ in nlu_examples(path) if intent and intent != "other_language"]


REAL = ROOT / "tests" / "nlu" / "real.yml"
REAL_OTHER_LANGUAGE = [
    (text, metadata["answers"][0].rsplit("_", 1)[-1])
    for intent, text, metadata in (nlu_examples(REAL) if REAL.exists() else [])
    if intent == "other_language"
]


# ---- the component -------------------------------------------------------------------------------


@pytest.mark.parametrize("code, text", FOREIGN)
def test_detects_the_language_of_a_real_looking_question(detector, code, text):
    found = detector.detect(text)
    assert found is not None and found[0] == code


@pytest.mark.parametrize("text", STAYS_ENGLISH)
def test_short_mixed_and_english_messages_are_not_flipped(detector, text):
    message = parsed(text)
    detector.process([message])
    assert message.get("intent") == {"name": "ask_causes", "confidence": 0.7}
    assert [e["entity"] for e in message.get("entities")] == ["body_part"]


def test_no_english_training_or_held_out_message_is_flipped(detector):
    texts = english_training_texts()
    assert len(texts) > 1000
    assert [t for t in texts if detector.detect(t)] == []


@pytest.mark.skipif(not REAL_OTHER_LANGUAGE, reason="no other_language examples in tests/nlu/real.yml")
def test_the_real_messages_in_other_languages_are_detected(detector):
    missed = [
        (text, code, detector.detect(text))
        for text, code in REAL_OTHER_LANGUAGE
        if (detector.detect(text) or ("",))[0] != code
    ]
    assert missed == []


def test_a_foreign_message_gets_intent_other_language_and_the_language_entity(detector):
    message = parsed("Was verursacht Wadenkrämpfe in der Nacht?", intent="nlu_fallback", confidence=0.3)
    detector.process([message])
    assert message.get("intent") == {"name": "other_language", "confidence": 1.0}
    ranking = message.get("intent_ranking")
    assert ranking[0] == {"name": "other_language", "confidence": 1.0}
    assert ranking[1:] == [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "ask_triggers", "confidence": 0.2}]
    language = [e for e in message.get("entities") if e["entity"] == "language"]
    assert len(language) == 1 and language[0]["value"] == "de" and language[0]["confidence"] >= 0.98
    assert language[0]["extractor"] == "LanguageDetector"
    assert [e["entity"] for e in message.get("entities")] == ["body_part", "language"]
    assert message.as_dict(only_output_properties=True)["intent"]["name"] == "other_language"


def test_detection_repeats(detector):
    text = "Ho spesso crampi al polpaccio, cosa posso fare?"
    assert len({detector.detect(text) for _ in range(5)}) == 1


def test_thresholds_come_from_the_config():
    strict = LanguageDetector({"min_words": 20})
    assert strict.detect("Was verursacht Wadenkrämpfe in der Nacht?") is None


# ---- the reply -----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ANSWERED)
async def test_the_reply_is_in_the_language_detected(code, dispatcher, domain):
    tracker = make_tracker("…", "other_language", [entity("language", code)])
    events = await ActionAnswerOtherLanguage().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == [f"utter_other_language_{code}"]
    assert events == []


async def test_another_language_gets_the_english_reply_with_the_emergency_number(dispatcher, domain):
    tracker = make_tracker("Waarom krijg ik kramp in mijn benen?", "other_language", [entity("language", "nl")])
    await ActionAnswerOtherLanguage().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_other_language"]
    assert dispatcher.messages[0]["emergency_number"]


async def test_the_slot_is_used_when_the_entity_is_missing(dispatcher, domain):
    tracker = make_tracker("…", "other_language", slots={"language": "pl"})
    await ActionAnswerOtherLanguage().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_other_language_pl"]


# Each reply: only English for now; the emergency number; chest pain, breathlessness, a swollen, red
# or warm leg; "not a substitute for professional medical advice".
KEY_PHRASES = {
    "de": "nur Englisch|112|Brust|Atemnot|geschwollen|rot|warm|kein Ersatz|medizinische Beratung",
    "es": "solo entiendo inglés|112|pecho|falta el aire|hinchada|roja|caliente|No sustituye|médico profesional",
    "fr": "que l'anglais|112|poitrine|respirer|gonflée|rouge|chaude|ne remplacent pas|médical professionnel",
    "pt": "só entendo inglês|112|peito|falta de ar|inchada|vermelha|quente|Não substitui|médico profissional",
    "it": "solo l'inglese|112|petto|fiato corto|gonfia|rossa|calda|Non sostituiscono|medico professionale",
    "pl": "język angielski|112|klatce piersiowej|duszności|spuchniętej|czerwonej|ciepłej|Nie zastępują|porady",
}


@pytest.mark.parametrize("code", ANSWERED)
def test_each_reply_says_what_it_must(code, domain):
    (variation,) = domain["responses"][f"utter_other_language_{code}"]
    for phrase in KEY_PHRASES[code].split("|"):
        assert phrase in variation["text"], phrase
    assert "{" not in variation["text"], "only utter_other_language takes {emergency_number}"


def test_the_generic_reply_says_what_it_must(domain):
    (variation,) = domain["responses"]["utter_other_language"]
    text = variation["text"]
    for phrase in [
        "only understand English",
        "{emergency_number}",
        "chest pain",
        "breathing",
        "swollen, red or warm leg",
        "not a substitute for professional medical advice",
    ]:
        assert phrase in text, phrase


# ---- the wiring (nothing trained) ----------------------------------------------------------------


def test_the_component_is_last_in_the_pipeline():
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    names = [step["name"] for step in pipeline]
    assert names[-1] == "components.language.LanguageDetector"
    assert names.index("FallbackClassifier") < names.index("components.language.LanguageDetector")


def test_the_domain_and_the_rule_know_other_language(domain):
    assert "other_language" in domain["intents"]
    assert "language" in domain["entities"]
    assert domain["slots"]["language"]["mappings"] == [{"type": "from_entity", "entity": "language"}]
    assert domain["slots"]["language"]["influence_conversation"] is False
    assert "action_answer_other_language" in domain["actions"]
    rules = yaml.safe_load((ROOT / "data" / "rules" / "language.yml").read_text(encoding="utf-8"))["rules"]
    assert [{"intent": "other_language"}, {"action": "action_answer_other_language"}] in [r["steps"] for r in rules]


def test_other_language_is_never_trained():
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            assert item.get("intent") != "other_language", path
