"""ISRCTN trials in the project's own tables: the same columns and dtypes, values mapped, sites
placed offline (or counted), NCT cross-references read and junk ignored."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from devtools.isrctn.records import FictionalTrial, answer_xml
from trialfinder.places.resolve import Place
from trialfinder.registries.ctgov.normalize import empty_tables
from trialfinder.registries.isrctn.ids import (
    isrctn_in_text,
    nct_in_text,
    normalize_isrctn_id,
)
from trialfinder.registries.isrctn.model import IsrctnTrial, SecondaryNumber
from trialfinder.registries.isrctn.sites import Placer
from trialfinder.registries.isrctn.tables import IsrctnTables, nct_links_of, to_tables
from trialfinder.registries.isrctn.xml import parse_answer
from trialfinder.tables.eligibility import split_criteria

TODAY = date(2026, 6, 1)
NAMES = ("studies", "sites", "conditions", "interventions", "contacts", "officials")


def _tables() -> IsrctnTables:
    answer = parse_answer((Path(__file__).parent / "data" / "isrctn" / "three_trials.xml")
                          .read_bytes())
    return to_tables(answer.trials, TODAY, skipped=answer.skipped, problems=answer.problems)


@pytest.mark.parametrize("trials", [(), "three"])
def test_columns_and_dtypes_are_the_projects(trials: object) -> None:
    made = _tables() if trials == "three" else to_tables((), TODAY)
    empty = empty_tables()
    for name in NAMES:
        ours, theirs = getattr(made.tables, name), getattr(empty, name)
        assert list(ours.columns) == list(theirs.columns), name
        assert [str(t) for t in ours.dtypes] == [str(t) for t in theirs.dtypes], name


def test_study_values() -> None:
    made = _tables()
    studies = made.tables.studies.set_index("nct_id")
    first = studies.loc["ISRCTN99000001"]
    assert (first["status"], first["phases"], first["study_type"], first["allocation"],
            first["masking"], first["primary_purpose"]) == (
        "RECRUITING", "NA", "INTERVENTIONAL", "RANDOMIZED", "NONE", "TREATMENT")
    assert (first["enrollment"], first["enrollment_type"]) == (120, "ESTIMATED")
    assert (first["min_age_years"], first["max_age_years"], first["sex"]) == (18.0, 80.0, "ALL")
    assert first["start_date"] == pd.Timestamp("2026-01-01")
    assert (first["start_date_type"], first["completion_date_type"]) == ("ACTUAL", "ESTIMATED")
    assert first["url"] == "https://www.isrctn.com/ISRCTN99000001"
    assert (first["n_sites"], first["countries"]) == (3, "United Kingdom")
    assert first["keywords"] == "Nervous System Diseases|Amyotrophic lateral sclerosis"
    assert first["collaborators"] == "Made-up Research Foundation"
    second = studies.loc["ISRCTN99000002"]
    assert (second["status"], second["why_stopped"], second["sponsor_class"],
            second["enrollment"], second["enrollment_type"], second["sex"]) == (
        "TERMINATED", "Participant recruitment issue", "INDUSTRY", 9, "ACTUAL", "FEMALE")
    assert pd.isna(second["collaborators"])  # the funder is the sponsor itself
    assert second["brief_summary"] == "A vitamin drink reduces cramps."  # "not provided"
    assert bool(second["has_results"]) is True
    third = studies.loc["ISRCTN99000003"]
    assert (third["status"], third["study_type"], third["countries"], third["n_sites"]) == (
        "NOT_YET_RECRUITING", "OBSERVATIONAL", "Latvia|France", 0)
    assert third["interventions"] == "No intervention; sleep is recorded with a mattress sensor."
    assert made.status_basis["ISRCTN99000002"] == "recruitmentStatusOverride is 'Stopped'"
    assert made.source == "isrctn"
    for name in NAMES:  # every row of every table says where it came from
        assert set(getattr(made.tables, name)["source"]) <= {"isrctn"}, name
    assert list(made.tables.sites["source"]) == ["isrctn"] * len(made.tables.sites) > []


def test_contact_persons_are_the_studys_contacts() -> None:
    made = _tables()
    contacts = made.tables.contacts
    assert [tuple(None if pd.isna(v) else v for v in row) for row in contacts[
        ["nct_id", "scope", "role", "name", "phone", "email"]].itertuples(index=False)] == [
        ("ISRCTN99000001", "study", "PRINCIPAL_INVESTIGATOR", "Dr Imogen Madeup", None,
         "i.madeup@example.org"),
        ("ISRCTN99000001", "study", "CONTACT", "Mr Tom Invented", "+44 114 496 0123",
         "stride-f@example.org")]
    assert set(contacts["source"]) == {"isrctn"}
    studies = made.tables.studies.set_index("nct_id")
    central = studies.loc["ISRCTN99000001", ["central_contact_name", "central_contact_phone",
                                             "central_contact_email"]]
    assert [None if pd.isna(v) else v for v in central] == [
        "Dr Imogen Madeup", None, "i.madeup@example.org"]  # the first with a phone or e-mail
    assert pd.isna(studies.loc["ISRCTN99000002", "central_contact_name"])


def test_a_contact_with_nothing_to_show_is_left_out_and_counted() -> None:
    trial = FictionalTrial("ISRCTN99000024", "Blank contact (fictional)", contacts=(
        ("", "", "", "Scientific", "", ""), ("", "", "", "", "   ", "y@example.org")))
    made = to_tables(parse_answer(answer_xml([trial])).trials, TODAY)
    assert list(made.tables.contacts["email"]) == ["y@example.org"]
    assert made.tables.problems["empty_contact"] == 1


def test_eligibility_splits_into_our_lists() -> None:
    text = _tables().tables.studies["eligibility_criteria"].iloc[0]
    criteria = split_criteria(text)
    assert [item for _, item in criteria.inclusion] == [
        "Adults with a diagnosis of motor neurone disease",
        "Able to walk ten metres with or without an aid"]
    assert [item for _, item in criteria.exclusion] == [
        "Needs a wheelchair all day", "Taking part in another trial"]


def test_sites_are_placed_offline_and_unplaceable_ones_counted() -> None:
    made = _tables()
    sites = made.tables.sites
    assert list(sites["city"]) == ["Sheffield", "Leeds", "Zzyzxtown", "Cork"]
    assert list(sites["country"]) == ["United Kingdom"] * 3 + ["Ireland"]
    assert list(sites["state"].fillna("")) == ["England"] * 3 + [""]
    assert sites["lat"].iloc[0] == pytest.approx(53.38, abs=0.05)
    assert pd.isna(sites["lat"].iloc[2]) and pd.isna(sites["zip"].iloc[3])  # "-" is no zip
    assert made.tables.problems == {"site_not_placed": 1}


def test_a_city_that_is_not_a_name_is_never_read_as_coordinates() -> None:
    asked: list[str] = []

    def resolve(text: str) -> Place:
        asked.append(text)
        return Place(text, 1.0, 2.0, "city")

    placer = Placer(resolve)
    assert placer.place("51.5,-0.1", "England") is None
    assert placer.place("02115", None) is None
    assert placer.place("Leeds", "England") == (1.0, 2.0)
    assert placer.place("Leeds", "England") == (1.0, 2.0)
    assert asked == ["Leeds, England"]


def test_phases_and_types_from_interventions() -> None:
    trials = [FictionalTrial("ISRCTN99000030", "Phases (fictional)", phase="Phase I/II",
                             intervention_type="Biological/Vaccine"),
              FictionalTrial("ISRCTN99000031", "Odd phase (fictional)", phase="Phase 2b",
                             intervention_type="Juggling")]
    made = to_tables(parse_answer(answer_xml(trials)).trials, TODAY)
    assert list(made.tables.studies["phases"].fillna("")) == ["PHASE1|PHASE2", ""]
    assert list(made.tables.interventions["type"]) == ["BIOLOGICAL", "OTHER"]
    assert made.tables.problems == {"unknown_enum:phases": 1,
                                    "unknown_enum:intervention_type": 1}


@pytest.mark.parametrize(("text", "nct"), [
    ("NCT99000001", "NCT99000001"), ("nct 99000001", "NCT99000001"),
    ("Nil known", None), ("N/A", None), ("", None), (None, None), ("NCT123", None),
    ("NCT99000001, NCT99000002", None), ("NCT99999999", None), ("nct 99999999", None),
    ("XNCT99000001", None),
])
def test_nct_cross_references(text: str | None, nct: str | None) -> None:
    assert nct_in_text(text) == nct


def test_nct_links_read_both_places_once() -> None:
    trial = IsrctnTrial("ISRCTN99000001", ctgov_number="NCT99000001", secondary_numbers=(
        SecondaryNumber("NCT99000001", "nct", "NCT99000001"),
        SecondaryNumber("Nil known", "nct", None),
        SecondaryNumber("NCT99000009", "Protocol serial number", None)))
    assert nct_links_of(trial) == ("NCT99000001",)


@pytest.mark.parametrize(("text", "domain", "found"), [
    ("ISRCTN-99000001", None, "ISRCTN99000001"), ("isrctn 99000001", None, "ISRCTN99000001"),
    ("99000001", "ISRCTN", "ISRCTN99000001"), ("99000001", "Local IRB", None),
    ("ISRCTN990000011", None, None), ("EudraCT 2020-000001-01", None, None),
])
def test_isrctn_ids_in_secondary_ids(text: str, domain: str | None, found: str | None) -> None:
    assert isrctn_in_text(text, domain=domain) == found


def test_isrctn_id_normalisation() -> None:
    assert normalize_isrctn_id(" isrctn-99000001 ") == "ISRCTN99000001"
    assert normalize_isrctn_id("99000001") == "ISRCTN99000001"
    with pytest.raises(ValueError, match="not an ISRCTN id"):
        normalize_isrctn_id("ISRCTN1234")


def test_a_british_centre_is_placed_by_its_postcode_when_it_agrees_with_its_town() -> None:
    """A centre whose city is a suburb no data names ("Wythenshawe") had no point, though its
    postcode was given, and one in a large city was placed at the city's middle (Tooting's
    hospital 9 km from London's point); a postcode far from its town is taken for a slip."""
    centre = ('<trialCentre id="c0000000-0000-4000-8000-0000000000{n}"><name>Fictional {city} '
              "Unit</name><city>{city}</city><state /><country>England</country>"
              "<zip>{code}</zip></trialCentre>")
    xml = "".join(centre.format(n=n, city=city, code=code) for n, city, code in (
        ("01", "Zzyzx Quarter", "LS1 4AP"), ("02", "Sheffield", "LS1 4AP"),
        ("03", "Zzyzxtown", "not a postcode"), ("04", "London", "SW17 0QT")))
    trial = FictionalTrial("ISRCTN99000031", "Postcode centres (fictional)", centres_xml=xml)
    made = to_tables(parse_answer(answer_xml([trial])).trials, TODAY)
    sites = made.tables.sites
    assert (sites["lat"].iloc[0], sites["lon"].iloc[0]) == (pytest.approx(53.80, abs=0.01),
                                                            pytest.approx(-1.55, abs=0.01))
    assert sites["lat"].iloc[1] == pytest.approx(53.38, abs=0.05)  # Sheffield, not its postcode
    assert pd.isna(sites["lat"].iloc[2])
    # Tooting's sector, 9 km from London's point (51.51, -0.13)
    assert (sites["lat"].iloc[3], sites["lon"].iloc[3]) == (pytest.approx(51.43, abs=0.01),
                                                            pytest.approx(-0.17, abs=0.01))
    assert made.tables.problems == {"site_not_placed": 1}
