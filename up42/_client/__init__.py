"""The client side: everything that talks to the UP42 API, kept apart from receiving and the sandbox.

The flow runs one way: the facade (`_clients`, `_webhooks`, `_default`) states each call; `_operations` holds
each operation as a sans-I/O plan; `_transport` runs plans with the call's deadline (`_deadline`, `_alarms`),
token (`_auth`), retries (`_retry`) and error mapping; `_http` and `_aiohttp` send through httpx or aiohttp;
`_responses`, `_encodings` and `_sockets` read what comes back within its limits. `_config` and `_login` find
the credentials and hosts. `_deprecations` makes the facade warn where it uses what the spec deprecates. The
public names are re-exported by `up42`.
"""
