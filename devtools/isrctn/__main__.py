"""``python -m devtools.isrctn [--port PORT]``: serve the fictional sample trials on loopback
until Ctrl-C (port 8766 unless told otherwise; ``TRIALFINDER_ISRCTN_URL`` points trialfinder
at it)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime

from devtools.isrctn.records import sample_trials
from devtools.isrctn.server import IsrctnServer

#: The port the stand-in serves on unless ``--port`` says otherwise (ClinicalTrials.gov's
#: stand-in, ``make standin``, takes 8765).
PORT = 8766


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devtools.isrctn",
        description="Serve a loopback stand-in for ISRCTN's API: fictional trials (ids from "
                    "ISRCTN99000000) in its XML shape.")
    parser.add_argument("--port", type=int, default=PORT,
                        help=f"port on 127.0.0.1 (default {PORT}; 0 = any free port)")
    args = parser.parse_args(argv)
    try:
        server = IsrctnServer(sample_trials(), today=datetime.now(UTC).date(), port=args.port)
        server.__enter__()
    except (OSError, OverflowError) as error:
        print(f"devtools.isrctn: cannot serve on port {args.port}: {error}", file=sys.stderr)
        return 2
    try:
        print(f"ISRCTN stand-in (fictional trials) at {server.base_url}; "
              f"TRIALFINDER_ISRCTN_URL={server.base_url}; Ctrl-C stops it", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.__exit__(None, None, None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
