"""Octavo: library and resource management for school districts and public libraries."""

__version__ = "0.1.0"
