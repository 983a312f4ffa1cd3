"""Trial finder dashboard: search ClinicalTrials.gov, narrow the results, read one study closely.

Run it with ``streamlit run app.py``. The page is built by :mod:`dashboard` (one small module
per part) on top of the library; the pure rules (URL state, labels, escaping) are in
:mod:`trialfinder.views`.

Flow of one run: the URL fills the widgets (first run of a session only), the sidebar is drawn,
the last submitted search is fetched (cached, so usually instant), the local filters are applied
with ``Results.refilter``, and the first screen, the results or one study's page is drawn.
Finally the URL is updated so that a copied link opens the same search with the same filters.
"""

from __future__ import annotations

import sys
from pathlib import Path

if str(Path(__file__).parent) not in sys.path:  # the dashboard package sits beside us
    sys.path.insert(0, str(Path(__file__).parent))

from dashboard.page import main

main()
