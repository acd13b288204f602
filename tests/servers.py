"""HTTP helpers for the tests against a running local assistant (launch/assistant.py)."""

from __future__ import annotations

from typing import Any, Dict, Optional

import requests


def rest_post(
    urls: Dict[str, str], body: Any, token: Optional[str] = None, timeout: float = 60, **kwargs: Any
) -> requests.Response:
    """POST to the REST channel with the assistant's bearer token; `body` is JSON unless it is bytes."""
    headers = {"Authorization": f"Bearer {token or urls['token']}", **kwargs.pop("headers", {})}
    url = f"{urls['rasa']}/webhooks/rest/webhook"
    if isinstance(body, bytes):
        headers.setdefault("Content-Type", "application/json")
        return requests.post(url, data=body, headers=headers, timeout=timeout, **kwargs)
    return requests.post(url, json=body, headers=headers, timeout=timeout, **kwargs)
