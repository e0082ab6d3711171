"""Rasa custom actions for Front Desk (run by the rasa-sdk action server)."""
