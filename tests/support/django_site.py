"""A minimal Django site for the tests of `up42.receiving.django`: settings, and a URL conf made per test.

Django's settings are configured once per process; each test mounts its own views with `mounted`.
"""

from __future__ import annotations

import contextlib
import types
from collections.abc import Callable, Iterator
from typing import Any

import django
from django.conf import settings
from django.test import override_settings
from django.urls import path

PATH = "/hooks/up42"


def configure() -> None:
    """Settings as a small project has them, with the CSRF middleware on, so that a view that needs a token fails."""
    if settings.configured:
        return
    settings.configure(
        DEBUG=False,
        SECRET_KEY="django-tests-only",
        ALLOWED_HOSTS=["testserver"],
        INSTALLED_APPS=[],
        DATABASES={},
        MIDDLEWARE=[
            "django.middleware.security.SecurityMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
        ],
        ROOT_URLCONF=_urls([]),
        USE_TZ=True,
    )
    django.setup()


@contextlib.contextmanager
def mounted(view: Callable[..., Any]) -> Iterator[None]:
    """Serve ``view`` at `PATH` while the block runs."""
    configure()
    with override_settings(ROOT_URLCONF=_urls([path(PATH.lstrip("/"), view)])):
        yield


def _urls(urlpatterns: list[Any]) -> types.ModuleType:
    """A URL conf module made in memory (Django takes a module where it takes a module's name)."""
    module = types.ModuleType("urls")
    module.urlpatterns = urlpatterns  # type: ignore[attr-defined]
    return module
