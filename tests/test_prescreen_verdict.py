"""The pre-screen's three verdicts: other names, classes, negation, exceptions, word
boundaries, order, and the JSON contract of ``trialfinder match``.

Every criteria line here is fictional, written for these tests.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devtools.standin import fictional_site, fictional_study
from trialfinder.cli.main import main
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.tables.prescreen import Profile, prescreen
from trialfinder.tables.prescreen.allowances import every_name
from trialfinder.tables.prescreen.finder import Finder, Term
from trialfinder.tables.prescreen.scope import read
from trialfinder.tables.prescreen.synonyms import expand, vocabulary

BOSTON = fictional_site("Fictional General", "Boston", "United States", 42.3601, -71.0589,
                        state="Massachusetts", status="RECRUITING")
WORCESTER = fictional_site("Imaginary Clinic", "Worcester", "United States", 42.2626,
                           -71.8023, state="Massachusetts", status="RECRUITING")


def study(nct: str, inclusion: str = "Adults", exclusion: str = "Pregnancy",
          **options: Any) -> dict[str, Any]:
    record = fictional_study(nct, f"Fictional study {nct[-3:]}", **options)
    record["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        f"Inclusion Criteria:\n\n* {inclusion}\n\nExclusion Criteria:\n\n* {exclusion}\n")
    return record


def screen_one(profile: Profile, inclusion: str = "Adults", exclusion: str = "Pregnancy",
               **options: Any) -> dict[str, Any]:
    [record] = prescreen(normalize([study("NCT99600001", inclusion, exclusion, **options)]),
                         profile).records()
    return record


def verdict(profile: Profile, inclusion: str = "Adults", exclusion: str = "Pregnancy") -> str:
    return str(screen_one(profile, inclusion, exclusion)["verdict"])


DIABETES = Profile(conditions=("diabetes",))


@pytest.mark.parametrize("line", [
    "Uncontrolled DM", "Known T2DM on insulin", "Type 1 diabetes mellitus",
    "Diabetes mellitus of any type", "Diabetic foot ulcer", "History of IDDM",
])
def test_diabetes_by_any_name_under_exclusion_is_check(line: str) -> None:
    record = screen_one(DIABETES, exclusion=line)
    assert record["verdict"] == "check" and record["fits"] is False
    [mention] = record["mentions"]
    assert (mention["section"], mention["exception"], mention["text"]) == (
        "exclusion", False, line)
    assert record["reasons"] == [
        f'Check with the study team: the exclusion criteria mention diabetes ("{line}")']


@pytest.mark.parametrize(("typed", "line", "found", "match"), [
    ("MS", "Diagnosis of multiple sclerosis", "multiple sclerosis", "other name"),
    ("multiple sclerosis", "Relapsing MS within 30 days", "MS", "abbreviation"),
    ("ALS", "Motor neurone disease of any kind", "Motor neurone disease", "other name"),
    ("amyotrophic lateral sclerosis", "Lou Gehrig’s disease", "Lou Gehrig’s disease",
     "other name"),
    ("MND", "Sporadic ALS", "ALS", "abbreviation"),
    ("rheumatoid arthritis", "Active RA", "RA", "abbreviation"),
    ("lupus", "SLE with kidney involvement", "SLE", "abbreviation"),
    ("MG", "Generalised myasthenia gravis", "myasthenia gravis", "other name"),
    ("chronic kidney disease", "CKD stage 4 or 5", "CKD", "abbreviation"),
    ("COPD", "Chronic obstructive pulmonary disease", "Chronic obstructive pulmonary disease",
     "other name"),
    ("high blood pressure", "Uncontrolled HTN", "HTN", "abbreviation"),
    ("hypertension", "Uncontrolled high blood pressure", "high blood pressure", "other name"),
    ("heart failure", "CHF, NYHA class III or IV", "CHF", "abbreviation"),
    ("heart attack", "MI within 6 months", "MI", "abbreviation"),
    ("stroke", "Prior CVA", "CVA", "abbreviation"),
    ("epilepsy", "Seizure disorder needing treatment", "Seizure disorder", "other name"),
])
def test_conditions_by_other_names(typed: str, line: str, found: str, match: str) -> None:
    record = screen_one(Profile(conditions=(typed,)), exclusion=line)
    assert record["verdict"] == "check"
    [mention] = record["mentions"]
    assert (mention["term"], mention["found"], mention["match"]) == (typed, found, match)


@pytest.mark.parametrize(("typed", "line", "found", "match"), [
    ("Lioresal", "Current baclofen use", "baclofen", "other name"),
    ("baclofen", "Taking Lioresal", "Lioresal", "brand"),
    ("Zanaflex", "Taking tizanidine", "tizanidine", "other name"),
    ("Glucophage", "On metformin", "metformin", "other name"),
    ("warfarin", "Use of Coumadin", "Coumadin", "brand"),
    ("metformin", "Any antidiabetic medication", "antidiabetic",
     'class "antidiabetic medicines"'),
    ("metformin", "Oral hypoglycemic agents in the last month", "Oral hypoglycemic",
     'class "antidiabetic medicines"'),
    ("warfarin", "Current anticoagulants", "anticoagulants", 'class "anticoagulants"'),
    ("warfarin", "Takes blood thinners", "blood thinners", 'class "blood thinners"'),
    ("ibuprofen", "Regular NSAIDs", "NSAIDs", 'class "NSAIDs"'),
    ("prednisone", "Systemic corticosteroids", "corticosteroids", 'class "corticosteroids"'),
    ("prednisone", "Oral steroids within 4 weeks", "steroids", 'class "corticosteroids"'),
    ("prednisone", "Immunosuppressive therapy", "Immunosuppressive therapy",
     'class "immunosuppressants"'),
    ("Lipitor", "Statin therapy", "Statin", 'class "statins"'),
    ("tizanidine", "Muscle relaxants", "Muscle relaxants", 'class "muscle relaxants"'),
    ("selegiline", "MAO inhibitors", "MAO inhibitors", 'class "MAO inhibitors"'),
    ("sertraline", "Current SSRI", "SSRI", 'class "SSRIs"'),
    ("Lantus", "Insulin treatment", "Insulin", "other name"),
    ("levetiracetam", "More than two antiepileptic drugs", "antiepileptic drugs",
     'class "antiepileptic drugs"'),
    ("metoprolol", "Beta-blockers", "Beta-blockers", 'class "beta blockers"'),
    ("oxycodone", "Daily opioid use", "opioid", 'class "opioids"'),
    ("anticoagulants", "Takes warfarin", "warfarin", 'member of "anticoagulants"'),
])
def test_medicines_by_brand_and_class(typed: str, line: str, found: str, match: str) -> None:
    record = screen_one(Profile(medicines=(typed,)), exclusion=line)
    assert record["verdict"] == "check", record
    [mention] = record["mentions"]
    assert (mention["found"], mention["match"]) == (found, match)


def test_a_class_reason_says_which_medicine_of_theirs_it_holds() -> None:
    record = screen_one(Profile(medicines=("Coumadin",)), exclusion="No anticoagulants")
    assert record["reasons"] == [
        "Check with the study team: the exclusion criteria mention anticoagulants, which "
        'include your Coumadin ("No anticoagulants")']


@pytest.mark.parametrize(("typed", "kind", "line"), [
    ("MS", "condition", "MSK pain for 3 months"),
    ("MS", "condition", "QT interval above 450 ms"),
    ("ALS", "condition", "HALS score below 10"),
    ("ALS", "condition", "Calls the study line every week"),
    ("DM", "condition", "Any DMARD in the last year"),
    ("diabetes", "condition", "Diabetes insipidus"),
    ("diabetes", "condition", "Pre-diabetes on screening"),
    ("hypertension", "condition", "Pulmonary hypertension"),
    ("depression", "condition", "Respiratory depression on opioids"),
    ("rheumatoid arthritis", "condition", "GLP1-RA use"),
    ("atorvastatin", "medicine", "Topical nystatin"),
    ("insulin", "medicine", "Insulin-like growth factor above normal"),
    ("baclofen", "medicine", "Baclofenol allergy"),
])
def test_whole_words_only(typed: str, kind: str, line: str) -> None:
    profile = Profile(conditions=(typed,)) if kind == "condition" else Profile(
        medicines=(typed,))
    record = screen_one(profile, inclusion="Adults aged 18 or over", exclusion=line)
    assert record["mentions"] == [] and record["verdict"] == "fits"


def test_an_exception_in_one_numbered_part_of_a_line_is_not_the_next_parts() -> None:
    line = ("Unstable heart disease: (i) Angina at rest, or (ii) Arrhythmia (runs that need "
            "drugs are excluded; a first-degree block will not be excluded), or (iii) Heart "
            "failure of class 3 or more, or (iv) A heart attack in the last 3 months")
    record = screen_one(Profile(conditions=("heart failure",)), exclusion=line)
    assert record["verdict"] == "check"
    [mention] = record["mentions"]
    assert mention["section"] == "exclusion" and mention["exception"] is False


@pytest.mark.parametrize(("line", "expected"), [
    ("Breastfeeding, or a positive serum pregnancy test at screening", "check"),
    ("A positive pregnancy test before the first dose", "check"),
    ("Unwilling to take a pregnancy test", "fits"),
])
def test_a_positive_pregnancy_test_under_exclusion_names_pregnancy(line: str,
                                                                   expected: str) -> None:
    pregnant = Profile(conditions=("pregnant",))
    assert verdict(pregnant, inclusion="Adults aged 18 or over", exclusion=line) == expected
    assert verdict(pregnant, inclusion="Willing to take a urine pregnancy test",
                   exclusion="Allergy to the study drug") == "fits"


@pytest.mark.parametrize("line", [
    "No history of diabetes", "Patients without diabetes", "Free of diabetes",
    "Absence of diabetes mellitus", "Non-diabetic adults", "Must not have DM",
    "Adults with no known diabetes or heart disease", "Diabetes-free volunteers",
])
def test_inclusion_that_negates_their_condition_is_check(line: str) -> None:
    record = screen_one(DIABETES, inclusion=line)
    assert record["verdict"] == "check"
    [mention] = record["mentions"]
    assert (mention["section"], mention["negated"]) == ("inclusion", True)
    assert record["reasons"][0].startswith(
        "Check with the study team: the inclusion criteria ask for people without diabetes")


def test_a_negation_of_what_the_condition_qualifies_or_of_a_relative_is_not_theirs() -> None:
    for line in ("No diabetic retinopathy", "Not on a connected diabetes technology system",
                 "No family history of type 1 diabetes"):
        record = screen_one(DIABETES, inclusion=line)
        assert (record["verdict"], record["mentions"][0]["negated"]) == ("fits", False), line
    # a medicine's name before "therapy" is still the medicine
    record = screen_one(Profile(medicines=("metformin",)), inclusion="No metformin therapy")
    assert (record["verdict"], record["mentions"][0]["negated"]) == ("check", True)


@pytest.mark.parametrize("line", [
    "Type 2 diabetes for at least a year", "Adults with or without diabetes",
    "Adults, whether or not they have diabetes", "Not adequately controlled on diet, with DM",
])
def test_inclusion_naming_their_condition_is_not_a_negation(line: str) -> None:
    record = screen_one(DIABETES, inclusion=line)
    assert record["mentions"][0]["negated"] is False
    assert record["verdict"] == "fits"


@pytest.mark.parametrize(("typed", "line"), [
    ("hypertension", "Uncontrolled hypertension (controlled hypertension is allowed)"),
    ("diabetes", "Any chronic illness except well-managed type 2 diabetes"),
    ("warfarin", "Anticoagulants, unless stopped 7 days before the procedure"),
    ("prednisone", "Inhaled or topical steroids are permitted"),
    ("sertraline", "SSRIs, other than sertraline"),
    ("warfarin", "Anticoagulants except Coumadin"),
    ("metformin", "Metformin at a stable dose for 3 months is acceptable"),
    ("diabetes", "Autoimmune disease [excluding type 1 diabetes on insulin]"),
    ("depression", "Depression is not an exclusion"),
])
def test_an_exception_is_labelled_and_quoted_but_not_a_hit(typed: str, line: str) -> None:
    kind = "medicine" if typed in ("warfarin", "prednisone", "sertraline", "metformin") else (
        "condition")
    profile = Profile(medicines=(typed,)) if kind == "medicine" else Profile(
        conditions=(typed,))
    record = screen_one(profile, exclusion=line)
    assert record["verdict"] == "fits", record
    [mention] = record["mentions"]
    assert (mention["exception"], mention["text"]) == (True, line)
    assert any("but make an exception" in r and line[:40] in r for r in record["reasons"])


@pytest.mark.parametrize("line", [
    "Anticoagulants are not allowed", "Anticoagulants except aspirin",
    "Systemic steroids; inhaled steroids are permitted",
    "Warfarin. Heparin flushes are allowed, as is warfarin for line patency",
    "Uncontrolled hypertension; controlled diabetes is allowed",
    "Diseases not under stable control, including hypertension",
    "Poorly controlled hypertension",
])
def test_an_exception_for_something_else_is_still_a_hit(line: str) -> None:
    profile = Profile(medicines=("warfarin", "prednisone"), conditions=("hypertension",))
    record = screen_one(profile, exclusion=line)
    assert record["verdict"] == "check", record
    assert not any(m["exception"] for m in record["mentions"])


def test_other_diseases_of_a_class_in_a_study_about_theirs() -> None:
    als = Profile(conditions=("ALS",))
    about_it = screen_one(als, "Diagnosis of ALS", "Any other neurological disease")
    assert (about_it["verdict"], about_it["names_your_condition"]) == ("fits", True)
    assert about_it["reasons"][-1] == (
        "the exclusion criteria name other neurological diseases, and this study is about "
        'your ALS ("Any other neurological disease")')
    # a study about something else: "other neurological disease" includes theirs
    elsewhere = screen_one(als, "Adults aged 40 or over", "Any other neurological disease")
    assert elsewhere["reasons"] == [
        "Check with the study team: the exclusion criteria mention neurological diseases, which "
        'include your ALS ("Any other neurological disease")']
    # a class in the inclusion is not "about" their condition: it does not come first
    broad = screen_one(Profile(conditions=("multiple sclerosis",)),
                       "Adults with an autoimmune disease")
    assert (broad["verdict"], broad["names_your_condition"]) == ("fits", False)
    assert broad["reasons"][-1] == (
        "the inclusion criteria name autoimmune diseases, which include your multiple "
        'sclerosis ("Adults with an autoimmune disease")')
    # named by its own name, "other types of diabetes" still speaks of them
    assert verdict(DIABETES, "Type 1 diabetes", "Other types of diabetes") == "check"


def test_an_inclusion_asking_for_another_diagnosis_is_check() -> None:
    arthritis = study("NCT99600011", "Knee osteoarthritis confirmed by X-ray",
                      conditions=["Osteoarthritis, Knee"])
    fictitia = study("NCT99600012", "Adults with Fictitia Syndrome for 6 months",
                     conditions=["Fictitia Syndrome"])
    open_to_all = study("NCT99600013", "Adults who can walk 10 metres")
    either = study("NCT99600014", "Type 2 diabetes or obesity")
    denied = study("NCT99600015", "No history of stroke")
    screen = prescreen(normalize([arthritis, fictitia, open_to_all, either, denied]), DIABETES)
    by_id = {r["nct_id"]: r for r in screen.records()}
    assert by_id["NCT99600011"]["reasons"] == [
        "Check with the study team: the inclusion criteria ask for Osteoarthritis, Knee, which "
        'you did not mention ("Knee osteoarthritis confirmed by X-ray")']
    assert by_id["NCT99600012"]["reasons"] == [
        "Check with the study team: the inclusion criteria ask for Fictitia Syndrome, which "
        'you did not mention ("Adults with Fictitia Syndrome for 6 months")']
    assert {n: r["verdict"] for n, r in by_id.items()} == {
        "NCT99600011": "check", "NCT99600012": "check", "NCT99600013": "fits",
        "NCT99600014": "fits", "NCT99600015": "fits"}
    # with no condition given, nothing is asked of them
    unsaid = prescreen(normalize([arthritis, fictitia]), Profile(age=40)).records()
    assert [r["verdict"] for r in unsaid] == ["fits", "fits"]


def test_order_their_condition_first_then_fits_check_no_nearest_first() -> None:
    records = [
        study("NCT99600021", locations=[WORCESTER]),                       # fits, ~40 mi
        study("NCT99600022", locations=[BOSTON]),                          # fits, 0 mi
        study("NCT99600023", exclusion="Uncontrolled DM", locations=[BOSTON]),    # check
        study("NCT99600024", "Adults with T2DM", locations=[WORCESTER]),   # their condition
        study("NCT99600025", "Type 2 diabetes", "On warfarin", locations=[BOSTON]),  # theirs
        study("NCT99600026", "Adults with T2DM", locations=[BOSTON], maximum_age="30 Years"),
        study("NCT99600027", locations=[BOSTON], status="COMPLETED"),      # no
    ]
    me = Profile(age=50, conditions=("diabetes",), medicines=("warfarin",),
                 near=(42.3601, -71.0589))
    table = prescreen(normalize(records), me).studies
    assert list(zip(table["nct_id"], table["verdict"], table["names_your_condition"],
                    strict=True)) == [
        ("NCT99600025", "check", True), ("NCT99600024", "fits", True),
        ("NCT99600022", "fits", False), ("NCT99600021", "fits", False),
        ("NCT99600023", "check", False),
        ("NCT99600026", "no", False), ("NCT99600027", "no", False)]
    assert list(table["fits"]) == [v == "fits" for v in table["verdict"]]


def test_the_names_run_in_re2_as_in_python() -> None:
    pa = pytest.importorskip("pyarrow")
    pc = pytest.importorskip("pyarrow.compute")
    typed = [("metoprolol", "medicine"), ("warfarin", "medicine"), ("ALS", "condition"),
             ("Crohn's disease", "condition"), ("TNF inhibitors", "medicine")]
    finder = Finder(Term(t, k, expand(t, k)) for t, k in typed)
    lines = ["Use of β-blockers", "Lou Gehrig’s disease", "Crohn's disease", "HALS score",
             "Takes anti-TNF agents", "Adults", "Coumadin use", "ALSFRS-R above 30"]
    assert len(finder.re2) == 1  # a few names: one pattern
    found = pc.match_substring_regex(pa.array(lines), finder.re2[0]).to_pylist()
    assert found == finder.lines_matching(lines).tolist() == [finder.keep(x) for x in lines] == [
        True, True, True, False, True, False, True, False]


def test_every_medicine_name_is_picked_by_re2_in_parts() -> None:
    """RE2 picks lines with a pattern of a few hundred names at a time: one pattern of every
    medicine name ran 40 times slower. Names from the first part to the last are found as
    Python finds them, and lines that name none are not."""
    pytest.importorskip("pyarrow")
    finder = every_name("medicine")
    assert isinstance(finder.re2, tuple) and len(finder.re2) >= 2
    names = [term.names[0].text for term in finder.terms]
    lines = [f"Use of {name} within 4 weeks" for name in names[::len(names) // 12]]
    lines += ["Adults aged 18 to 75", "Able to walk 10 metres", ""]
    assert finder.lines_matching(lines).tolist() == [finder.keep(line) for line in lines]
    assert finder.lines_matching(lines).tolist() == [True] * (len(lines) - 3) + [False] * 3


def test_reading_of_a_line() -> None:
    line = "Uncontrolled diabetes; controlled diabetes is allowed"
    first, second = line.index("diabetes"), line.rindex("diabetes")
    assert not read(line, first, first + 8).exception
    assert read(line, second, second + 8).exception
    line = "Hypertension (allowed if controlled), or diabetes"
    assert read(line, 0, 12).exception  # a bracket right after the name speaks of it
    assert not read(line, line.index("diabetes"), len(line)).exception
    line = "History of cancer, except basal cell carcinoma of the skin"
    assert not read(line, 11, 17).exception
    assert read(line, line.index("carcinoma"), line.index("carcinoma") + 9).exception
    line = "Family history of diabetes"
    assert read(line, 18, 26).family
    line = "No stroke. Diabetes for 5 years"
    assert read(line, 3, 9).negated and not read(line, 11, 19).negated


def test_match_json_contract_end_to_end(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    download = tmp_path / "studies.json"
    download.write_text(json.dumps([
        study("NCT99600031", "Adults with T2DM", "Use of blood thinners"),
        study("NCT99600032", "Adults", "Uncontrolled DM (well-controlled DM is allowed)"),
        study("NCT99600033", "No history of diabetes", minimum_age="60 Years"),
    ]))
    code = main(["match", "--from-file", str(download), "--has", "diabetes", "--takes",
                 "Coumadin", "--age", "45", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [set(r) for r in rows] == [{
        "nct_id", "title", "status", "verdict", "fits", "names_your_condition", "reasons",
        "nearest_site_mi", "mentions"}] * 3
    assert [(r["nct_id"], r["verdict"], r["fits"]) for r in rows] == [
        ("NCT99600031", "check", False), ("NCT99600032", "fits", True),
        ("NCT99600033", "no", False)]
    assert rows[0]["names_your_condition"] is True
    assert rows[0]["mentions"] == [
        {"term": "diabetes", "found": "T2DM", "section": "inclusion",
         "text": "Adults with T2DM", "match": "abbreviation", "exception": False,
         "negated": False},
        {"term": "Coumadin", "found": "blood thinners", "section": "exclusion",
         "text": "Use of blood thinners", "match": 'class "blood thinners"',
         "exception": False, "negated": False}]
    assert rows[0]["reasons"] == [
        "Check with the study team: the exclusion criteria mention blood thinners, which "
        'include your Coumadin ("Use of blood thinners")',
        'the inclusion criteria name diabetes ("Adults with T2DM")']
    assert rows[1]["mentions"][0]["exception"] is True
    assert rows[2]["reasons"] == ["age 45 is outside 60 years and over"]
    assert rows[2]["mentions"] == []  # a study ruled out already: its criteria are not read
    assert "1 of 3 studies may fit; 1 to check with the study team" in err


def test_match_csv_says_it_in_words(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    download = tmp_path / "studies.json"
    download.write_text(json.dumps([study("NCT99600041", "Adults", "Uncontrolled DM")]))
    assert main(["match", "--from-file", str(download), "--has", "diabetes", "--format",
                 "csv"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("nct_id,verdict,fits,names_your_condition,nearest_site_mi,status,title,"
                      "reasons,mentions")
    assert out[1].startswith("NCT99600041,check,false,false,,RECRUITING,")
    assert ('"Check with the study team: the exclusion criteria mention diabetes '
            '(""Uncontrolled DM"")"') in out[1]
    assert "exclusion criterion names diabetes (as “DM”, an abbreviation): Uncontrolled DM" in (
        out[1])


_FILLER = ["patients", "current", "known", "history of", "severe", "active", "recent",
           "treated", "confirmed", "significant", "or", "and", "any", "clinically", "chronic",
           "documented", "use of", "grade 3", "within 6 months", "requiring", "at screening"]
_TERMS = [("condition", "diabetes"), ("condition", "multiple sclerosis"),
          ("condition", "ALS"), ("condition", "hypertension"), ("medicine", "warfarin"),
          ("medicine", "metformin"), ("medicine", "baclofen"), ("condition", "epilepsy")]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(term=st.sampled_from(_TERMS), data=st.data())
def test_an_exclusion_naming_their_term_never_fits(term: tuple[str, str],
                                                   data: st.DataObject) -> None:
    kind, typed = term
    names = [n.text for n in vocabulary().expand(typed, kind)]
    name = data.draw(st.sampled_from(names), label="name")
    before = data.draw(st.lists(st.sampled_from(_FILLER), max_size=4), label="before")
    after = data.draw(st.lists(st.sampled_from(_FILLER), max_size=4), label="after")
    line = " ".join([*before, name, *after]).strip()
    line = line[0].upper() + line[1:]
    profile = Profile(conditions=(typed,)) if kind == "condition" else Profile(
        medicines=(typed,))
    record = screen_one(profile, inclusion="Adults aged 18 or over", exclusion=line)
    assert record["verdict"] != "fits", (line, record)
    assert any(m["section"] == "exclusion" and not m["exception"] for m in record["mentions"])


def test_a_name_in_the_plural_is_found_without_pyarrow_as_with_it() -> None:
    # the quick substring test before the Python patterns (the path without pyarrow) looked
    # for "pregnancy" in "pregnancies" and skipped the line
    typed = [("pregnancy", "condition"), ("malignancy", "condition")]
    finder = Finder(Term(t, k, expand(t, k)) for t, k in typed)
    lines = ["History of pregnancies", "Prior malignancies", "Pregnant", "Adults"]
    assert [finder.keep(line) for line in lines] == [True, True, True, False]
