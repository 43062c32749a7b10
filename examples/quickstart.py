"""The webhooks flow from start to finish: log in, pick events, create a signed webhook, test it, change it, delete it.

`make demo` runs it against a local sandbox with a receiver (`up42 listen`). To run it yourself, start both and
point the script at them:

    up42 sandbox --port 8042                      # prints the UP42_* variables to export
    UP42_WEBHOOK_SECRET=my-secret up42 listen --port 8043
    UP42_WEBHOOK_SECRET=my-secret python examples/quickstart.py http://127.0.0.1:8043/

Against UP42 itself, export your own credentials instead and pass a public HTTPS URL that reaches the receiver.
"""

from __future__ import annotations

import os
import sys

import up42


def say(text: str = "") -> None:
    print(text, flush=True)


def main(receiver_url: str) -> int:
    secret = os.environ["UP42_WEBHOOK_SECRET"]

    say(f"1. Log in as {os.environ.get('UP42_USERNAME')} at {os.environ.get('UP42_BASE_URL', 'UP42')}.")
    up42.authenticate()  # UP42_USERNAME and UP42_PASSWORD; UP42_BASE_URL points it at a sandbox
    say("   Logged in: a token and the workspace id were fetched.")

    say("2. See which events a webhook can subscribe to.")
    for event in up42.get_webhook_events():
        say(f"   - {event['name']}: {event.get('title', '')}")

    say(f"3. Create a webhook for order.status that POSTs to {receiver_url}, signed with a secret.")
    hook = up42.create_webhook(name="quickstart", url=receiver_url, events=["order.status"], secret=secret)
    say(f"   Created {hook!r} (the secret stays out of the repr).")

    say("4. Ask UP42 to send a test event; the receiver checks the signature before it says 200.")
    run = hook.trigger_test_events()
    for test in run.get("tests", []):
        say(f"   {test['eventName']}: {test.get('message')} {test.get('response') or ''}".rstrip())
    if run["testsSucceeded"] != run["testsRun"]:
        say(f"   {run['testsRun'] - run['testsSucceeded']} test deliveries failed; is the receiver running?")
        return 1
    say("   The receiver verified the signed delivery.")

    say("5. Switch live deliveries on and rename it.")
    hook.update(active=True, name="quickstart-live")
    say(f"   Now {hook!r}.")

    say("6. List the workspace's webhooks.")
    for listed in up42.get_webhooks():
        say(f"   - {listed.name}: {', '.join(listed.events)} -> {listed.url} (active: {listed.active})")

    say("7. Delete it.")
    hook.delete()
    say(f"   Deleted; {len(up42.get_webhooks())} webhooks left.")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python examples/quickstart.py RECEIVER_URL  (with UP42_WEBHOOK_SECRET set)")
    sys.exit(main(sys.argv[1]))
