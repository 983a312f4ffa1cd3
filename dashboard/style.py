"""What the theme cannot set: readable small text, big enough touch targets, a closed sidebar
out of the Tab order, the phone's "Search and filters" button, a sidebar closed on a short
screen (a phone turned sideways), and where the focus and the screen go: the results after a
search, a study's top when it opens, the card left when the list comes back.

Everything here is this project's own constant text: nothing from a record, a URL or a person
reaches these calls (tests/test_app.py checks that ``st.html`` is called only here, and only
with these constants).
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

# WCAG 2.1 AA: captions (14 px) are drawn in the text colour at 60% opacity, 4.1:1 on white; this
# grey, opaque, is 6.5:1 on white and 5.9:1 on the sidebar's background. Touch targets are at least
# 44 px high (buttons, fields, the options of the view switch, check boxes); a closed sidebar is
# hidden (visibility), so its 27 controls leave the Tab order and the screen reader's view until it
# is opened again; an open one shows its « (close) at all times, where Streamlit shows it only under
# a pointer wider than 640 px (a phone turned sideways had no visible way to close it, and a
# keyboard could not reach it). The "Search and filters" button shows only while the sidebar is
# closed (a phone): with the sidebar open, the same fields are beside the page. The chosen view's
# name is a darker teal than the theme's (5.7:1 on its hovered background, which the theme's colour
# meets only at 4.3:1). A phone number or e-mail address that is a link is a tap target of its own
# line (views.contact.contact_lines): at least 24 px (WCAG 2.2's target size), 44 px on a phone's
# screen or a touch screen (a phone turned sideways is wider than 640 px); a number never breaks
# inside, an address breaks anywhere rather than push the page sideways. A multiselect's typing
# field, squeezed beside its chips, keeps 24 px too, and a number field's ✕ (clear) is 44 px like
# its - and +. An open drop-down list is no taller than the room its frame is given on the screen,
# so it scrolls by itself: on a phone turned sideways the frame cut it after the first four choices,
# with nothing to scroll ("500 miles" could not be reached by a finger). A single choice's options
# are 44 px (40); a multiple choice's stay 40 px (WCAG's 24 px is met): they are placed every 40 px,
# and taller ones would overlap. On a phone a study's title is drawn smaller (28 px, as the page's
# third-level headings), so that a long one leaves room for whom to call. The page's own scripts sit
# in a hidden ``page_script`` container (an element of the page would push the title 16 px down).
# Beside a study's way back, the first way to call its team (``quick_call``) shows only on a screen
# at most 500 px high (a phone turned sideways): there the contacts are below the first screen,
# which a taller one reaches, showing the same number again.
STYLE = """<style>
[data-testid="stCaptionContainer"], [data-testid="stMetricLabel"] {
  color: #555f66 !important; opacity: 1 !important; }
[data-testid="stButtonGroup"] button[aria-checked="true"],
[data-testid="stButtonGroup"] button[aria-checked="true"] p { color: #185b72 !important; }
.stButton button, .stDownloadButton button, .stLinkButton a, .stFormSubmitButton button,
[data-testid="stButtonGroup"] button, [data-testid="stExpandSidebarButton"],
[data-testid="stSidebarCollapseButton"] button,
[data-testid="stNumberInputStepUp"], [data-testid="stNumberInputStepDown"],
[data-testid="stNumberInputClearButton"],
[data-testid="stElementToolbar"] button, [data-testid="stDeckGlJsonChart"] button {
  min-height: 44px !important; min-width: 44px !important; }
[data-testid="stTextInputRootElement"], [data-testid="stNumberInputContainer"],
[data-testid="stSelectbox"] [role="group"], [data-testid="stMultiSelect"] [role="group"] {
  min-height: 44px !important; }
[data-testid="stWidgetLabel"] button[aria-label^="Help for"],
[data-testid="stMultiSelect"] [role="group"] button[aria-label^="Remove"] {
  min-height: 44px !important; min-width: 44px !important; }
[data-testid="stMultiSelect"] input[role="combobox"] { min-width: 24px !important; }
[data-testid="stSelectboxVirtualDropdown"] [role="listbox"],
[data-testid="stMultiSelectDropdown"] [role="listbox"] { max-height: inherit !important; }
[data-testid="stSelectboxVirtualDropdown"] [role="option"] { min-height: 44px !important; }
[data-testid="stSlider"] [role="group"] { min-height: 44px !important; }
[data-testid="stCheckbox"] label, [data-testid="stToggle"] label,
[data-testid="stExpander"] summary { min-height: 44px !important; align-items: center; }
[data-testid="stSidebarCollapseButton"] { visibility: visible !important; }
[data-testid="stSidebar"][data-collapsed="true"],
[data-testid="stSidebar"][data-collapsed="true"] * { visibility: hidden !important; }
.st-key-filters_panel h2, .st-key-filters_toggle button { scroll-margin-top: 76px; }
.st-key-results_heading h2:focus, .st-key-study_heading h2:focus,
.st-key-filters_panel h2:focus {
  outline: 2px solid #1f6f8b; outline-offset: 4px; }
body:has([data-testid="stSidebar"][data-collapsed="false"]) .st-key-filters_toggle {
  display: none !important; }
[data-testid="stMain"] a[href^="tel:"], [data-testid="stMain"] a[href^="mailto:"] {
  display: inline-flex; align-items: center; min-height: 24px; min-width: 24px;
  max-width: 100%; }
[data-testid="stMain"] a[href^="tel:"] { white-space: nowrap; }
[data-testid="stMain"] a[href^="mailto:"] { overflow-wrap: anywhere; }
@media (max-width: 640px), (pointer: coarse) {
  [data-testid="stMain"] a[href^="tel:"], [data-testid="stMain"] a[href^="mailto:"] {
    min-height: 44px; min-width: 44px; } }
@media (max-width: 640px) { .st-key-study_heading h2 { font-size: 1.75rem; } }
[data-testid="stLayoutWrapper"]:has(> .st-key-page_script), .st-key-page_script {
  display: none !important; }
@media (min-height: 501px) {
  [data-testid="stLayoutWrapper"]:has(> .st-key-quick_call), .st-key-quick_call {
    display: none !important; } }
</style>"""

# Streamlit has no way to move the keyboard focus, and after a search it drops to <body>: a
# screen reader says nothing and a keyboard user starts again at the top. This script (run
# once, on the first drawing after a search) gives the results heading ``tabindex=-1`` and
# focuses it; on a phone (upright, or sideways: at most 500 px high) it also scrolls the
# heading to the top of the screen, so the first results show without scrolling past the
# search (sideways, a topic picked from its card had left the page at the list's end). It
# waits up to 5 s for the heading to be drawn. ``st.html`` runs it in the page; a custom
# component would need its own iframe and package for these few lines.
FOCUS_SCRIPT = """<script>
(function () {
  let tries = 0;
  const small = window.matchMedia("(max-width: 639px), (max-height: 500px)");
  const find = () => document.querySelector(".st-key-results_heading h2");
  // a phone: the results start at the top of the screen, and stay there while what is above
  // them is still drawn (a banner, a note), until the reader scrolls, taps or types
  const hold = function () {
    let moved = false;
    for (const kind of ["wheel", "touchstart", "mousedown", "keydown"]) {
      window.addEventListener(kind, () => { moved = true; },
                              {once: true, passive: true, capture: true});
    }
    const until = performance.now() + 3000;
    const keep = function () {
      const heading = find();
      if (moved || !heading || performance.now() > until) return;
      if (Math.abs(heading.getBoundingClientRect().top) > 1) {
        heading.scrollIntoView({block: "start"});
      }
      requestAnimationFrame(keep);
    };
    keep();
  };
  const focus = function () {
    const heading = find();
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({preventScroll: true});
      if (small.matches) hold();
    } else if (tries++ < 50) {
      setTimeout(focus, 100);
    }
  };
  focus();
})();
</script>"""


# A study opens at its top: Streamlit keeps the page's scroll position when it redraws, so a
# study opened from the 7th card showed its exclusion criteria first. This script (run once,
# when a study is opened) scrolls the page to the top and puts the focus on the study's
# title, without scrolling again. On a phone (upright, or sideways: at most 500 px high, where
# the page's title, caption, banner and the way back filled the screen) the top is just below
# the page's title and its caption (the ``masthead``): whom to call is then on the first
# screen, under the study's title, where the page's own height had put it below (the study
# page says again that it is not medical advice, and that an invented study is invented).
FOCUS_STUDY_SCRIPT = """<script>
(function () {
  let tries = 0;
  const small = window.matchMedia("(max-width: 639px), (max-height: 500px)");
  const below = function (head) {
    let box = head.parentElement;
    while (box && box !== document.body && !(box.scrollHeight > box.clientHeight
           && /auto|scroll/.test(getComputedStyle(box).overflowY))) {
      box = box.parentElement;
    }
    const inner = box && box !== document.body;
    const bar = document.querySelector("[data-testid=stHeader]");  // drawn over the page
    const by = head.getBoundingClientRect().bottom
               - Math.max(inner ? box.getBoundingClientRect().top : 0,
                          bar ? bar.getBoundingClientRect().bottom : 0);
    if (inner) { box.scrollTop += by; } else { window.scrollBy(0, by); }
  };
  const top = function () {
    const title = document.querySelector(".st-key-study_heading h2");
    const main = document.querySelector("[data-testid=stMain]");
    if (title) {
      if (main) { main.scrollTop = 0; }
      window.scrollTo(0, 0);
      const head = document.querySelector(".st-key-masthead");
      if (head && small.matches) { below(head); }
      title.setAttribute("tabindex", "-1");
      title.focus({preventScroll: true});
    } else if (tries++ < 50) {
      setTimeout(top, 100);
    }
  };
  top();
})();
</script>"""

# Back on the list, the card of the study just left is in the middle of the screen and its
# button has the focus (run once, after the cards are drawn; the page wraps that card in the
# ``return_card`` container).
FOCUS_CARD_SCRIPT = """<script>
(function () {
  let tries = 0;
  const back = function () {
    const card = document.querySelector(".st-key-return_card");
    if (card) {
      card.scrollIntoView({block: "center"});
      const button = card.querySelector("button");
      if (button) { button.focus({preventScroll: true}); }
    } else if (tries++ < 50) {
      setTimeout(back, 100);
    }
  };
  back();
})();
</script>"""

# Streamlit's "auto" closes the sidebar only on a screen at most 768 px wide: a phone turned
# sideways (844 x 390) opened with it over a third of its width and all of its short height.
# This script (installed once per page) closes it on a screen at most 500 px high (a laptop
# shows at least 600 px of page), when it opens there by itself: on loading, and when a
# phone upright (closed by Streamlit) is turned sideways and Streamlit opens it. It never
# closes what the person opened (a trusted click on a sidebar toggle, or a choice Streamlit
# has stored for them); its own click leaves no stored choice behind, so the next page
# decides again by its size. The toggle to open it stays in the top bar (44 px, above). A
# phone's browser (its User-Agent) starts the sidebar closed from the server instead
# (``page.main``): this script, like every ``st.html``, runs only once Streamlit has loaded its
# code for it, after the sidebar is first drawn, so a desktop window that short still shows
# the sidebar on loading for a moment (about 1 s on a first visit, 0.2 s after).
SHORT_SCREEN_SCRIPT = """<script>
(function () {
  if (window.trialfinderShortScreen) return;
  window.trialfinderShortScreen = true;
  const short = window.matchMedia("(max-height: 500px)");
  const prefix = "stSidebarCollapsed-";  // where Streamlit stores a person's choice
  let chose = false;
  const stored = function () {
    try { return Object.keys(window.localStorage).filter(k => k.startsWith(prefix)); }
    catch (e) { return null; }  // no storage: a choice could not be told apart
  };
  document.addEventListener("click", function (event) {
    const on = event.target instanceof Element ? event.target : null;
    if (event.isTrusted && on && on.closest(
        "[data-testid=stExpandSidebarButton], button[aria-controls=stSidebar]")) {
      chose = true;
    }
  }, true);
  const close = function () {  // cheap first: it runs on every change of the page
    if (chose || !short.matches) return;
    const side = document.querySelector("[data-testid=stSidebar]");
    if (!side || side.getAttribute("data-collapsed") !== "false") return;
    const before = stored();
    if (before === null || before.length) return;
    const button = side.querySelector("[data-testid=stSidebarCollapseButton] button");
    if (!button) return;
    button.click();
    for (const key of stored() || []) { window.localStorage.removeItem(key); }
  };
  // the sidebar is drawn after this script when its first widget arrives, and Streamlit
  // opens it again when a phone is turned sideways
  new MutationObserver(close).observe(document.body, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["data-collapsed"]});
  close();
})();
</script>"""


# Streamlit turns a download button off while it makes the file (the data is given as a
# function), and a button turned off loses the focus to the page: a keyboard or switch user
# who pressed "Studies (CSV)" started again from the page's top. This script (installed once
# per page) gives the focus back to such a button when it is on again, unless the person has
# moved it elsewhere meanwhile.
DOWNLOAD_FOCUS_SCRIPT = """<script>
(function () {
  if (window.trialfinderDownloadFocus) return;
  window.trialfinderDownloadFocus = true;
  document.addEventListener("focusout", function (event) {
    const button = event.target;
    if (!(button instanceof HTMLButtonElement) || event.relatedTarget || !button.disabled
        || !button.closest(".stDownloadButton")) return;
    const watch = new MutationObserver(function () {
      if (button.disabled) return;
      watch.disconnect();
      const now = document.activeElement;
      if (button.isConnected && (!now || now === document.body)) {
        button.focus({preventScroll: true});
      }
    });
    watch.observe(button, {attributes: true, attributeFilter: ["disabled"]});
  }, true);
})();
</script>"""


# The phone's "Search and filters" opens a panel in place of its button, and its Close buttons
# put the button back: the focus fell to the page's top each time (the control pressed was
# gone). These scripts (run once, on the drawing after the panel opens or closes) put it on the
# panel's heading, or back on the button, and bring that into view below the top bar.
FOCUS_PANEL_SCRIPT = """<script>
(function () {
  let tries = 0;
  const focus = function () {
    const heading = document.querySelector(".st-key-filters_panel h2");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({preventScroll: true});
      heading.scrollIntoView({block: "nearest"});
    } else if (tries++ < 50) {
      setTimeout(focus, 100);
    }
  };
  focus();
})();
</script>"""
FOCUS_TOGGLE_SCRIPT = """<script>
(function () {
  let tries = 0;
  const focus = function () {
    const button = document.querySelector(".st-key-filters_toggle button");
    if (button && !document.querySelector(".st-key-filters_panel")) {
      button.focus({preventScroll: true});
      button.scrollIntoView({block: "nearest"});
    } else if (tries++ < 50) {
      setTimeout(focus, 100);
    }
  };
  focus();
})();
</script>"""


# What's new drawn in place of the button that opened it, or the button back in its place: the
# focus fell to the page's top. Each script (run once) names its own target: for a moment the
# one it replaces may still be on the page.
FOCUS_NEW_HEADING_SCRIPT = """<script>
(function () {
  let tries = 0;
  const focus = function () {
    const heading = document.querySelector(".st-key-new_alone h2");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({preventScroll: true});
      heading.scrollIntoView({block: "nearest"});
    } else if (tries++ < 50) {
      setTimeout(focus, 100);
    }
  };
  focus();
})();
</script>"""
FOCUS_NEW_BUTTON_SCRIPT = """<script>
(function () {
  let tries = 0;
  const focus = function () {
    const button = document.querySelector(".st-key-open_new button");
    if (button) {
      button.focus({preventScroll: true});
      button.scrollIntoView({block: "nearest"});
    } else if (tries++ < 50) {
      setTimeout(focus, 100);
    }
  };
  focus();
})();
</script>"""


def focus_whats_new(heading: bool) -> None:
    """The focus on What's new's heading (``heading``: opened from the first screen) or on
    the button that opens it (back on the first screen), once, when it is drawn. The scripts
    are the project's own constant text (no key or text is put into them)."""
    if heading:
        st.html(FOCUS_NEW_HEADING_SCRIPT, unsafe_allow_javascript=True)
    else:
        st.html(FOCUS_NEW_BUTTON_SCRIPT, unsafe_allow_javascript=True)


def apply_style() -> DeltaGenerator:
    """The style sheet and the page's lasting scripts; returns their hidden container, where
    :func:`focus_filters` puts its script later in the run."""
    st.html(STYLE)
    scripts = st.container(key="page_script")  # hidden by the style: it takes no room
    with scripts:
        st.html(SHORT_SCREEN_SCRIPT, unsafe_allow_javascript=True)
        st.html(DOWNLOAD_FOCUS_SCRIPT, unsafe_allow_javascript=True)
    return scripts


def focus_filters(scripts: DeltaGenerator, moved: object) -> None:
    """After *Search and filters* opened (``moved`` is ``"panel"``) or closed (``"toggle"``):
    the focus on the panel's heading or back on the button (in ``scripts``, the hidden
    container: nothing else in the page moves)."""
    with scripts:
        if moved == "panel":
            st.html(FOCUS_PANEL_SCRIPT, unsafe_allow_javascript=True)
        elif moved == "toggle":
            st.html(FOCUS_TOGGLE_SCRIPT, unsafe_allow_javascript=True)


def focus_results(now: bool) -> None:
    """Move the focus to the results heading when ``now`` (right after a search). Call it on
    every drawing of the list: otherwise an empty slot holds the script's place, so that what
    follows keeps its place in the page and Streamlit does not draw it anew (an expander the
    person opened, such as *About you*, closed on the run after a search)."""
    if now:
        st.html(FOCUS_SCRIPT, unsafe_allow_javascript=True)
    else:
        st.empty()


def focus_study() -> None:
    """Show the study's page from its top, the focus on its title (call once, on opening)."""
    st.html(FOCUS_STUDY_SCRIPT, unsafe_allow_javascript=True)


def focus_card() -> None:
    """Bring the card the person came back to into view, the focus on its button."""
    st.html(FOCUS_CARD_SCRIPT, unsafe_allow_javascript=True)
