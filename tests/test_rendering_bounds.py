"""Issue 19, classes 5, 7 and 10: what a record's text can do to a screen, a page, a feed or a
spreadsheet. A field of any length is capped before it is wrapped or written (and says it was
cut); the Atom feed parses whatever the record holds; bidi controls and other invisible format
characters never reach a terminal or the page."""

from __future__ import annotations

import io
import json
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devtools.standin import StandInServer, fictional_study
from trialfinder.cli.main import main
from trialfinder.core.terminal import clean
from trialfinder.core.textcap import CSV_CELL_CHARS, LINE_CHARS, LONG_CHARS, cap, cut_mark
from trialfinder.store.feed import ATOM_NS, feed_bytes, xml_text
from trialfinder.store.watch import Change
from trialfinder.tables.export import to_csv_bytes
from trialfinder.views.text import cell_text, escape_md, inert_markdown

HUGE = 10_000_000  # one word this long made `show` run for ever
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


# -- 5. bounded rendering ---------------------------------------------------------------------


def test_cap_keeps_short_text_and_marks_a_cut() -> None:
    assert cap("short", 64) == "short"
    cut = cap("x" * 100_000, 1_000)
    assert len(cut) == 1_000
    assert cut.endswith(" … [cut: 100,000 characters in all]")
    assert cut.startswith("x" * 900)


@given(st.text(max_size=300), st.integers(min_value=64, max_value=400))
def test_cap_never_exceeds_its_limit_and_keeps_what_fits(text: str, limit: int) -> None:
    out = cap(text, limit)
    assert len(out) <= limit
    if len(text) <= limit:
        assert out == text
    else:
        assert out.endswith(cut_mark(len(text))) and text.startswith(out[:-len(cut_mark(
            len(text)))])


def test_show_caps_a_ten_megabyte_title(standin_factory: Callable[..., StandInServer],
                                        monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    study = fictional_study("NCT99000191", "T" * HUGE, summary="S" * HUGE)
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = \
        "Inclusion Criteria:\n\n* " + "E" * HUGE
    server = standin_factory([study])
    monkeypatch.setenv("TRIALFINDER_BASE_URL", server.base_url)
    assert main(["show", "NCT99000191", "--no-cache"]) == 0
    out = capsys.readouterr().out
    assert len(out) < 3 * LONG_CHARS + 20_000
    # the title (a line's worth), the summary and the criteria (a long text's worth), each cut
    # and saying so (a mark may be wrapped over two lines)
    words = " ".join(out.split())
    assert words.count(cut_mark(HUGE).strip()) == 2
    criteria = "Inclusion Criteria:\n\n* "
    assert words.count(cut_mark(HUGE + len(criteria)).strip()) == 1
    assert "Not medical advice" in out


def test_table_and_csv_cap_a_huge_title(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "download.json"
    path.write_text(json.dumps([fictional_study("NCT99000192", "=" + "W" * HUGE)]))
    assert main(["search", "--from-file", str(path), "--columns", "nct_id,title"]) == 0
    table = capsys.readouterr().out
    assert len(table) < 2 * LINE_CHARS and "NCT99000192" in table
    assert main(["search", "--from-file", str(path), "--format", "csv",
                 "--columns", "nct_id,title"]) == 0
    cell = pd.read_csv(io.StringIO(capsys.readouterr().out))["title"][0]
    assert len(cell) == CSV_CELL_CHARS  # Excel's most characters in a cell
    assert cell.startswith("'=WWW")  # the formula guard stays
    assert cell.endswith(cut_mark(HUGE + 1))  # the title's own length


def test_csv_cells_of_every_kind_are_capped() -> None:
    frame = pd.DataFrame({
        "text": pd.array(["a" * 40_000, "b"], dtype="string"),
        "objects": pd.Series(["c" * 40_000, None], dtype=object),
        "codes": pd.Categorical(["d" * 40_000, "e"]),
    })
    back = pd.read_csv(io.BytesIO(to_csv_bytes(frame)), keep_default_na=False)
    for column in back.columns:
        assert len(back[column][0]) == CSV_CELL_CHARS - 1, column
        assert back[column][0].endswith(cut_mark(40_000))
    assert back.iloc[1].tolist() == ["b", "", "e"]


def test_the_page_caps_and_cleans_its_text() -> None:
    long = escape_md("w" * HUGE)
    assert len(long) < LONG_CHARS + 100 and long.endswith("characters in all\\]")
    assert len(inert_markdown("p " * HUGE)) < 2 * LONG_CHARS
    mark = " … [cut: 10,000,000 characters in all]"
    assert cell_text("n" * HUGE) == "n" * (LINE_CHARS - len(mark)) + mark
    assert cell_text("Site\u202eenil\u200b") == "Siteenil"


# -- 7. feeds that parse ------------------------------------------------------------------------

FORBIDDEN = "\ufffe\uffff\x00\x01\x08\x0b\x0c\x1f\ud800\udfff"


def test_feed_with_characters_xml_forbids_parses() -> None:
    change = Change("NCT99000193", "site_added", f"w{FORBIDDEN}", f"T{FORBIDDEN}itle",
                    facility=f"Clinic{FORBIDDEN}", city="Lyon\ufffe",
                    when="2026-11-21T08:00:00Z")
    body = feed_bytes([change], title=f"watch {FORBIDDEN}", feed_id=f"urn:x{FORBIDDEN}")
    root = ET.fromstring(body)
    entry = root.find(f"{{{ATOM_NS}}}entry")
    assert entry is not None
    assert entry.findtext(f"{{{ATOM_NS}}}summary") == "Title — new site: Clinic, Lyon"
    assert root.findtext(f"{{{ATOM_NS}}}title") == "watch "


def test_feed_text_is_capped() -> None:
    change = Change("NCT99000194", "new", "w", "L" * HUGE, when="2026-11-21T08:00:00Z")
    body = feed_bytes([change], title="w", feed_id="urn:w")
    assert len(body) < 3 * LINE_CHARS
    summary = ET.fromstring(body).find(f"{{{ATOM_NS}}}entry/{{{ATOM_NS}}}summary")
    assert summary is not None and cut_mark(HUGE) in (summary.text or "")


@settings(max_examples=300)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=60))
def test_any_text_through_the_feed_parses(text: str) -> None:
    change = Change("NCT99000195", "status", text, text, before=text, after=text,
                    when="2026-11-21T08:00:00Z")
    root = ET.fromstring(feed_bytes([change], title=text, feed_id=text))
    title = root.findtext(f"{{{ATOM_NS}}}title")
    assert title == xml_text(text).replace("\r\n", "\n").replace("\r", "\n")


# -- 10. terminal spoofing ----------------------------------------------------------------------


def test_clean_drops_every_format_character() -> None:
    kept = [hex(c) for c in range(0x110000)
            if unicodedata.category(chr(c)) == "Cf" and clean(f"a{chr(c)}b") != "ab"]
    assert kept == []
    assert clean(f"x{BIDI}\ufeffy\u200b\u200d") == "xy"
    assert clean("tab\tline\r\nend") == "tab\tline\r\nend"  # line ends and tabs stay


@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=80))
def test_clean_output_holds_no_format_or_control_character(text: str) -> None:
    out = clean(text)
    for char in out:
        assert unicodedata.category(char) != "Cf"
        assert char in "\t\n\r" or unicodedata.category(char) != "Cc"


def test_table_and_show_hold_no_bidi_controls(standin_factory: Callable[..., StandInServer],
                                             monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    title = f"Fictional \u202eydutS\u202c {BIDI}trial\u200b\ufeff"
    study = fictional_study("NCT99000196", title, summary=f"Sum{BIDI}mary",
                            sponsor="Spon\u2067sor")
    path = tmp_path / "download.json"
    path.write_text(json.dumps([study]))
    assert main(["search", "--from-file", str(path), "--columns", "nct_id,title,sponsor"]) == 0
    table = capsys.readouterr().out
    server = standin_factory([study])
    monkeypatch.setenv("TRIALFINDER_BASE_URL", server.base_url)
    assert main(["show", "NCT99000196", "--no-cache"]) == 0
    shown = capsys.readouterr().out
    for out in (table, shown):
        assert not [c for c in out if unicodedata.category(c) == "Cf"]
        assert "Fictional ydutS trial" in out and "Sponsor" in out
    assert "\nSummary\nSummary\n" in shown  # the heading, then the cleaned text
