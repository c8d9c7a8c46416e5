"""drio server: an implementation of the drio v2 management API."""

__version__ = "0.1.0"
