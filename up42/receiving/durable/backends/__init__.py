"""The stores behind de-duplication and the inbox, one module per store and technology.

`_memory` (de-duplication in one process), `_redis_dedupe` and `_redis_inbox` (shared by many machines),
`_sqlite_inbox` (one machine). A backend imports its client library itself, so an extra that is not installed
fails only when its URL is used.
"""
