"""Subject access and erasure (UK GDPR articles 15 and 17) for a council's data protection officer.

``finding`` matches a person's identifiers in records (pure), ``gather`` reads what is held
from Redis and the Open311 service, ``erase`` removes or anonymises it, ``render`` writes
the readable page (pure) and ``cli`` is ``python -m live_handoff privacy``. See
docs/subject-access.md.
"""
