"""What a new user trips on, found by walking the dashboard as a patient would (a phone and
a desktop, the fictional demo records behind the loopback stand-in): each test here failed
before its fix."""

from __future__ import annotations

from typing import Any

from devtools.standin import StandInServer
from tests.test_app import _fresh_caches, api, calls, new_app, open_url, plain, table_ids, texts

__all__ = ["_fresh_caches", "api", "calls"]  # the fixtures of tests/test_app.py


def test_a_misspelt_link_part_is_named_not_silently_dropped(
    api: StandInServer, calls: list[dict[str, Any]]
) -> None:
    at = open_url(new_app(), conditon="ALS", preset="als", status="any")
    assert not at.exception
    assert [plain(n) for n in texts(at.info)] == [
        "This page does not know the link’s “conditon”, so it was left out."]
    assert table_ids(at)  # the rest of the link searches as before
    assert "conditon" not in at.query_params
