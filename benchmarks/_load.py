"""A load generator for row 6, run in its own process so it does not share a core's time with the server.

``python -m benchmarks._load PORT PATH TOKEN COUNT SECONDS CONNECTIONS`` sends keep-alive GETs over raw asyncio
streams (far cheaper per request than any HTTP client library, so the server is what saturates) until COUNT
responses have arrived or SECONDS have passed, and prints requests/s and latency percentiles as JSON.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time


async def _connection(port: int, request: bytes, budget: list[int], deadline: float, latencies: list[float]) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    failures = 0
    try:
        while budget[0] > 0 and time.perf_counter() < deadline:
            budget[0] -= 1
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            failures += not head.startswith(b"HTTP/1.1 200")
    finally:
        writer.close()
    return failures


async def run(port: int, path: str, token: str, count: int, seconds: float, connections: int) -> dict[str, float]:
    """Send the load; the figures of the whole run."""
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
        "Accept: application/json\r\n\r\n"
    ).encode()
    latencies: list[float] = []
    budget = [count]
    started = time.perf_counter()
    deadline = started + seconds
    failures = await asyncio.gather(
        *(_connection(port, request, budget, deadline, latencies) for _ in range(connections))
    )
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "failures": sum(failures),
        "rps": len(ordered) / elapsed,
        "p50": statistics.median(ordered),
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
    }


if __name__ == "__main__":
    port, path, token, count, seconds, connections = sys.argv[1:]
    figures = asyncio.run(run(int(port), path, token, int(count), float(seconds), int(connections)))
    print(json.dumps(figures))
