"""Devices, the in-app inbox, push delivery, campaigns; reads the outbox written by api/events.py."""
