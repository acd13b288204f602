"""A faster check of the action server's answers, with the same schema and the same errors as Rasa's.

Rasa 3.6.21 checks every action server response with `jsonschema.validate(result, schema)`
(`RemoteAction._validate_action_result`). That call first validates Rasa's events schema against the
JSON Schema meta-schema and builds a new validator, every time: in a py-spy profile of sequential REST
messages (docs/performance.md) it was a quarter of the Rasa server's CPU. Here the schema is checked
once and its validator built once; each response is still validated in full, and an invalid one raises
the same `ValidationError` with the same message as Rasa's.

`apply()` replaces the method on Rasa's `RemoteAction`; `patches.apply_all()` calls it at start-up
(`launch.rasa_cli`), so it runs in every Rasa server of this project (`make run`, the production profile,
the containers, the tests and the bench)."""

from __future__ import annotations

import functools
from typing import Any, Dict

from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

from channels import settings


@functools.lru_cache(maxsize=1)
def response_validator() -> Validator:
    """Rasa's schema for action server responses, checked against its meta-schema once."""
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(_: RemoteAction, result: Dict[str, Any]) -> bool:
    """True for a valid response; raises Rasa's `ValidationError` (with Rasa's hint) for an invalid one."""
    error = best_match(response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


RASA_VERSION = "3.6.21"
"""The Rasa version whose `RemoteAction._validate_action_result` this replaces (checked by patches.apply_all)."""

ORIGINAL = RemoteAction._validate_action_result


def apply() -> None:
    """Make Rasa's RemoteAction use the cached check, unless ACTION_RESULT_CHECK=stock."""
    stock = settings.ACTION_RESULT_CHECK == "stock"
    RemoteAction._validate_action_result = ORIGINAL if stock else validate_action_result
