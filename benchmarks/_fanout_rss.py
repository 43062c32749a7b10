"""Peak RSS (VmHWM, Linux) of one batch of concurrent gets in a fresh process (row RSS-9b).

``python -m benchmarks._fanout_rss {sdk,aiohttp} URL COUNT`` prints it in KiB. Each side imports only what it uses.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path


async def batch(side: str, url: str, count: int) -> None:
    if side == "sdk":
        from benchmarks.fanout import sdk_side

        run, close = await sdk_side(url, "aiohttp")
    else:
        from benchmarks.fanout import aiohttp_side

        run, close = await aiohttp_side(url)
    await run(count)
    await close()


if __name__ == "__main__":
    asyncio.run(batch(sys.argv[1], sys.argv[2], int(sys.argv[3])))
    print(
        next(
            line.split()[1] for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmHWM:")
        )
    )
