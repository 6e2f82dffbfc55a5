"""Workflows: the library functions behind each CLI verb (data -> model -> trainer -> files)."""
