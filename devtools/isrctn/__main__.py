"""``python -m devtools.isrctn``: serve the fictional sample trials on loopback until Ctrl-C."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from devtools.isrctn.records import sample_trials
from devtools.isrctn.server import IsrctnServer


def main() -> int:
    with IsrctnServer(sample_trials(), today=datetime.now(UTC).date()) as server:
        print(f"ISRCTN stand-in (fictional trials) at {server.base_url}; "
              f"TRIALFINDER_ISRCTN_URL={server.base_url}; Ctrl-C stops it", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
