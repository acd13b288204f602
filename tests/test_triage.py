"""Triage parsing, the referral decision, and the red-flag reader (negation, history, hypotheticals)."""

from __future__ import annotations

import pytest

from actions import settings
from actions.triage import (
    LEVEL_ORDER,
    RED_FLAG_LEVELS,
    RedFlagRules,
    RulesError,
    decide,
    find_red_flags,
    find_terms,
    parse_duration,
    parse_frequency,
    parse_no_red_flags,
    parse_severity,
    parse_treatment_helped,
    read_red_flags,
    red_flag_reader,
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
        ((["pale_cold_leg"], "mild", "occasional", "seconds", "helped"), "emergency"),
        ((["dark_urine"], "mild", "occasional", "seconds", "helped"), "urgent"),
        ((["sleep_disruption"], "mild", "frequent", "seconds", "helped"), "see_doctor"),
        ((["claudication"], "mild", "occasional", "long", "helped"), "urgent"),
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


# --- the red-flag reader -----------------------------------------------------------------------------------


def test_levels_come_from_the_data_most_urgent_first():
    levels = list(RED_FLAG_LEVELS.values())
    assert levels == sorted(levels, key=LEVEL_ORDER.index)
    assert RED_FLAG_LEVELS["chest_symptoms"] == RED_FLAG_LEVELS["pale_cold_leg"] == "emergency"
    assert {RED_FLAG_LEVELS[k] for k in ("worsening_one_leg", "dvt_signs", "persistent_cramp", "dark_urine")} == {
        "urgent"
    }
    assert {RED_FLAG_LEVELS[k] for k in ("claudication", "sleep_disruption", "twitching_wasting", "fainting")} == {
        "see_doctor"
    }


@pytest.mark.parametrize(
    "text, flag",
    [
        ("My calf is SWOLLEN and red", "dvt_signs"),
        (
            "I've had an ache in one calf since the long drive on Sunday and it gets worse every day",
            "worsening_one_leg",
        ),
        ("the cramp in my right thigh has been going for ages and nothing I do makes it let go", "persistent_cramp"),
        ("I blacked out for a moment last night because the cramp hurt so much", "fainting"),
        ("his foot went white and cold", "pale_cold_leg"),
        ("she says her pee is dark like cola since the cramps at the gym", "dark_urine"),
        ("my calf hurts when I walk to the shops and it goes when I stop", "claudication"),
        ("the cramps keep waking me every night", "sleep_disruption"),
        ("my calf muscle keeps twitching and it looks thinner than the other", "twitching_wasting"),
        ("I can't breathe properly since the cramp", "chest_symptoms"),
        ("the cramp has lasted 25 mins", "persistent_cramp"),
        ("I don't know why but my ankle is swollen", "dvt_signs"),
        ("stretching didn't help and it still won't let go", "persistent_cramp"),
        ("no swelling, but my foot is numb", "neuro_symptoms"),
        ("my mum had a DVT last year and now her calf is swollen again", "dvt_signs"),
        (
            "my calf cramped up an hour ago and it still hasn't let go, I've stretched it and walked on it",
            "persistent_cramp",
        ),
    ],
)
def test_the_reader_finds_signs_told_as_stories(text, flag):
    assert flag in find_red_flags(text)


@pytest.mark.parametrize(
    "text",
    [
        "no swelling",
        "there's no swelling or redness and it isn't warm",
        "I don't have any chest pain or numbness",
        "never had swelling, just cramps",
        "the swelling has gone down now",
        "my calf isn't swollen",
    ],
)
def test_negated_signs_are_not_present(text):
    reading = read_red_flags(text)
    assert reading.present == () and reading.not_present


@pytest.mark.parametrize(
    "text",
    [
        "my mum had a clot once",
        "my dad had a DVT years ago, now I just get night cramps",
        "blood clots run in my family",
        "I had a blood clot in 2019 but this is just a night cramp",
        "my sister has had two DVTs",
    ],
)
def test_someone_elses_history_or_the_past_is_not_a_present_sign(text):
    assert find_red_flags(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "what if my leg swells?",
        "how do I know if a cramp is a blood clot",
        "what are the signs of a DVT?",
        "can cramps cause numbness?",
        "if the cramp lasts more than ten minutes what should I do",
        "I'm flying next week, how can I avoid a blood clot?",
        "could a cramp make me pass out?",
    ],
)
def test_hypotheticals_get_no_alarm(text):
    reading = read_red_flags(text)
    assert reading.present == ()


def test_a_story_needs_its_whole_pattern():
    assert find_red_flags("I get cramps after long drives but they go as soon as I stretch") == []
    assert find_red_flags("my left calf cramps at night sometimes") == []
    assert find_red_flags("my feet are always cold in winter") == []
    assert find_red_flags("my urine is dark yellow when I don't drink enough") == []
    assert find_red_flags("I sometimes wake up with a cramp, maybe once a month") == []
    assert find_red_flags("how do I make it stop? charley horse right now") == []
    assert find_red_flags("") == [] and find_red_flags("   ") == []


def test_the_most_urgent_sign_comes_first():
    assert find_red_flags("my calf is swollen and now I have chest pain")[:2] == ["chest_symptoms", "dvt_signs"]


def test_typos_curly_quotes_and_glued_units_are_read():
    assert "persistent_cramp" in find_red_flags("the cramp won\u2019t let go, its been 20mins")
    assert "dvt_signs" in find_red_flags("my calf is swolen and hot")


def test_the_reader_is_built_once():
    assert red_flag_reader() is red_flag_reader()


def test_the_rules_are_checked(tmp_path):
    source = (settings.KNOWLEDGE_DIR / "red_flags.yml").read_text(encoding="utf-8")
    subjects = (settings.KNOWLEDGE_DIR / "subjects.yml").read_text(encoding="utf-8")
    (tmp_path / "subjects.yml").write_text(subjects, encoding="utf-8")
    (tmp_path / "red_flags.yml").write_text(
        source.replace("when: [[fainted]]", "when: [[no_such_cue]]"), encoding="utf-8"
    )
    with pytest.raises(RulesError, match="no_such_cue"):
        RedFlagRules.load(tmp_path)
    (tmp_path / "red_flags.yml").write_text(
        source.replace("  - key: fainting\n    level: see_doctor", "  - key: fainting\n    level: soon"),
        encoding="utf-8",
    )
    with pytest.raises(RulesError, match="level"):
        RedFlagRules.load(tmp_path)


@pytest.mark.parametrize(
    "text",
    [
        "both my calves start cramping after about an hour of running",  # when it starts, not how long it lasts
        "after an hour on the bike my thighs cramp, then it passes",
    ],
)
def test_when_a_cramp_starts_is_not_how_long_it_lasts(text):
    assert find_red_flags(text) == []


# --- neighbouring problems: durations of something else, growing pains, restless legs ------------------------


@pytest.mark.parametrize(
    "text",
    [
        "my baby screams for hours every night and nothing settles her",
        "our toddler cries for hours at bedtime",
        "the little one has been crying for over an hour",
        "my newborn won't stop crying in the evenings",
        "I've had hiccups for half an hour, how do I get rid of them",
        "my hiccups have gone on for 2 hours now, how do I stop them",
        "he sleeps for hours after a match",
        "I lay awake for hours last night",
        "I stood for hours at the wedding and my calves ache today",
    ],
)
def test_a_duration_of_something_else_is_not_a_long_cramp(text):
    reading = read_red_flags(text)
    assert reading.present == ()


def test_a_duration_of_something_else_is_no_alarm_for_a_named_sign():
    # the NLU may tag "for hours" as persistent_cramp; the reader says it is not present (actions.red_flags)
    assert read_red_flags("my son cries for hours every night").not_present == ("persistent_cramp",)


@pytest.mark.parametrize(
    "text",
    [
        "the cramp has lasted for hours",
        "my calf has been cramping for hours",
        "my daughter has been screaming for hours with a cramp in her thigh",
        "the spasm in his foot made him cry for an hour",
        "he's been crying in pain for hours and his calf is rock hard",
        "I had hiccups and now a cramp in my calf for half an hour",
        "I woke up screaming, it's been 3 hours and it still won't let go",
        "I was driving and my calf seized up for an hour",
        "it's been going on for hours",
    ],
)
def test_a_cramp_that_lasts_hours_is_still_a_long_cramp(text):
    assert "persistent_cramp" in find_red_flags(text)


@pytest.mark.parametrize(
    "text",
    [
        "my son wakes up crying that his legs hurt",
        "my 7 year old keeps waking up crying, her shins ache",
        "my husband kicks all night long and keeps me awake",
    ],
)
def test_waking_without_a_cramp_is_not_the_sleep_sign(text):
    assert find_red_flags(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "my son keeps waking up with leg cramps",
        "I keep waking up at night with a charley horse in my calf",
        "calf spasms keep me awake most nights",
        "cramps wake me every night",
    ],
)
def test_cramps_that_keep_waking_are_the_sleep_sign(text):
    assert "sleep_disruption" in find_red_flags(text)


@pytest.mark.parametrize(
    "text",
    [
        "a creepy crawly tingling in my legs every evening, I have to move them to make it stop",
        "my legs tingle when I lie down and I get an urge to move them",
        "restless legs at night, all tingly and fizzy",
        "my legs go tingly in the evening and I can't keep them still",
    ],
)
def test_restless_legs_are_not_numbness_or_weakness(text):
    assert find_red_flags(text) == []


@pytest.mark.parametrize(
    "text, flag",
    [
        ("my left foot has been numb since the cramp", "neuro_symptoms"),
        ("pins and needles in my toes that won't go", "neuro_symptoms"),
        ("my leg feels weak and keeps giving way", "neuro_symptoms"),
        ("I can't feel my foot", "neuro_symptoms"),
        ("my toes have been tingling ever since the cramp last night", "neuro_symptoms"),
        ("my foot is tingling, I have to keep moving it", "neuro_symptoms"),
        ("my legs feel restless and my foot has gone numb", "neuro_symptoms"),
        ("my foot is icy cold and tingling", "pale_cold_leg"),
        ("my calf keeps twitching and tingling", "twitching_wasting"),
    ],
)
def test_numbness_weakness_and_tingling_are_still_signs(text, flag):
    assert flag in find_red_flags(text)


def test_an_unknown_label_in_unless_is_named(tmp_path):
    source = (settings.KNOWLEDGE_DIR / "red_flags.yml").read_text(encoding="utf-8")
    (tmp_path / "subjects.yml").write_text(
        (settings.KNOWLEDGE_DIR / "subjects.yml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert "    unless: [muscle_pain]\n" in source
    (tmp_path / "red_flags.yml").write_text(
        source.replace("    unless: [muscle_pain]\n", "    unless: [no_such_label]\n"), encoding="utf-8"
    )
    with pytest.raises(RulesError, match="unless names 'no_such_label'"):
        RedFlagRules.load(tmp_path)
