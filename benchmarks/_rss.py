"""Peak RSS (VmHWM, Linux) of one webhook list load in a fresh process.

``python -m benchmarks._rss {sdk,baseline} URL PATH TOKEN`` prints it in KiB.

Each side imports only what it uses, so the figure is what a program doing just this would hold.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(side: str, url: str, path: str, token: str) -> None:
    if side == "sdk":
        import up42

        with up42.Client("bench@example.com", "bench-password", base_url=url) as client:
            client.get_webhooks()
    else:
        import httpx

        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as raw:
            json.loads(raw.get(path).content)
    # VmHWM starts afresh at exec; ru_maxrss would carry over the parent's peak from before the fork.
    print(
        next(
            line.split()[1] for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmHWM:")
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
