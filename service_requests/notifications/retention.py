"""Contact retention for what the notifications keep: removed with the contact details.

``OPEN311_CONTACT_RETENTION_DAYS`` after a case is closed the case store forgets the
resident's contact details (``CaseStore.purge_contact_details``); this removes, in the same
run, what the notifications keep about the person for that case:

- its updates in the outbox (sent or not: an unsent one is never sent) and the record that
  they stopped updates for it (``outbox.purge``);
- residents' updates made on it through FixMyStreet (``citizen_updates``, mySociety's
  extension): their words and photo link are replaced, the row stays so the case still
  shows that an update came.

The watch list's own file (council mode) is purged by ``watch.purge``, which uses
``outbox.purge`` too.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from service_requests.notifications import outbox
from service_requests.notifications.outbox import iso

REMOVED = "[removed after the contact retention period]"


def purge(db: sqlite3.Connection, cutoff: dt.datetime) -> dict[str, int]:
    """Forget notification data of cases closed before ``cutoff``, in the case store ``db``.

    Returns:
        How many outbox rows and residents' updates were removed or emptied.
    """
    removed = outbox.purge(db, cutoff)
    updates = 0
    if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'citizen_updates'").fetchone():
        updates = db.execute(
            "UPDATE citizen_updates SET description = ?, media_url = NULL, client_update_id = NULL"
            " WHERE description != ? AND request_id IN"
            " (SELECT id FROM requests WHERE closed IS NOT NULL AND closed < ?)",
            (REMOVED, REMOVED, iso(cutoff)),
        ).rowcount
    return {"notifications": removed, "citizen_updates": updates}
