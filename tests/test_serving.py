"""The dashboard is served to this computer only unless someone opens it up on purpose."""
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_the_dashboard_listens_on_this_computer_only() -> None:
    """`make app` and `streamlit run app.py` read .streamlit/config.toml: it binds localhost,
    and the Makefile's launch line does not override it with another address."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text("utf-8"))
    assert config["server"]["address"] == "localhost"
    makefile = (ROOT / "Makefile").read_text("utf-8")
    launch = re.search(r"^app:.*\n\t(.*)$", makefile, re.MULTILINE)
    assert launch is not None and launch.group(1) == "$(BIN)/streamlit run app.py"
