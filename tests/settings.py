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
