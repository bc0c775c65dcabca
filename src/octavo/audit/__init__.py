"""The append-only audit log of staff changes."""
