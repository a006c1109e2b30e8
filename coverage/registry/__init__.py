"""The station registry: a persistent, shared, bitemporal record of stations, fed by monthly ledgers.

``schema`` (tables), ``migrate`` (Alembic, the schema's history), ``store`` (reading and writing
stations over time), ``seed`` (the embedded lists as a new registry's first versions), ``ledger``
(monthly submissions: diff, review, acceptance, who has reported), ``dump`` (export and restore),
``accounts`` and ``audit`` (who may write what, and the trail of who did).
"""

#: The roles of an account, from the most to the least allowed (``accounts`` says what each may do).
#: Here rather than in ``schema`` so that naming them (the command line's ``--role``) loads no database layer.
ROLES = ("admin", "reviewer", "editor", "viewer")
