"""Real language: intents of real people's messages, the answers they get over REST, and warning signs in stories.

    .venv/bin/python -m bench.real_language [--model models/current.tar.gz] [--out var/real-language.json]

- `tests/nlu/real.yml`: real messages copied from public sources (tests/nlu/real_sources.md), each labelled with
  its intent and the answers a good assistant gives (`answers`: knowledge-base answer ids such as
  `causes/medication:statin`, or `form:referral_form`, `out_of_scope`, `utter_other_language_<code>`).
  Intent F1 comes from `/model/parse`; answer accuracy from a new REST conversation per message, reading the
  answer ids and response names of the bot's messages from the conversation's tracker (`BotUttered.metadata`).
- `tests/nlu/red_flag_stories.yml` and `tests/nlu/real_red_flags.yml`: stories with and without a warning sign.
  A story with one must get urgent advice (a `red_flags/...` answer) before any other answer; a story without one
  must get none (a false alarm otherwise).

`make bench` runs it for ours and the peer; alone it starts ours from a model file."""

from __future__ import annotations

import argparse
import json
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import yaml

from bench.understanding import intent_scores, predicted
from launch.assistant import INTEGRATOR

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "nlu" / "real.yml"
STORY_FILES = (ROOT / "tests" / "nlu" / "red_flag_stories.yml", ROOT / "tests" / "nlu" / "real_red_flags.yml")
RED_FLAGS_TOPIC = "red_flags"
RESPONSE_ANSWERS = {
    "utter_start_assessment": "form:referral_form",
    "utter_out_of_scope": "out_of_scope",
    "utter_prepare_doctor_visit": "form:doctor_visit_form",
}
"""Replies that are not knowledge-base answers, as the labels of real.yml name them."""
OTHER_LANGUAGE_PREFIX = "utter_other_language"


def say(message: str) -> None:
    print(f"[real-language {time.strftime('%H:%M:%S')}] {message}", flush=True)


def read_real(path: Path = REAL) -> List[Dict[str, Any]]:
    """The labelled real messages: text, intent, acceptable answers and source id."""
    examples: List[Dict[str, Any]] = []
    for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
        for example in block.get("examples") or []:
            if isinstance(example, str):
                continue
            meta = example.get("metadata") or {}
            examples.append(
                {
                    "text": str(example["text"]).strip(),
                    "intent": block["intent"],
                    "answers": list(meta.get("answers") or []),
                    "source": meta.get("source"),
                }
            )
    return examples


def read_stories(paths: Sequence[Path] = STORY_FILES) -> List[Dict[str, Any]]:
    """Stories with their expected warning signs ([] for none), from every story file present."""
    stories: List[Dict[str, Any]] = []
    for path in paths:
        if not path.exists():
            continue
        for story in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("stories") or []:
            stories.append(
                {"text": str(story["text"]).strip(), "flags": list(story.get("flags") or []), "file": path.name}
            )
    return stories


def http_json(url: str, body: Optional[Dict[str, Any]] = None, token: str = "", timeout: float = 60) -> Any:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        return json.loads(reply.read())


def reply_labels(tracker: Dict[str, Any]) -> List[str]:
    """What the bot gave after the last user message: answer ids and the labels of other replies, in order."""
    events = tracker.get("events") or []
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    labels: List[str] = []
    for event in events[last_user + 1 :]:
        if event.get("event") == "active_loop" and event.get("name"):
            labels.append(f"form:{event['name']}")
        if event.get("event") != "bot":
            continue
        meta = event.get("metadata") or {}
        response = str(meta.get("utter_action") or "")
        if meta.get("answer_id"):
            labels.append(str(meta["answer_id"]))
        elif response in RESPONSE_ANSWERS:
            labels.append(RESPONSE_ANSWERS[response])
        elif response.startswith(OTHER_LANGUAGE_PREFIX):
            labels.append(response)  # utter_other_language_<code>: the language must be the right one too
    return labels


def credited(gold: str, prediction: Dict[str, Any]) -> Dict[str, Any]:
    """A two-question prediction (`ask_causes+ask_prevention`) counts as right for a message labelled with one
    of its parts: the assistant answers that question, and the other one the message also asked."""
    parts = str(prediction["pred_intent"]).split("+")
    return {**prediction, "pred_intent": gold} if len(parts) > 1 and gold in parts else prediction


def converse(rasa_url: str, token: str, text: str, integrator: str = INTEGRATOR) -> Dict[str, Any]:
    """One message from a new user over REST; the reply's texts and labels."""
    sender = f"real-{uuid.uuid4().hex[:10]}"
    replies = http_json(f"{rasa_url}/webhooks/rest/webhook", {"sender": sender, "message": text}, token=token)
    tracker = http_json(f"{rasa_url}/conversations/{integrator}:{sender}/tracker")
    return {"texts": [r.get("text") or "" for r in replies], "labels": reply_labels(tracker)}


def answered(expected: Sequence[str], labels: Sequence[str]) -> bool:
    """True when an acceptable answer is among the reply's labels. Where a topic's general answer is acceptable,
    its answer about a subject the message named is too (`prevention/trigger:exercise` for `prevention/general`):
    the assistant gives a subject's answer only when the message names that subject."""
    general = {answer.split("/")[0] for answer in expected if answer.endswith("/general")}
    return any(label in expected or label.split("/")[0] in general for label in labels)


def evaluate(rasa_url: str, token: str, name: str = "ours") -> Dict[str, Any]:
    """Every figure of the real-language sets for one running assistant."""
    real = read_real()
    say(f"{name}: {len(real)} real messages through /model/parse and REST")
    nlu_results, answers = [], []
    for example in real:
        parse = http_json(f"{rasa_url}/model/parse", {"text": example["text"]})
        nlu_results.append({**example, **credited(example["intent"], predicted(parse))})
        reply = converse(rasa_url, token, example["text"])
        answers.append({**example, **reply, "ok": answered(example["answers"], reply["labels"])})
    stories = read_stories()
    say(f"{name}: {len(stories)} warning-sign stories through REST")
    story_results = []
    for story in stories:
        labels = converse(rasa_url, token, story["text"])["labels"]
        first_is_urgent = bool(labels) and labels[0].startswith(f"{RED_FLAGS_TOPIC}/")
        any_urgent = any(label.startswith(f"{RED_FLAGS_TOPIC}/") for label in labels)
        story_results.append({**story, "labels": labels, "urgent_first": first_is_urgent, "urgent": any_urgent})
    return summary(nlu_results, answers, story_results)


def summary(
    nlu_results: List[Dict[str, Any]], answers: List[Dict[str, Any]], stories: List[Dict[str, Any]]
) -> Dict[str, Any]:
    with_flag = [s for s in stories if s["flags"]]
    without = [s for s in stories if not s["flags"]]
    return {
        "intent": intent_scores(nlu_results),
        "answers": {
            "messages": len(answers),
            "accuracy": sum(a["ok"] for a in answers) / len(answers) if answers else 0.0,
            "misses": [
                {"text": a["text"], "expected": a["answers"], "got": a["labels"]} for a in answers if not a["ok"]
            ],
        },
        "stories": {
            "with_sign": len(with_flag),
            "real_with_sign": sum(s["file"] == STORY_FILES[1].name for s in with_flag),
            "urgent_first_rate": sum(s["urgent_first"] for s in with_flag) / len(with_flag) if with_flag else 0.0,
            "without_sign": len(without),
            "false_alarm_rate": sum(s["urgent"] for s in without) / len(without) if without else 0.0,
            "missed": [s["text"] for s in with_flag if not s["urgent_first"]],
            "false_alarms": [s["text"] for s in without if s["urgent"]],
        },
    }


def main() -> None:
    from launch.assistant import running_assistant

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "current.tar.gz")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "real-language.json")
    args = parser.parse_args()
    workdir = ROOT / "var" / f"real-language-{uuid.uuid4().hex[:6]}"
    workdir.mkdir(parents=True)
    with running_assistant(workdir, args.model) as servers:
        result = evaluate(servers["rasa"], servers["token"])
    args.out.write_text(json.dumps(result, indent=2))
    intent, answers, stories = result["intent"], result["answers"], result["stories"]
    say(f"intent weighted F1 {intent['weighted_f1']:.3f} over {intent['messages']} messages")
    say(f"answer accuracy {answers['accuracy']:.3f} over {answers['messages']} messages")
    say(
        f"warning signs: urgent advice first {stories['urgent_first_rate']:.3f} of {stories['with_sign']} stories; "
        f"false alarms {stories['false_alarm_rate']:.3f} of {stories['without_sign']}"
    )
    say(f"details: {args.out}")


if __name__ == "__main__":
    main()
