"""Bibliographic records, MARC mapping, call numbers, identifiers, search."""
