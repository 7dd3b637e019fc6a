"""Forløp: steering information for mental health services from registry data."""

__version__ = "0.1.0"
