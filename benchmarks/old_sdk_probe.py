"""Runs inside the old SDK's own venv (up42-py 2.6.0), never with this repository's ``up42`` importable.

``python old_sdk_probe.py URL CALLS LIST_CALLS ROUNDS`` points the old SDK at the canned server, makes the calls of
rows 1 and 2 (``Webhook.get`` and ``Webhook.all``, its spellings of ``initialize_webhook`` and ``get_webhooks``)
and prints the median seconds of a round of each as JSON.
"""

import json
import statistics
import sys
import time
import warnings

import up42
from up42 import host

WEBHOOK_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


def point_at(url: str) -> None:
    """The old SDK builds https URLs of fixed hosts; send them to the loopback server instead."""
    realm = f"{url}/realms/public/protocol/openid-connect"
    host.endpoint = lambda path: f"{url}{path}"
    host.token_endpoint = lambda: f"{realm}/token"
    host.user_info_endpoint = lambda: f"{realm}/userinfo"


def median_round(work, count: int, rounds: int) -> float:
    work()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(count):
            work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    url, calls, list_calls, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    # Every Webhook method of 2.6.0 warns that it is deprecated; the warning is not what is being compared.
    warnings.simplefilter("ignore")
    point_at(url)
    up42.authenticate(username="bench@example.com", password="bench-password")  # noqa: S106 - accepted by anything
    get = median_round(lambda: up42.Webhook.get(WEBHOOK_ID), calls, rounds)
    listed = median_round(up42.Webhook.all, list_calls, rounds)
    print(json.dumps({"get": get, "all": listed, "count": len(up42.Webhook.all())}))


if __name__ == "__main__":
    main()
