"""Residents' photos with their reports: checked, cleaned, kept, and served to staff and,
through ``media_url``, to the council's case system (contracts/README.md, "Photos").
``handlers.setup`` adds them to the relay."""
