import hashlib
import secrets


def new_token() -> tuple[str, str]:
    """A fresh link token (256 random bits, URL-safe) and the SHA-256 digest that is stored instead."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
