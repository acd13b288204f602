"""Triage parsing and the referral decision (pure functions)."""

from __future__ import annotations

import pytest

from actions.triage import (
    decide,
    find_terms,
    parse_duration,
    parse_frequency,
    parse_no_red_flags,
    parse_severity,
    parse_treatment_helped,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Mild", "mild"),
        ("not too bad", "mild"),
        ("2/10", "mild"),
        ("moderate", "moderate"),
        ("pretty bad", "moderate"),
        ("5 out of 10", "moderate"),
        ("severe", "severe"),
        ("absolutely unbearable", "severe"),
        ("9", "severe"),
        ("banana", None),
        ("", None),
        ("42", None),
    ],
)
def test_severity(text, expected):
    assert parse_severity(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("every night", "frequent"),
        ("several times a week", "frequent"),
        ("3 times a week", "frequent"),
        ("about once a week", "weekly"),
        ("weekly", "weekly"),
        ("now and then", "occasional"),
        ("once a month", "occasional"),
        ("not very often", "occasional"),
        ("purple", None),
    ],
)
def test_frequency(text, expected):
    assert parse_frequency(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a few seconds", "seconds"),
        ("a couple of minutes", "minutes"),
        ("5 minutes", "minutes"),
        ("about 20 minutes", "long"),
        ("more than ten minutes", "long"),
        ("hours", "long"),
        ("dunno", None),
    ],
)
def test_duration(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("yes it helped", "helped"),
        ("stretching helps", "helped"),
        ("nothing helped", "not_helped"),
        ("no", "not_helped"),
        ("I haven't tried anything", "not_tried"),
        ("not yet", "not_tried"),
        ("what?", None),
    ],
)
def test_treatment_helped(text, expected):
    assert parse_treatment_helped(text) == expected


def test_no_red_flags_answers():
    assert parse_no_red_flags("none of these") and parse_no_red_flags("No.")
    assert not parse_no_red_flags("maybe")


def test_find_terms_respects_negation_and_word_boundaries():
    terms = {"swollen": "dvt_signs", "chest pain": "chest_symptoms", "numb": "neuro_symptoms"}
    assert set(find_terms("My calf is SWOLLEN and I have chest pain", terms)) == {"chest_symptoms", "dvt_signs"}
    assert find_terms("no swelling, not swollen at all", terms) == []
    assert find_terms("it feels numbish", terms) == []


@pytest.mark.parametrize(
    "answers, level",
    [
        ((["chest_symptoms", "dvt_signs"], "mild", "occasional", "seconds", "helped"), "emergency"),
        ((["dvt_signs"], "mild", "occasional", "seconds", "helped"), "urgent"),
        (([], "mild", "occasional", "long", "helped"), "urgent"),
        (([], "severe", "occasional", "seconds", "helped"), "see_doctor"),
        (([], "mild", "frequent", "seconds", "not_tried"), "see_doctor"),
        (([], "moderate", "weekly", "minutes", "not_helped"), "see_doctor"),
        (([], "moderate", "weekly", "minutes", "helped"), "self_care"),
    ],
)
def test_referral_levels(answers, level):
    referral = decide(*answers)
    assert referral.level == level and referral.reasons
