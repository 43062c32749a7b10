"""What the API deprecates, brought to the facade: the methods and attributes that use it warn.

The spec marks an operation or a field ``deprecated: true``, and the generated code carries a message that says
what to use instead: ``_DEPRECATED`` in the operation's endpoint module, ``_DEPRECATED_FIELDS`` on the model. Each
facade method names the endpoints it sends with `sends` (and the request model its arguments fill), each webhook
attribute the model field it shows with `reads`; a module-level function warns as the `Client` method it calls
(`like`). It is all decided once, at import: a method or attribute that uses nothing deprecated is left exactly as
it is, so its calls cost nothing more. One that does warns `DeprecationWarning` at the line that called it, when
that line is the user's: where the SDK calls its own methods and attributes (a module-level function its
`Client`'s, a repr the attributes), the outer call has warned already, or there is nothing to warn about. The
token and userinfo lookups that any call may make are the SDK's own business and warn nothing here.

A warning wrapper keeps what it warns about in ``_deprecated``, where the API reference finds it: pairs of the
argument concerned (None for the method or attribute itself) and the message.
"""

from __future__ import annotations

import functools
import inspect
import sys
import warnings
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

# The packages whose calls are the SDK's own.
_OURS = frozenset({"up42", "up42_api"})


def _called_by_user() -> bool:
    """Whether the caller of the function that asks is outside the SDK."""
    module = sys._getframe(2).f_globals.get("__name__", "")
    return str(module).partition(".")[0] not in _OURS


class _Uses:
    """A decorator for a facade method: the messages of the deprecated operations it sends, and of the deprecated
    request fields that its arguments of the same names set, when given a value other than their default."""

    __slots__ = ("fields", "operations")

    def __init__(self, operations: list[str], fields: Mapping[str, str]) -> None:
        self.operations = operations
        self.fields = fields

    def __call__(self, function: Callable[P, R]) -> Callable[P, R]:
        if not self.operations and not self.fields:
            return function
        signature = inspect.signature(function)
        arguments = {name: message for name, message in self.fields.items() if name in signature.parameters}
        if not self.operations and not arguments:
            return function
        name = function.__qualname__
        messages = [f"{name}(): {message}" for message in self.operations]
        given = {argument: f"{name}({argument}=...): {message}" for argument, message in arguments.items()}

        @functools.wraps(function)
        def warning(*args: P.args, **kwargs: P.kwargs) -> R:
            if _called_by_user():
                for message in messages:
                    warnings.warn(message, DeprecationWarning, stacklevel=2)
                for argument in _given(signature, args, kwargs, given) if given else ():
                    warnings.warn(given[argument], DeprecationWarning, stacklevel=2)
            return function(*args, **kwargs)

        shown = [*((None, message) for message in self.operations), *arguments.items()]
        warning._uses = self  # type: ignore[attr-defined]
        # The wrapper hands back an async method's coroutine: it warns as the method is called, at the user's line,
        # rather than when the coroutine first runs (under asyncio.gather, inside the event loop). Where Python
        # can mark a function as a coroutine function, it is marked, so inspect still tells it for one.
        if sys.version_info >= (3, 12) and inspect.iscoroutinefunction(function):
            inspect.markcoroutinefunction(warning)
        return _shown(warning, shown)


def _given(signature: inspect.Signature, args: Any, kwargs: Any, watched: Mapping[str, str]) -> list[str]:
    """The watched arguments that a call gives a value other than their default."""
    try:
        bound = signature.bind(*args, **kwargs).arguments
    except TypeError:
        return []  # the call itself raises it
    return [name for name in watched if name in bound and bound[name] is not signature.parameters[name].default]


def _shown(wrapper: Callable[P, R], messages: list[tuple[str | None, str]]) -> Callable[P, R]:
    """Keep what ``wrapper`` warns about where the API reference looks for it."""
    wrapper._deprecated = tuple(messages)  # type: ignore[attr-defined]
    return wrapper


def sends(*endpoints: ModuleType, fields: type | None = None) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Mark a facade method with the generated endpoints it sends, and with the request model whose fields its
    arguments of the same names set: it warns where the spec deprecates one of them."""
    operations = [message for endpoint in endpoints if (message := getattr(endpoint, "_DEPRECATED", None))]
    return _Uses(operations, getattr(fields, "_DEPRECATED_FIELDS", {}))


def like(method: Callable[..., Any]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Mark a function that calls ``method`` for the user: it warns as ``method`` does."""
    uses: _Uses = getattr(method, "_uses", _Uses([], {}))
    return uses


S = TypeVar("S")


def reads(model: type, field: str) -> Callable[[Callable[[S], R]], Callable[[S], R]]:
    """Mark the getter of an attribute that shows ``field`` of a generated ``model``: it warns where the spec
    deprecates that field."""
    message: str | None = getattr(model, "_DEPRECATED_FIELDS", {}).get(field)

    def decorate(getter: Callable[[S], R]) -> Callable[[S], R]:
        if message is None:
            return getter
        text = f"{getter.__name__}: {message}"

        @functools.wraps(getter)
        def warning(self: S) -> R:
            if _called_by_user():
                warnings.warn(text, DeprecationWarning, stacklevel=2)
            return getter(self)

        return _shown(warning, [(None, message)])

    return decorate
