"""Residents told when their case changes: an outbox in the case store, a sender, two providers.

- ``wording``: what the email and text say (pure).
- ``settings``: ``NOTIFY_*``, ``SMTP_*`` and ``MAIL_*`` settings, read once.
- ``outbox``: the SQLite outbox, written in the status change's own transaction.
- ``providers``: SMTP (any mail relay) and GOV.UK Notify behind one interface.
- ``sender``: claims due rows (one sender per row across processes), sends, retries with back-off.
- ``web``: the unsubscribe page and the staff view of what was sent and what failed.
- ``catcher``: the local mail catcher ``make up`` starts (mail lands in var/mail/).
- ``watch``, ``poller``, ``council``: council mode, for cases in a council's own case system:
  the watch list the chat registers reports in, the poll of the council's Open311 endpoint,
  and their endpoint and wiring in the front door.
"""
