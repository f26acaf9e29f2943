import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # admin_client/login hash passwords; PBKDF2's deliberate slowness costs seconds per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
