"""The handoff relay: the front door residents and advisors connect to."""
