"""Council insight: the web chat's performance report, from the relay's measurement events.

events   read and write events (Redis stream, JSON Lines)
figures  the figures for a period (pure)
charts   inline SVG charts (pure)
report   the HTML page
generate a realistic month of events, for demonstrations and tests
"""
