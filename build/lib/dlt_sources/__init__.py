"""dlt sources of cursor-spend."""
