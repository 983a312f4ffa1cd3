"""Kinds of cancer: a person who says "cancer" against a line naming one kind, and a person
who names one kind against a line naming cancer in general or another kind.

Every criteria line and record here is fictional, written for these tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from devtools.standin import fictional_study
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.prescreen import Profile, prescreen
from trialfinder.tables.prescreen.synonyms import vocabulary

CHECK = "Check with the study team: "


def screen_one(condition: str, inclusion: str = "Adults", exclusion: str = "Pregnancy"
               ) -> dict[str, Any]:
    record = fictional_study("NCT99820001", "Fictional cancer-kinds study")
    record["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        f"Inclusion Criteria:\n\n* {inclusion}\n\nExclusion Criteria:\n\n* {exclusion}\n")
    [row] = prescreen(normalize([record]), Profile(conditions=(condition,))).records()
    return row


@pytest.mark.parametrize(("line", "found"), [
    ("History of breast cancer", "breast cancer"),
    ("Melanoma within the past 3 years", "Melanoma"), ("Known lymphoma", "lymphoma"),
    ("Leukaemia of any kind", "Leukaemia"), ("Multiple myeloma", "Multiple myeloma"),
    ("Glioblastoma", "Glioblastoma"), ("Sarcoma", "Sarcoma"),
    ("Metastatic prostate carcinoma", "prostate carcinoma"),
])
def test_a_history_of_cancer_is_check_against_any_kind_named(line: str, found: str) -> None:
    record = screen_one("cancer", exclusion=line)
    assert record["verdict"] == "check"
    assert record["reasons"] == [
        f'{CHECK}the exclusion criteria mention {found}, a kind of cancer ("{line}")']


def test_a_history_of_cancer_is_check_against_an_exception_of_one_kind() -> None:
    line = "Prior malignancy other than adequately treated basal cell carcinoma"
    record = screen_one("cancer", exclusion=line)
    assert record["reasons"] == [f'{CHECK}the exclusion criteria mention cancer ("{line}")']


@pytest.mark.parametrize(("line", "found"), [
    ("Histologically confirmed NSCLC", "NSCLC"),
    ("Relapsed or refractory acute myeloid leukemia", "leukemia"),
])
def test_one_kind_asked_for_is_a_question_for_cancer_in_general(line: str,
                                                                found: str) -> None:
    record = screen_one("cancer", inclusion=line)
    assert (record["verdict"], record["names_your_condition"]) == ("check", False)
    assert record["reasons"][-1] == (
        f"{CHECK}the inclusion criteria ask for {found}, one kind of cancer: ask whether "
        f'yours counts ("{line}")')


def test_cancer_in_general_asked_for_fits_cancer_in_general() -> None:
    record = screen_one("cancer", inclusion="Any advanced solid tumor or lymphoma")
    assert (record["verdict"], record["names_your_condition"]) == ("fits", True)


@pytest.mark.parametrize(("line", "found"), [
    ("Any malignancy within 5 years", "malignancy"),
    ("Active cancer requiring treatment", "cancer"),
    ("Known neoplasm of any kind", "neoplasm"),
    ("Prior malignancy other than adequately treated basal cell carcinoma", "malignancy"),
])
def test_one_kind_is_check_against_cancer_in_general(line: str, found: str) -> None:
    record = screen_one("breast cancer", exclusion=line)
    assert record["verdict"] == "check"
    assert record["reasons"] == [
        f'{CHECK}the exclusion criteria mention {found}, which may include your breast cancer '
        f'("{line}")']


def test_another_kind_excluded_is_a_note_not_a_question() -> None:
    record = screen_one("breast cancer", exclusion="History of melanoma")
    assert record["verdict"] == "fits"
    assert record["reasons"][-1] == (
        'the exclusion criteria name melanoma, not your breast cancer ("History of melanoma")')


def test_their_own_kind_excluded_is_check() -> None:
    record = screen_one("melanoma", exclusion="Prior melanoma within 5 years")
    assert record["verdict"] == "check"


@pytest.mark.parametrize("line", ["Histologically confirmed breast carcinoma",
                                  "Metastatic breast or ovarian cancer",
                                  "HER2-negative breast cancers"])
def test_their_own_kind_asked_for_fits_and_comes_first(line: str) -> None:
    record = screen_one("breast cancer", inclusion=line)
    assert (record["verdict"], record["names_your_condition"]) == ("fits", True)


def test_another_kind_asked_for_is_check() -> None:
    record = screen_one("breast cancer", inclusion="Stage III non-small cell lung cancer")
    assert (record["verdict"], record["names_your_condition"]) == ("check", False)
    assert record["reasons"][-1] == (
        f"{CHECK}the inclusion criteria ask for non-small cell lung cancer, not your breast "
        'cancer ("Stage III non-small cell lung cancer")')


@pytest.mark.parametrize(("line", "found"), [
    ("Advanced solid tumors after standard therapy", "solid tumors"),
    ("Histologically confirmed thymic carcinoma", "carcinoma"),
])
def test_cancer_in_general_asked_for_is_a_question_for_one_kind(line: str,
                                                                found: str) -> None:
    record = screen_one("breast cancer", inclusion=line)
    assert (record["verdict"], record["names_your_condition"]) == ("check", False)
    assert record["reasons"][-1] == (
        f"{CHECK}the inclusion criteria ask for {found} without saying which kind: ask whether "
        f'your breast cancer counts ("{line}")')


def test_diabetes_in_general_still_asks_for_any_type() -> None:
    # diabetes lists all its kinds: "diabetes" under inclusion holds someone with type 1
    record = screen_one("type 1 diabetes", inclusion="Diabetes diagnosed at least 1 year ago")
    assert (record["verdict"], record["names_your_condition"]) == ("fits", True)


def test_a_kind_in_the_plural_is_that_kind() -> None:
    entry = vocabulary().lookup("breast cancer", "condition")
    assert entry is not None and entry.more_kinds
    assert entry.kind_of("breast cancers") == entry.kind_of("breast carcinoma")
    assert entry.kind_of("cancers") is None


def screen_lines(condition: str, inclusion: list[str]) -> dict[str, Any]:
    record = fictional_study("NCT99820002", "Fictional two-line cancer study")
    lines = "".join(f"* {line}\n" for line in inclusion)
    record["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        f"Inclusion Criteria:\n\n{lines}\nExclusion Criteria:\n\n* Pregnancy\n")
    [row] = prescreen(normalize([record]), Profile(conditions=(condition,))).records()
    return row


def test_another_kind_asked_for_is_check_though_another_line_names_theirs() -> None:
    # kinds of cancer are many and long lines name them in passing: no line answers another
    record = screen_lines("breast cancer", [
        "Recurrent head and neck cancer in a previously irradiated field",
        "Prior hormonal therapy for breast cancer more than 5 years ago"])
    assert (record["verdict"], record["names_your_condition"]) == ("check", True)
    assert record["reasons"][0].startswith(
        "Check with the study team: the inclusion criteria ask for head and neck cancer, not "
        "your breast cancer")


def test_their_kind_named_as_an_exception_is_not_asked_for() -> None:
    # the study asks for another kind; melanoma is only excepted from a negation
    record = screen_lines("melanoma", [
        "Diagnosis of invasive breast cancer",
        "No other cancer within 5 years, except melanoma in situ"])
    assert (record["verdict"], record["names_your_condition"]) == ("check", False)
    assert record["reasons"][0].startswith(
        "Check with the study team: the inclusion criteria ask for breast cancer, not your "
        "melanoma")


def screen_study(condition: str, inclusion: str, exclusion: str) -> dict[str, Any]:
    record = fictional_study("NCT99820003", "Fictional breast cancer study")
    record["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        f"Inclusion Criteria:\n\n* {inclusion}\n\nExclusion Criteria:\n\n* {exclusion}\n")
    [row] = prescreen(normalize([record]), Profile(conditions=(condition,))).records()
    return row


def test_any_other_malignancy_in_a_study_about_their_kind_is_a_note() -> None:
    line = "Any other malignancy within 5 years"
    record = screen_study("breast cancer", "Histologically confirmed HER2-positive breast "
                          "cancer", line)
    assert (record["verdict"], record["names_your_condition"]) == ("fits", True)
    assert record["reasons"][-1] == (
        "the exclusion criteria name other malignancy, and this study is about your breast "
        f'cancer ("{line}")')


def test_any_other_malignancy_in_a_study_about_another_kind_is_check() -> None:
    record = screen_study("breast cancer", "Histologically confirmed melanoma",
                          "Any other malignancy within 5 years")
    assert record["verdict"] == "check"
