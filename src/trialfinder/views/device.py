"""Whether a page is read in a phone's browser, told by its ``User-Agent`` header.

A phone's browser writes "Mobi" in it (Chrome and Firefox on Android phones, Safari on an
iPhone: "Mobile"); a tablet's does not, except an iPad's Safari, told apart by its "iPad".
The dashboard starts the sidebar closed there, so that a phone turned sideways (wider than
Streamlit's 768 px, yet only about 390 px high) never draws it over its page on loading. The
header is the browser's own word and may say anything: only its first
:data:`MAX_AGENT_CHARS` characters are read, and nothing but these tokens is looked for.
"""

from __future__ import annotations

from typing import Final

__all__ = ["MAX_AGENT_CHARS", "phone_browser"]

MAX_AGENT_CHARS: Final = 512


def phone_browser(agent: object) -> bool:
    """Whether ``agent`` (a ``User-Agent`` header, or ``None``) is a phone's browser."""
    if not isinstance(agent, str):
        return False
    head = agent[:MAX_AGENT_CHARS]
    return "Mobi" in head and "iPad" not in head
