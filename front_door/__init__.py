"""The front door: one aiohttp server for the relay, the Open311 API and (later) the widget and console."""
