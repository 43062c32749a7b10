"""A Django view over a `Receiver`: ``path("hooks/up42", webhook_view(receiver))`` in your ``urls.py``.

Needs the ``django`` extra (``pip install 'up42-webhooks[django]'``). The view answers as `Receiver.asgi_app`
does, with the same statuses and JSON bodies (`_answers`), and leaves verification, de-duplication, the inbox
and the handlers to the receiver's own ``handle`` or ``handle_async``.

Django calls a view the way it is written: a plain function in the request's thread, a coroutine function in the
event loop, and under the other kind of server it adapts the view with a thread or a loop of its own. So the
view is chosen where it is mounted: plain by default, for Django under WSGI (gunicorn, uWSGI, ``runserver``);
``asynchronous=True`` for Django under ASGI (uvicorn, daphne), where async handlers then run in the server's loop.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Literal, TypeVar, overload

from .._extras import needs_extra

with needs_extra("django"):
    from django.http import HttpRequest, HttpResponse  # type: ignore[import-untyped]

from ._answers import CONTENT_TYPE, NOT_POST, Answer, answer, check_max_body_size, too_large
from ._receiver import DEFAULT_MAX_BODY_SIZE, Receiver

__all__ = ["webhook_view"]

View = Callable[[HttpRequest], HttpResponse]
AsyncView = Callable[[HttpRequest], Coroutine[Any, Any, HttpResponse]]
V = TypeVar("V", View, AsyncView)


@overload
def webhook_view(
    receiver: Receiver, *, max_body_size: int = DEFAULT_MAX_BODY_SIZE, asynchronous: Literal[False] = False
) -> View: ...


@overload
def webhook_view(
    receiver: Receiver, *, max_body_size: int = DEFAULT_MAX_BODY_SIZE, asynchronous: Literal[True]
) -> AsyncView: ...


def webhook_view(
    receiver: Receiver, *, max_body_size: int = DEFAULT_MAX_BODY_SIZE, asynchronous: bool = False
) -> View | AsyncView:
    """A Django view that answers each POSTed delivery with ``receiver``'s outcome.

    Examples:
        >>> urlpatterns = [path("hooks/up42", webhook_view(receiver))]  # doctest: +SKIP

    The view needs no CSRF token (UP42 cannot send one; the signature is what proves a delivery), answers 405
    with ``Allow: POST`` to any other method, and 413 to a body over ``max_body_size`` bytes, of which it reads
    no more than one byte over the limit. Everything else is the receiver's `Outcome`, as `Receiver.asgi_app`
    answers it: a verified delivery is handled (or, with an inbox, stored) and acknowledged, a bad signature is
    401, a malformed delivery 400.

    Args:
        receiver: The receiver that verifies and handles the deliveries.
        max_body_size: The largest body accepted, in bytes (1 MiB by default, as for `Receiver.asgi_app`).
        asynchronous: True for a coroutine view, calling ``handle_async``: for Django under ASGI. False (the
            default) for a plain view, calling ``handle``: for Django under WSGI.

    Raises:
        InvalidArgumentError: ``max_body_size`` is not a positive whole number.
    """
    limit = check_max_body_size(max_body_size)
    return _async_view(receiver, limit) if asynchronous else _view(receiver, limit)


def _view(receiver: Receiver, limit: int) -> View:
    def view(request: HttpRequest) -> HttpResponse:
        body = _read(request, limit)
        if isinstance(body, Answer):
            return _response(body)
        return _response(answer(receiver.handle(body, request.headers)))

    return _exempt(view)


def _async_view(receiver: Receiver, limit: int) -> AsyncView:
    async def view(request: HttpRequest) -> HttpResponse:
        body = _read(request, limit)
        if isinstance(body, Answer):
            return _response(body)
        return _response(answer(await receiver.handle_async(body, request.headers)))

    return _exempt(view)


def _read(request: HttpRequest, limit: int) -> bytes | Answer:
    """The request's raw body, or the answer that refuses it before the receiver sees it."""
    if request.method != "POST":
        return NOT_POST
    # Reading the stream rather than request.body bounds what is read, as asgi_app does: request.body would take
    # a whole chunked body under ASGI, and refuse one over Django's own DATA_UPLOAD_MAX_MEMORY_SIZE with a 400.
    body: bytes = request.read(limit + 1)
    return too_large(limit) if len(body) > limit else body


def _response(reply: Answer) -> HttpResponse:
    return HttpResponse(reply.body, status=reply.status, content_type=CONTENT_TYPE, headers=dict(reply.headers))


def _exempt(view: V) -> V:
    # What csrf_exempt marks, without its wrapper: before Django 5.0 that wrapper is a plain function, which would
    # make Django call a coroutine view as a plain one.
    view.csrf_exempt = True  # type: ignore[attr-defined]
    return view
