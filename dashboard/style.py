"""What the theme cannot set: readable small text, big enough touch targets, a closed sidebar
out of the Tab order, and focus on the results after a search.

Everything here is this project's own constant text: nothing from a record, a URL or a person
reaches these calls (tests/test_app.py checks that ``st.html`` is called only here, and only
with these constants).
"""

from __future__ import annotations

import streamlit as st

# WCAG 2.1 AA: captions (14 px) are drawn in the text colour at 60% opacity, 4.1:1 on white;
# this grey, opaque, is 6.5:1 on white and 5.9:1 on the sidebar's background. Touch targets are at
# least 44 px high (buttons, fields, the options of the view switch, check boxes); a closed
# sidebar is hidden (visibility), so its 27 controls leave the Tab order and the screen
# reader's view until it is opened again.
STYLE = """<style>
[data-testid="stCaptionContainer"], [data-testid="stMetricLabel"] {
  color: #555f66 !important; opacity: 1 !important; }
.stButton button, .stDownloadButton button, .stLinkButton a, .stFormSubmitButton button,
[data-testid="stButtonGroup"] button, [data-testid="stExpandSidebarButton"],
[data-testid="stSidebarCollapseButton"] button,
[data-testid="stNumberInputStepUp"], [data-testid="stNumberInputStepDown"],
[data-testid="stElementToolbar"] button, [data-testid="stDeckGlJsonChart"] button {
  min-height: 44px !important; min-width: 44px !important; }
[data-testid="stTextInputRootElement"], [data-testid="stNumberInputContainer"],
[data-testid="stSelectbox"] [role="group"], [data-testid="stMultiSelect"] [role="group"] {
  min-height: 44px !important; }
[data-testid="stCheckbox"] label, [data-testid="stToggle"] label,
[data-testid="stExpander"] summary { min-height: 44px !important; align-items: center; }
[data-testid="stSidebar"][data-collapsed="true"],
[data-testid="stSidebar"][data-collapsed="true"] * { visibility: hidden !important; }
.st-key-results_heading h2:focus { outline: 2px solid #1f6f8b; outline-offset: 4px; }
</style>"""

# Streamlit has no way to move the keyboard focus, and after a search it drops to <body>: a
# screen reader says nothing and a keyboard user starts again at the top. This script (run
# once, on the first drawing after a search) gives the results heading ``tabindex=-1`` and
# focuses it; on a phone it also scrolls the heading to the top of the screen, so the first
# results show without scrolling past the search. It waits up to 5 s for the heading to be
# drawn. ``st.html`` runs it in the page; a custom component would need its own iframe
# and package for these few lines.
FOCUS_SCRIPT = """<script>
(function () {
  let tries = 0;
  const focus = function () {
    const heading = document.querySelector(".st-key-results_heading h2");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({preventScroll: true});
      if (window.innerWidth < 640) {  // a phone: the results start at the top of the screen
        heading.scrollIntoView({block: "start"});
      }
    } else if (tries++ < 50) {
      setTimeout(focus, 100);
    }
  };
  focus();
})();
</script>"""


def apply_style() -> None:
    st.html(STYLE)


def focus_results() -> None:
    """Move the focus to the results heading (call once, right after a search)."""
    st.html(FOCUS_SCRIPT, unsafe_allow_javascript=True)
