"""Password hashers for the security suite: one that counts its work, one slow enough to time."""

from django.contrib.auth.hashers import Argon2PasswordHasher

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


class TimingArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id costing tens of milliseconds: the hash, not database noise, dominates a sign-in."""

    time_cost = 2
    memory_cost = 16384
    parallelism = 1
