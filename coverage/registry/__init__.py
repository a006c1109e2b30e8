"""The station registry: a persistent, shared, bitemporal record of stations, fed by monthly ledgers.

``schema`` (tables), ``migrate`` (Alembic, the schema's history), ``store`` (reading and writing
stations over time), ``seed`` (the embedded lists as a new registry's first versions), ``ledger``
(monthly submissions: diff, review, acceptance, who has reported), ``dump`` (export and restore).
"""
