"""The one password the tests give staff accounts. It must pass the strength rules staff
passwords are held to (live_handoff/passwords.py): tests/live_handoff/unit/test_passwords.py
checks it, so a stricter rule fails there first, not in every server test."""

STAFF_PASSWORD = "correct horse battery"
