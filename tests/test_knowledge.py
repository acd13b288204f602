"""The knowledge base: its YAML source, the seeding, the repository, and the medical-safety rules."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from actions.db import Answer, Subject, Term, engine_for, prepare_schema, session_factory
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
    "duration",
    "symptoms",
    "outlook",
    "names",
    "which_doctor",
    "doctor_help",
    "neighbours",
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
        "children",
        "growing_pains",
        "period_pain",
        "stomach_cramps",
        "chest_spasm",
    },
    "trigger": {
        "sleep_position",
        "reduced_squatting",
        "night",
        "overuse",
        "dehydration",
        "muscle_fatigue",
        "nerve_damage",
        "exercise",
    },
    "medication": {
        "quinine",
        "tonic_water",
        "benzodiazepine",
        "muscle_relaxant",
        "statin",
        "diuretic",
        "painkiller",
        "magnesium",
        "naproxen",
        "asthma_inhaler",
        "nifedipine",
        "blood_pressure_medicine",
        "raloxifene",
        "oestrogen",
        "teriparatide",
        "home_remedies",
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
    prepare_schema(engine_for(kb_url))  # the tables, as start-up creates them, but no seed
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


# --- issue 13: facets, sources with links, editor notes, readability ------------------------------------------

NEW_FACETS = {
    "duration/general",
    "symptoms/general",
    "outlook/general",
    "outlook/condition:pregnancy",
    "outlook/condition:ageing",
    "outlook/condition:children",
    "names/general",
    "which_doctor/general",
    "which_doctor/condition:pregnancy",
    "which_doctor/condition:children",
    "which_doctor/condition:dialysis",
    "doctor_help/general",
    "diagnosis/general",
    "overview/condition:restless_legs_syndrome",
    "overview/condition:peripheral_artery_disease",
    "triggers/trigger:exercise",
    "prevention/trigger:exercise",
    "risk_groups/condition:pregnancy",
    "risk_groups/condition:children",
    "risk_groups/condition:ageing",
    "causes/condition:dialysis",
    "causes/condition:cancer_treatment",
    "medication/medication:naproxen",
    "neighbours/general",
    "neighbours/condition:period_pain",
    "neighbours/condition:stomach_cramps",
    "neighbours/condition:chest_spasm",
    "neighbours/condition:growing_pains",
    "neighbours/condition:restless_legs_syndrome",
}
CRAMPING_MEDICINES = {
    "statin",
    "diuretic",
    "asthma_inhaler",
    "nifedipine",
    "raloxifene",
    "oestrogen",
    "naproxen",
    "teriparatide",
}
KNOWN_ORGANISATIONS = re.compile(
    r"^(NHS|NHS inform|NHS 111|NICE CKS|Mayo Clinic|Merck Manual|MedlinePlus|Cleveland Clinic|US FDA|MHRA|"
    r"American Family Physician|American Geriatrics Society Beers Criteria|"
    r"Medicine & Science in Sports & Exercise)(: .+)?$"
)
OWN_RECORDS = [a for a in SOURCE.answers if a.topic != "red_flags"]  # red_flags.yml has its own owner and tests


def by_id(answer_id):
    (answer,) = [a for a in SOURCE.answers if a.answer_id == answer_id]
    return answer


def test_the_new_facets_are_records_of_their_own():
    assert NEW_FACETS <= {a.answer_id for a in SOURCE.answers}


def test_every_medicine_known_to_cause_cramps_has_a_cause_record_that_says_not_to_stop_it():
    for key in CRAMPING_MEDICINES:
        text = by_id(f"causes/medication:{key}").text
        assert re.search(r"prescriber", text), key
        assert re.search(r"do not stop (it|your|a prescribed)", text, re.I), key


@pytest.mark.parametrize("answer", OWN_RECORDS, ids=lambda a: a.answer_id)
def test_every_record_names_known_organisations_with_links_and_is_re_dated(answer):
    assert answer.links and all(url.startswith("https://") for _, url in answer.links), answer.source
    assert all(KNOWN_ORGANISATIONS.match(name) for name, _ in answer.links), answer.source
    assert answer.reviewed.isoformat() == "2026-12-01"
    assert not any("article" in name.lower() for name, _ in answer.links), answer.source


@pytest.mark.parametrize("answer", SOURCE.answers, ids=lambda a: a.answer_id)
def test_nothing_a_user_reads_talks_about_the_article(answer):
    for text in (answer.text, answer.evidence_note or ""):
        assert "the article" not in text.lower(), answer.answer_id


def test_the_source_line_is_names_with_links_in_brackets():
    answer = by_id("medication/medication:quinine")
    assert answer.source.startswith("US FDA (https://www.fda.gov/")
    assert [name for name, _ in answer.links] == ["US FDA", "MHRA", "NICE CKS"]
    assert answer.__class__(**{**answer.__dict__, "source": "NHS Leg cramps"}).links == (("NHS Leg cramps", ""),)


def test_editor_notes_are_loaded_but_never_stored_for_users(repository):
    quinine = by_id("medication/medication:quinine")
    assert quinine.editor_note and "specialists only" in quinine.editor_note
    assert "specialist" not in quinine.text.lower()
    assert repository.answer("medication", [("medication", "quinine")]).editor_note is None


def test_a_source_without_a_link_is_refused(tmp_path):
    (tmp_path / "subjects.yml").write_text("subjects:\n  - {kind: body_part, key: calf, label: calf, terms: [calf]}\n")
    (tmp_path / "overview.yml").write_text(
        "topic: overview\nanswers:\n  - {subject: null, text: t, sources: [{name: NHS, url: 'nhs.uk'}],"
        " evidence: agreed, reviewed: 2026-12-01}\n"
    )
    with pytest.raises(SourceError, match="https:// url"):
        load_source(tmp_path)


def test_the_knowledge_base_reads_at_grade_8_or_below():
    from tools import readability

    texts = [(a.answer_id, a.text) for a in OWN_RECORDS]
    texts += [(f"{a.answer_id} note", a.evidence_note) for a in OWN_RECORDS if a.evidence_note]
    measures, found = readability.problems(texts)
    assert found == []
    assert readability.overall_problems(measures, "knowledge base") == []
    for a in OWN_RECORDS:  # the answer and its note are one message
        words = readability.measure("", a.text).words + readability.measure("", a.evidence_note or "").words
        assert words <= readability.MAX_WORDS, a.answer_id


PEOPLES_WORDS = {
    "charlie horse": ("body_part", "calf"),
    "calfs": ("body_part", "calf"),
    "water pills": ("medication", "diuretic"),
    "inhaler": ("medication", "asthma_inhaler"),
    "ventolin": ("medication", "asthma_inhaler"),
    "aleve": ("medication", "naproxen"),
    "hrt": ("medication", "oestrogen"),
    "adalat": ("medication", "nifedipine"),
    "evista": ("medication", "raloxifene"),
    "forsteo": ("medication", "teriparatide"),
    "period cramps": ("condition", "period_pain"),
    "restless legs": ("condition", "restless_legs_syndrome"),
    "growing pains": ("condition", "growing_pains"),
    "tummy cramps": ("condition", "stomach_cramps"),
    "heart spasm": ("condition", "chest_spasm"),
    "kids": ("condition", "children"),
    "after a run": ("trigger", "exercise"),
    "gym": ("trigger", "exercise"),
}


@pytest.mark.parametrize("term, subject", sorted(PEOPLES_WORDS.items()))
def test_the_words_people_use_name_the_new_subjects(term, subject):
    owners = [(s.kind, s.key) for s in SOURCE.subjects if term in s.terms]
    assert owners == [subject]
