"""Rasa custom actions for Front Desk (run by the rasa-sdk action server, which registers
every Action subclass found in this package's modules)."""
