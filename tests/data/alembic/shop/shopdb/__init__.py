"""Shared code of the shop service that migrations may import."""
