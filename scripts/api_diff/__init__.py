"""What a change to the spec or the code does to the people who use the SDK, and the version it asks for.

Run as ``scripts/api-diff.sh [--json] [--check] BASE_REF``. The spec is compared as data, in the direction each part
travels (a request may widen, a response may narrow); the public Python surface of ``up42`` and of the generated
``up42_api`` is compared with griffe. Each change is breaking or compatible; the version policy turns them into the
bump that ``up42/_version.py`` must show.
"""
