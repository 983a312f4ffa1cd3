"""Write ``static/outlines.json``: the shipped country and US-state outlines as the dashboard's
map fetches them (once per browser, from Streamlit's static file serving).

    .venv/bin/python tools/make_static_outlines.py

tests/test_views_outlines.py checks that the file in the repository is what this writes.
"""

from __future__ import annotations

from pathlib import Path

from trialfinder.views.outlines import outlines_json

TARGET = Path(__file__).resolve().parents[1] / "static" / "outlines.json"


def main() -> None:
    TARGET.parent.mkdir(exist_ok=True)
    TARGET.write_bytes(outlines_json())
    print(f"wrote {TARGET} ({TARGET.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
