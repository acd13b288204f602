"""The knowledge base the channel and widget tests answer from: the real one, whose general answer on causes
names its sources with links (`sources: [{name, url}]`). Should that record have none (a knowledge base from
before the links), a copy is used in which it has two, so that the display of links is always tested."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

from actions.seed import load_source
from actions.settings import KNOWLEDGE_DIR as KNOWLEDGE
from channels import display

FALLBACK = [
    {"name": "NHS", "url": "https://www.nhs.uk/conditions/leg-cramps/"},
    {"name": "NICE CKS", "url": "https://cks.nice.org.uk/topics/leg-cramps/"},
]
QUESTION = "what causes leg cramps?"
"""Answered by causes/general."""


def causes_source(directory: Path) -> str:
    return next(a.source for a in load_source(directory).answers if a.topic == "causes" and not a.subject)


def knowledge_with_links(tmp: Path) -> Tuple[Dict[str, str], List[Tuple[str, str]]]:
    """The environment that makes the servers answer from such a knowledge base, and the (name, url) of the
    sources of the answer to QUESTION."""
    found = display.links(display.SOURCE_PREFIX + causes_source(KNOWLEDGE))
    if found:
        return {}, found
    copy = tmp / "knowledge"
    shutil.copytree(KNOWLEDGE, copy)
    causes = yaml.safe_load((copy / "causes.yml").read_text(encoding="utf-8"))
    general = next(a for a in causes["answers"] if not a.get("subject"))
    general.pop("sources", None)
    general["source"] = "; ".join(f"{s['name']} ({s['url']})" for s in FALLBACK)  # the display form; any seed reads it
    (copy / "causes.yml").write_text(yaml.safe_dump(causes, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return {"KB_SOURCE_DIR": str(copy)}, display.links(display.SOURCE_PREFIX + causes_source(copy))
