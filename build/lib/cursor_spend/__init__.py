"""cursor-spend: what your Cursor seats and usage really cost, as warehouse tables."""

__version__ = "0.1.0"
