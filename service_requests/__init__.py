"""Open311 GeoReport v2 service with a built-in case store (SQLite by default)."""
