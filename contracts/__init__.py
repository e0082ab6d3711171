"""Values every part of Front Desk agrees on, beside the wire formats' JSON Schemas.

Dependency-free by rule: these modules import only the standard library (and
``govuk-bank-holidays`` for the bundled calendar), never another package of the project,
so every package may read them without depending on any other (tests/unit/test_boundaries.py).

- :mod:`contracts.statuses` — Open311 and FixMyStreet's extended request statuses.
- :mod:`contracts.postcodes` — UK postcodes (BS7666) as residents type them.
- :mod:`contracts.calendar` — England and Wales bank holidays.
- :mod:`contracts.handoff` — handoff reasons, priorities and the route a handoff follows.
"""
