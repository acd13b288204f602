"""The knowledge base: its YAML source, the seeding, the repository, and the medical-safety rules."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from actions.db import Answer, Subject, Term, session_factory
from actions.repository import AnswerNotFound, KnowledgeRepository
from actions.seed import SourceError, load_source, seed
from actions.triage import RED_FLAG_LEVELS, find_terms

SOURCE = load_source()
TOPICS = {
    "overview",
    "causes",
    "triggers",
    "risk_groups",
    "when_to_see_doctor",
    "diagnosis",
    "treatment",
    "self_care",
    "prevention",
    "medication",
    "red_flags",
    "doctor_visit",
}
ENTITY_KEYS = {
    "body_part": {"calf", "thigh", "foot", "hand", "arm", "abdomen"},
    "condition": {
        "pregnancy",
        "diabetes",
        "peripheral_artery_disease",
        "kidney_disease",
        "dialysis",
        "cirrhosis",
        "cancer_treatment",
        "vascular_disease",
        "restless_legs_syndrome",
        "alcohol_misuse",
        "drug_misuse",
        "ageing",
        "thyroid_disease",
    },
    "trigger": {"sleep_position", "reduced_squatting", "overuse", "dehydration", "muscle_fatigue", "nerve_damage"},
    "medication": {
        "quinine",
        "tonic_water",
        "benzodiazepine",
        "muscle_relaxant",
        "statin",
        "diuretic",
        "painkiller",
        "magnesium",
    },
    "red_flag": set(RED_FLAG_LEVELS),
    "level": {"emergency", "urgent", "see_doctor", "self_care"},
}


def texts(topic=None, subject=None):
    return [
        a for a in SOURCE.answers if (topic is None or a.topic == topic) and (subject is None or a.subject == subject)
    ]


def test_every_topic_has_a_general_answer():
    assert {a.topic for a in SOURCE.answers if a.subject is None} == TOPICS


def test_subject_keys_match_the_contract():
    for kind, keys in ENTITY_KEYS.items():
        assert {s.key for s in SOURCE.subjects if s.kind == kind} == keys, kind


def test_every_record_names_a_source_and_a_review_date():
    for a in SOURCE.answers:
        assert a.source and len(a.source) > 5, a
        assert a.reviewed.year >= 2026, a


@pytest.mark.parametrize("answer", SOURCE.answers, ids=lambda a: f"{a.topic}-{a.subject}")
def test_no_answer_gives_a_dose_or_repeats_the_article_uncorrected(answer):
    text = answer.text.lower()
    assert not re.search(r"\d+(\.\d+)?\s*(mg|milligram|microgram|mcg|ml|tablet|pill|capsule)", text)
    assert "avoid stretching" not in text and "avoid attempting to relieve" not in text
    assert "not a substitute" not in text  # the disclaimer is appended by the answer path, never duplicated


def test_quinine_and_tonic_water_carry_the_fda_warning():
    for key in ("quinine", "tonic_water"):
        (answer,) = texts("medication", ("medication", key))
        assert "FDA" in answer.text + answer.source


def test_self_care_corrects_the_article_on_stretching():
    (general,) = [a for a in texts("self_care") if a.subject is None]
    assert "stretch" in general.text.lower()


def test_muscle_relaxants_are_not_promoted():
    for key in ("benzodiazepine", "muscle_relaxant"):
        for answer in texts(subject=("medication", key)):
            assert re.search(r"prescri", answer.text, re.I), answer
            assert re.search(r"fall|drows|confus", answer.text, re.I), answer


def test_emergency_answers_name_the_emergency_number():
    (chest,) = texts("red_flags", ("red_flag", "chest_symptoms"))
    (emergency,) = texts("when_to_see_doctor", ("level", "emergency"))
    assert "{emergency_number}" in chest.text and "{emergency_number}" in emergency.text


def test_seeding_twice_changes_nothing(kb_url):
    sessions = session_factory(kb_url)
    first = seed(sessions)
    assert first["added"] == len(SOURCE.subjects) + len(SOURCE.answers)
    assert seed(sessions) == {"added": 0, "updated": 0, "removed": 0}
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Answer)) == len(SOURCE.answers)
        assert s.scalar(select(func.count()).select_from(Subject)) == len(SOURCE.subjects)
        assert s.scalar(select(func.count()).select_from(Term)) == sum(len(x.terms) for x in SOURCE.subjects)


def test_seeding_applies_edits_and_removals(kb_url):
    sessions = session_factory(kb_url)
    seed(sessions)
    edited = SOURCE.answers[0].__class__(**{**SOURCE.answers[0].__dict__, "text": "Changed text."})
    smaller = SOURCE.__class__(SOURCE.subjects, (edited, *SOURCE.answers[2:]))
    counts = seed(sessions, smaller)
    assert counts == {"added": 0, "updated": 1, "removed": 1}
    repo = KnowledgeRepository(sessions)
    assert repo.answer(edited.topic, [edited.subject] if edited.subject else []).text == "Changed text."


def test_a_term_can_move_between_subjects(kb_url):
    sessions = session_factory(kb_url)
    seed(sessions)
    calf, thigh = (next(s for s in SOURCE.subjects if s.key == k) for k in ("calf", "thigh"))
    moved = (calf.terms[0],)
    subjects = tuple(
        s.__class__(s.kind, s.key, s.label, s.terms[1:])
        if s is calf
        else s.__class__(s.kind, s.key, s.label, s.terms + moved)
        if s is thigh
        else s
        for s in SOURCE.subjects
    )
    seed(sessions, SOURCE.__class__(subjects, SOURCE.answers))
    assert KnowledgeRepository(sessions).terms("body_part")[moved[0]] == "thigh"


def test_repository_prefers_the_named_subject_then_falls_back(repository):
    specific = repository.answer("causes", [("condition", "pregnancy")])
    assert specific.subject == ("condition", "pregnancy")
    assert repository.answer("causes", [("body_part", "no-such-key")]).subject is None
    assert repository.answer("causes", [("trigger", "overuse"), ("condition", "diabetes")]).subject == (
        "condition",
        "diabetes",
    )


def test_repository_resolves_terms_and_keys(repository):
    names = repository.terms("medication")
    assert names["quinine"] == "quinine" and names["ativan"] == "benzodiazepine"


def test_unseeded_database_raises_a_clear_error(kb_url):
    with pytest.raises(AnswerNotFound):
        KnowledgeRepository(session_factory(kb_url)).answer("causes")


def test_inconsistent_source_is_refused(tmp_path):
    (tmp_path / "subjects.yml").write_text(
        "subjects:\n  - {kind: body_part, key: calf, label: calf, terms: [calf]}\n"
        "  - {kind: body_part, key: thigh, label: thigh, terms: [calf]}\n"
    )
    with pytest.raises(SourceError, match="belongs to"):
        load_source(tmp_path)
    (tmp_path / "subjects.yml").write_text("subjects:\n  - {kind: body_part, key: calf, label: calf, terms: [calf]}\n")
    (tmp_path / "causes.yml").write_text(
        "topic: causes\nanswers:\n  - {subject: {kind: condition, key: gout}, text: t, source: s, evidence: agreed,"
        " reviewed: 2026-11-24}\n"
    )
    with pytest.raises(SourceError, match="unknown subject"):
        load_source(tmp_path)


WARNINGS = {
    "my calf is swollen and has gone red": "dvt_signs",
    "the back of my leg feels warm to the touch": "dvt_signs",
    "I'm short of breath since the cramp": "chest_symptoms",
    "my foot went numb after the spasm": "neuro_symptoms",
    "the cramp won't go away, it's been over 20 minutes": "persistent_cramp",
    "I stepped on a rusty nail last week and now my legs spasm": "toxin_or_wound",
}
INNOCENT = [
    "does red wine cause leg cramps?",
    "what can lead to cramps at night?",
    "should I use a warm bath or an ice pack",
    "I have no swelling and no chest pain, just cramps",
    "is a heating pad good for a charley horse",
]


@pytest.mark.parametrize("text, flag", sorted(WARNINGS.items()))
def test_the_red_flag_net_catches_warning_signs(text, flag, repository):
    assert flag in find_terms(text, repository.terms("red_flag"))


@pytest.mark.parametrize("text", INNOCENT)
def test_the_red_flag_net_ignores_ordinary_questions(text, repository):
    assert find_terms(text, repository.terms("red_flag")) == []
