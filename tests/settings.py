"""Test settings: the product's settings with a throwaway key and plain static storage."""

import os

os.environ.setdefault("MOTCUA_SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("MOTCUA_AUDIT_KEY", "test:tests-only-audit-key")
os.environ.setdefault("MOTCUA_HTTPS", "0")

from motcua.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# The citizen portal is on in the tests, as a client of a provider that is not there: tests
# that sign in start a real one on loopback (tests/citizens/provider.mjs) and point these at it.
OIDC_RP_CLIENT_ID = "motcua-tests"
OIDC_RP_CLIENT_SECRET = "tests-only-client-secret-0123456789"
OIDC_OP_AUTHORIZATION_ENDPOINT = "http://127.0.0.1:9/auth"
OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/token"
OIDC_OP_USER_ENDPOINT = "http://127.0.0.1:9/me"
OIDC_OP_JWKS_ENDPOINT = "http://127.0.0.1:9/jwks"
OIDC_TIMEOUT = 5
