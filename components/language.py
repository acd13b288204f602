"""LanguageDetector: an NLU component that marks messages written confidently in another language.

It runs last in config.yml's pipeline, after FallbackClassifier. When a message is long enough and
langid (which ships its model inside the package: nothing is downloaded) is sure it is not English,
it sets the intent `other_language` at confidence 1.0 (the earlier ranking stays below it) and adds
an entity `language` whose value is the ISO 639-1 code ("de", "es" ...). The rule in
data/rules/language.yml then runs action_answer_other_language (actions/language.py), which answers
in that language when the domain has `utter_other_language_<code>`.

Short or mixed messages never flip an English conversation: "ok", "gracias", "cramp en la pierna" and
"thanks merci" stay with the English intent. A message needs `min_words` words, `min_letters` letters,
langid's normalised probability of at least `min_confidence`, and fewer than `max_english_share` of
its words from ENGLISH_WORDS (common English words and the domain's English words, chosen so that
none is also a common word in the languages we answer)."""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_CONFIDENCE,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from components.base import UntrainedComponent, set_ranking

logger = logging.getLogger(__name__)

OTHER_LANGUAGE_INTENT = "other_language"
LANGUAGE_ENTITY = "language"
ENGLISH = "en"

# Words that say "this is English" when a message mixes languages. Left out on purpose, because they
# are also common words in Spanish, French, German, Portuguese, Italian or Polish: a, i, in, me, no,
# do, on, to, so, or, am, was, die, will, also, hand, arm, bad, pain, muscle, massage, doctor, normal.
ENGLISH_WORDS = frozenset(
    """
    the and but my your his her our their it its is are were be been not you we they he she him them us
    if because like much many more always never often again still worse better during while since
    don doesn didn isn aren wasn won im ive up wake wakes woke waking nightly severe
    what why how when where which who whose can could should would does did have has had
    with for from of at about after before than then this that these those there here
    very really just only any some every get gets got getting make take keep stop help
    yes yeah ok okay thanks thank please hello hi hey bye sorry
    night nights day days week morning evening sleep sleeping bed
    leg legs legg calf calfs calves foot feet thigh thighs toe toes knee ankle back
    cramp cramps cramping cramped crams spasm spasms charley charlie horse horses sore ache aches hurts hurt
    nurse pharmacist tablet tablets pills pill water drink stretch stretching
    """.split()
)

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Scripts written without spaces between words: Thai, Lao, Khmer, Japanese kana, CJK ideographs, Hangul.
_NO_SPACES = re.compile("[\u0e00-\u0eff\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def words(text: str) -> List[str]:
    """The words of a text: runs of letters in any script, lower-cased."""
    return [w.lower() for w in _WORD.findall(text)]


def size(tokens: List[str]) -> Tuple[float, int]:
    """(words, letters) of a message. In scripts written without spaces a run of characters is one token,
    so each such character counts as half a word and three letters ("为什么我晚上腿抽筋" is 4.5 words)."""
    n_words, letters = 0.0, 0
    for token in tokens:
        dense = len(_NO_SPACES.findall(token))
        n_words += dense / 2 + (1 if dense < len(token) else 0)
        letters += 3 * dense + (len(token) - dense)
    return n_words, letters


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class LanguageDetector(UntrainedComponent, IntentClassifier):
    """Sets intent `other_language` and entity `language` on messages confidently not in English."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            "min_words": 4,
            "min_letters": 20,
            "min_confidence": 0.98,
            "max_english_share": 0.2,
        }

    @staticmethod
    def required_packages() -> List[str]:
        return ["langid"]

    def __init__(self, config: Dict[str, Any]) -> None:
        super().__init__(config)
        # Imported here: langid unpacks its model (about 2 s, 45 MB) when the component is built, once
        # per Rasa process, not at import time and not for training (the component trains nothing).
        from langid.langid import LanguageIdentifier, model

        self._identifier = LanguageIdentifier.from_modelstring(model, norm_probs=True)

    def detect(self, text: str) -> Optional[Tuple[str, float]]:
        """(language code, probability) when `text` is confidently not English, else None."""
        config = self.component_config
        tokens = words(text)
        n_words, letters = size(tokens)
        if n_words < config["min_words"] or letters < config["min_letters"]:
            return None
        english = sum(1 for t in tokens if t in ENGLISH_WORDS)
        if english / len(tokens) >= config["max_english_share"]:
            return None
        code, probability = self._identifier.classify(text)
        if code == ENGLISH or probability < config["min_confidence"]:
            return None
        return code, float(probability)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text or text.startswith("/"):  # empty, or a button payload such as /ask_overview
                continue
            found = self.detect(text)
            if found is None:
                continue
            code, probability = found
            logger.debug("message in language %s (p=%.4f): intent %s", code, probability, OTHER_LANGUAGE_INTENT)
            intent = {INTENT_NAME_KEY: OTHER_LANGUAGE_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
            ranking = [
                r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != OTHER_LANGUAGE_INTENT
            ]
            set_ranking(message, [intent, *ranking])
            entities = [e for e in message.get(ENTITIES) or [] if e.get(ENTITY_ATTRIBUTE_TYPE) != LANGUAGE_ENTITY]
            entities.append(
                {
                    ENTITY_ATTRIBUTE_TYPE: LANGUAGE_ENTITY,
                    ENTITY_ATTRIBUTE_VALUE: code,
                    ENTITY_ATTRIBUTE_START: 0,
                    ENTITY_ATTRIBUTE_END: len(text),
                    ENTITY_ATTRIBUTE_CONFIDENCE: probability,
                    EXTRACTOR: self.__class__.__name__,
                }
            )
            message.set(ENTITIES, entities, add_to_output=True)
        return messages
