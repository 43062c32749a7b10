"""Durable receiving: what remembers deliveries across processes and restarts.

De-duplication claims (`_dedupe`, held and renewed by `_claims` and `_leases`), the inbox that stores an
acknowledged delivery until a worker has handled it (`_inbox`), and the worker that drains it (`_worker`, guarded by
`_watchdog` and `_daemon`). Every store has its backends in `backends/`. The public names are re-exported by
`up42.receiving`; nothing here is imported from `up42.receiving.durable` directly.
"""
