"""A password hasher for the security suite that counts its work."""

from tests.hashers import FastArgon2PasswordHasher


class CountingArgon2PasswordHasher(FastArgon2PasswordHasher):
    """Counts every hash computed or verified: each one is the expensive step of a sign-in."""

    calls = 0

    def encode(self, password, salt):
        CountingArgon2PasswordHasher.calls += 1
        return super().encode(password, salt)

    def verify(self, password, encoded):
        CountingArgon2PasswordHasher.calls += 1
        return super().verify(password, encoded)
