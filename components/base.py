"""What the project's NLU components share: none of them trains, so each is built from its config alone."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message


def set_ranking(message: Message, ranking: List[Dict[str, Any]]) -> None:
    """The message's intent ranking replaced by `ranking`; its first entry becomes the intent."""
    message.set(INTENT, ranking[0], add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)


class UntrainedComponent(GraphComponent):
    """A graph component with nothing to train or persist: `create` builds it from its config."""

    def __init__(self, config: Dict[str, Any]) -> None:
        self.component_config = {**self.get_default_config(), **config}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config)
