from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Still Argon2id (same algorithm name and format), with costs low enough for a test suite."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1
