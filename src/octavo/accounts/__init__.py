"""Staff and user accounts, roles, what each role may do, and API tokens."""
