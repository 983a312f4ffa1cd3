"""HTML character references left in the registry's text: decoded once, wherever text is shown,
searched or matched; never twice; the raw record kept as received."""

from __future__ import annotations

import copy
import csv
import html
import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from devtools.standin import fictional_site, fictional_study
from trialfinder.cli.main import main
from trialfinder.core.entities import decode_entities
from trialfinder.registries.ctgov.normalize import normalize
from trialfinder.registries.ctgov.record import (
    arms_table,
    central_contacts,
    official_title,
    outcomes_table,
)
from trialfinder.service.searching import search_records, study_detail
from trialfinder.tables.prescreen import Profile, prescreen
from trialfinder.views.text import escape_md, inert_markdown, markdown_list

NCT = "NCT99000201"


def test_each_kind_of_reference() -> None:
    assert decode_entities("Age \\&gt;= 18, eGFR &lt; 30, tea &amp; toast") == \
        "Age \\>= 18, eGFR < 30, tea & toast"
    assert decode_entities("the patient&#39;s &quot;own&quot; word") == \
        "the patient's \"own\" word"
    assert decode_entities("HbA1c &#8805; 7% and &#x2264; 10%, &ge;2 visits") == \
        "HbA1c ≥ 7% and ≤ 10%, ≥2 visits"


def test_a_double_encoded_reference_loses_exactly_one_level() -> None:
    assert decode_entities("QTc &amp;gt; 450 ms") == "QTc &gt; 450 ms"
    assert decode_entities("\\&amp;lt;1 cm") == "\\&lt;1 cm"
    assert decode_entities(decode_entities("&amp;amp;")) == "&"


def test_only_complete_references_are_decoded() -> None:
    for text in ("R&D team", "AT&T;", "P&O ferries", "&notably", "risk &not yet known",
                 "&unknownname;", "&#;", "&#xZZ;", "a &amp b"):
        assert decode_entities(text) == text
    # the registry's title case: the four names it uses, whatever their case
    assert decode_entities("Salt &Amp; Pepper &LT;2&GT;") == "Salt & Pepper <2>"


@given(st.text())
def test_decoding_what_html_escaped_gives_the_text_back(text: str) -> None:
    assert decode_entities(html.escape(text)) == text
    # twice escaped, decoded once: one level remains
    assert decode_entities(html.escape(html.escape(text))) == html.escape(text)


@given(st.text(st.characters(exclude_characters="&")))
def test_text_without_an_ampersand_is_left_alone(text: str) -> None:
    assert decode_entities(text) is text


def record() -> dict[str, Any]:
    """A fictional study whose text carries references the way some registry records do."""
    site = fictional_site("Children&#39;s Example Clinic", "Springfield", "United States",
                          42.1, -72.6, state="Massachusetts", status="RECRUITING")
    site["contacts"] = [{"name": "Pat O&#39;Example", "role": "CONTACT"}]
    study = fictional_study(
        NCT, "Salt &amp; Pepper Diet &Amp; Sleep", conditions=["Crohn&#39;s Disease"],
        keywords=["diet &amp; sleep"], interventions=["Low-salt &amp; low-fat diet"],
        summary="People aged \\&gt;= 40 &amp;gt; a typo kept as written.",
        official_title="A &quot;Fictional&quot; Trial", locations=[site],
        sponsor="Example &amp; Partners", start_date="2024&amp;",
    )
    proto = study["protocolSection"]
    proto["eligibilityModule"]["eligibilityCriteria"] = (
        "Inclusion Criteria:\n\n* Age \\&gt;= 40\n* HbA1c &#8805; 7%\n\n"
        "Exclusion Criteria:\n\n* Crohn&#39;s disease\n* QTc &amp;gt; 450 ms\n")
    proto["contactsLocationsModule"]["centralContacts"] = [
        {"name": "Dr. Lee O&#39;Example", "role": "CONTACT", "email": "lee@example.org"}]
    proto["armsInterventionsModule"]["armGroups"] = [
        {"label": "Diet &amp; sleep", "type": "EXPERIMENTAL",
         "description": "Less salt &lt; 5 g a day"}]
    proto["outcomesModule"] = {"primaryOutcomes": [
        {"measure": "Hours asleep &gt; 7", "timeFrame": "12 weeks &amp; 24 weeks"}]}
    return study


@pytest.mark.parametrize("storage", ["pyarrow", "python"])
def test_tables_show_decoded_text_and_the_record_stays_as_received(storage: str) -> None:
    raw = record()
    kept = copy.deepcopy(raw)
    with pd.option_context("mode.string_storage", storage):
        tables = normalize([raw])
    row = tables.studies.iloc[0]
    assert row["title"] == "Salt & Pepper Diet & Sleep"
    assert row["official_title"] == 'A "Fictional" Trial'
    assert row["conditions"] == "Crohn's Disease"
    assert row["keywords"] == "diet & sleep"
    assert row["interventions"] == "Low-salt & low-fat diet"
    assert row["sponsor"] == "Example & Partners"
    assert row["brief_summary"] == "People aged \\>= 40 &gt; a typo kept as written."
    assert row["central_contact_name"] == "Dr. Lee O'Example"
    assert "* Age \\>= 40\n* HbA1c ≥ 7%" in row["eligibility_criteria"]
    assert list(tables.conditions["condition"]) == ["Crohn's Disease"]
    assert list(tables.interventions["name"]) == ["Low-salt & low-fat diet"]
    assert list(tables.sites["facility"]) == ["Children's Example Clinic"]
    assert list(tables.sites["contact_name"]) == ["Pat O'Example"]
    assert row["start_date_raw"] == "2024&amp;"  # a date's text is kept exactly as sent
    assert raw == kept  # the record itself is never changed


def test_eligibility_lists_decode_once() -> None:
    criteria = study_detail(NCT, records=[record()]).criteria
    assert criteria.inclusion == [(0, "Age >= 40"), (0, "HbA1c ≥ 7%")]
    assert criteria.exclusion == [(0, "Crohn's disease"), (0, "QTc &gt; 450 ms")]


def test_detail_parts_read_from_the_record_are_decoded() -> None:
    raw = record()
    arms = arms_table(raw)
    assert list(arms["label"]) == ["Diet & sleep"]
    assert list(arms["description"]) == ["Less salt < 5 g a day"]
    outcomes = outcomes_table(raw)
    assert list(outcomes["measure"]) == ["Hours asleep > 7"]
    assert list(outcomes["time_frame"]) == ["12 weeks & 24 weeks"]
    assert official_title(raw) == 'A "Fictional" Trial'
    assert [c.name for c in central_contacts(raw)] == ["Dr. Lee O'Example"]


def test_search_and_keyword_see_decoded_text() -> None:
    found = search_records([record()], source="test", condition="Crohn's")
    assert list(found.studies["nct_id"]) == [NCT]
    # "39" and "amp" were only ever parts of a reference: no longer words of the text
    assert search_records([record()], source="test", condition="39").studies.empty
    assert search_records([record()], source="test", keyword="amp").studies.empty
    assert list(search_records([record()], source="test", keyword="Pepper")
                .studies["nct_id"]) == [NCT]


def test_prescreen_quotes_decoded_lines() -> None:
    screen = prescreen(search_records([record()], source="test"),
                       Profile(conditions=("Crohn's disease",)))
    assert set(screen.mentions["text"]) == {"Crohn's disease"}
    assert set(screen.mentions["section"]) == {"exclusion"}


def test_csv_and_json_output_are_decoded(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "studies.json"
    source.write_text(json.dumps([record()]), encoding="utf-8")
    output = tmp_path / "studies.csv"
    assert main(["search", "--from-file", str(source), "--format", "csv",
                 "--output", str(output)]) == 0, capsys.readouterr().err
    rows = list(csv.DictReader(io.StringIO(output.read_text(encoding="utf-8"))))
    assert rows[0]["title"] == "Salt & Pepper Diet & Sleep"
    assert main(["search", "--from-file", str(source), "--format", "json",
                 "--columns", "nct_id,conditions"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[0]) == {
        "nct_id": NCT, "conditions": "Crohn's Disease"}


def test_decoded_markup_stays_text_on_the_page() -> None:
    # decoded "<b>" and "&" must be shown as typed, never as HTML or a reference
    # (every ASCII punctuation mark is escaped: "\\&gt\\;" shows as "&gt;")
    assert escape_md("<b>bold</b> & &gt;") == "\\<b\\>bold\\<\\/b\\> \\& \\&gt\\;"
    assert inert_markdown("* a <script> & b") == "- a \\<script\\> \\& b"
    assert markdown_list([(0, "QTc &gt; 450 ms")]) == "- QTc \\&gt\\; 450 ms"


_PIECES = st.sampled_from(["R&D", "AT&T;", "&gt;", "&amp;gt;", "&#8805;", "&#x2265;", "&", ";",
                           " and ", "&notably", "é", "x"])


@given(st.lists(st.one_of(st.none(), st.lists(_PIECES, max_size=6).map("".join)),
                max_size=12))
def test_a_column_is_decoded_as_each_of_its_values(texts: list[str | None]) -> None:
    import pyarrow as pa

    from trialfinder.core.entities import decode_column

    expected = [None if t is None else decode_entities(t) for t in texts]
    column = pa.array(texts, type=pa.large_string())
    assert decode_column(column).to_pylist() == expected
    assert decode_column(column.slice(1)).to_pylist() == expected[1:]
    assert decode_column(list(texts)) == expected
