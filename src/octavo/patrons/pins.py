"""How patron PINs are hashed: PBKDF2 with fewer rounds than staff passwords get.

A PIN is 4 to 12 digits, so no hash cost makes an offline guess of one slow for long; what
protects it is the failure limit every interface shares (rules.PIN_FAILURE_LIMIT). A staff
password's 1,000,000 rounds cost 0.6 s on the reference machine, paid at every self-check
kiosk session (issue #5); these cost about 2 ms (25,000 rounds, 9 ms, were still a third of
the SIP2 server's CPU under load). PINs hashed the old way still check, and are
rehashed this way when they do.
"""

from __future__ import annotations

from django.contrib.auth.hashers import PBKDF2PasswordHasher

ALGORITHM = "pbkdf2_sha256_pin"


class PinHasher(PBKDF2PasswordHasher):
    algorithm = ALGORITHM
    iterations = 5_000
