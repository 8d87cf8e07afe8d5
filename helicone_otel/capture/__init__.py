"""The caller's thread: record references and timestamps of each SDK call, nothing more.

Nothing in this package does JSON, pricing, attribute building or I/O (STYLE.md rule 1); the
export side turns a :class:`Call` into a span and a Helicone record.
"""
