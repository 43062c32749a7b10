"""What the spec marks deprecated reaches users: the generated call and the SDK's methods, arguments and attributes
that use it warn DeprecationWarning at the caller's line, naming what to use instead, and the API reference marks
them.

The project is copied, its spec copy deprecates an operation (deleteWebhook), a response field (Webhook.updatedAt),
a request field (WebhookInput.secret) and a parameter, and scripts/regen.sh regenerates the copy once. A probe
script then runs the copies against a local sandbox in a fresh interpreter and reports every warning (see
deprecation_probe.py); the tests read its report.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import pkgutil
import shutil
import subprocess
import sys
import types
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import griffe
import jinja2
import pytest
import up42_api
import yaml

import up42
from tests.support.contract import ROOT, SPEC_PATH
from up42._client import _default, _deprecations
from up42._client._clients import AsyncClient, Client
from up42._client._webhooks import AsyncWebhook, Webhook

BIN = Path(sys.executable).parent
PROBE = Path(__file__).with_name("deprecation_probe.py")
DOCS = ROOT / "docs"

# The generator is a script beside regen.sh, not a module of a package.
_GENERATOR = importlib.util.spec_from_file_location("gen_deprecations", ROOT / "scripts" / "gen_deprecations.py")
assert _GENERATOR is not None and _GENERATOR.loader is not None
gen_deprecations = importlib.util.module_from_spec(_GENERATOR)
_GENERATOR.loader.exec_module(gen_deprecations)

OPERATION = "use `archiveWebhook` instead."
RESPONSE_FIELD = "read `modifiedAt` instead."
REQUEST_FIELD = "sign with a `signingKey` instead."
PARAMETER = "the list is never paginated."
REMOVED = "is deprecated and may be removed in a later version of the API"


def deprecate(spec: dict[str, Any]) -> None:
    """Mark one operation, one response field, one request field and one (new) parameter deprecated, each saying
    what replaces it."""
    operation = spec["paths"]["/workspaces/{workspaceId}/webhooks/{webhookId}"]["delete"]
    operation["deprecated"] = True
    operation["description"] = f"Deletes the webhook.\n\nDeprecated: {OPERATION}\n"
    schemas = spec["components"]["schemas"]
    schemas["Webhook"]["properties"]["updatedAt"].update(deprecated=True, description=f"Deprecated: {RESPONSE_FIELD}")
    # Over two lines: the paragraph's lines are joined.
    wrapped = REQUEST_FIELD.replace(" a ", "\n  a ")
    secret = schemas["WebhookInput"]["properties"]["secret"]
    secret.update(deprecated=True, description=f"The signing secret.\n\nDeprecated: {wrapped}")
    limit = {"name": "limit", "in": "query", "deprecated": True, "description": f"Deprecated: {PARAMETER}"}
    spec["paths"]["/workspaces/{workspaceId}/webhooks"]["get"]["parameters"] = [
        {**limit, "schema": {"type": "integer"}}
    ]


def run(*args: object, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([str(arg) for arg in args], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The probe's report on a copy of the project regenerated from a spec that deprecates four things."""
    copy = tmp_path_factory.mktemp("deprecated")
    for part in ("openapi", "scripts", "up42"):
        shutil.copytree(ROOT / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy)
    spec_file = copy / "openapi" / "up42.yaml"
    spec = yaml.safe_load(spec_file.read_text())
    deprecate(spec)
    spec_file.write_text(yaml.safe_dump(spec, sort_keys=False))
    env = {**os.environ, "UP42_DEV_BIN": str(BIN)}
    run(
        copy / "scripts" / "regen.sh",
        copy / "generated" / "up42_api",
        copy / "up42" / "receiving" / "_catalog.py",
        env=env,
    )
    # The copies come first: before the checkout that the environment has installed.
    env["PYTHONPATH"] = os.pathsep.join([str(copy), str(copy / "generated"), str(ROOT)])
    result: dict[str, Any] = json.loads(run(sys.executable, PROBE, "warnings", DOCS, env=env))
    return result


def line_of(step: str) -> int:
    """The line of the probe where ``step`` makes its call: the one after its ``with step(...)``."""
    lines = PROBE.read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.strip() == f'with step("{step}"):') + 1


def one_warning_at_its_line(report: dict[str, Any], step: str) -> str:
    """The message of the one warning a step gave, which must be a DeprecationWarning at the step's own line."""
    (warning,) = report["steps"][step]
    assert warning["category"] == "DeprecationWarning", warning
    assert (Path(warning["filename"]), warning["lineno"]) == (PROBE, line_of(step)), warning
    message: str = warning["message"]
    return message


@pytest.mark.parametrize(
    "step",
    ["generated: sync_detailed", "generated: sync", "generated: asyncio_detailed", "generated: asyncio"],
)
def test_each_generated_function_of_a_deprecated_operation_warns_at_the_callers_line(
    report: dict[str, Any], step: str
) -> None:
    message = one_warning_at_its_line(report, step)
    assert message == (
        "the API operation deleteWebhook (DELETE /workspaces/{workspaceId}/webhooks/{webhookId}) is deprecated: "
        f"{OPERATION}"
    )


def test_a_generated_call_that_sends_a_deprecated_request_field_warns(report: dict[str, Any]) -> None:
    message = one_warning_at_its_line(report, "generated: request field")
    assert message == f"the API field WebhookInput.secret is deprecated: {REQUEST_FIELD}"


def test_a_generated_call_that_passes_a_deprecated_parameter_warns(report: dict[str, Any]) -> None:
    message = one_warning_at_its_line(report, "generated: parameter")
    assert message == f"the API parameter limit of listWebhooks is deprecated: {PARAMETER}"


def test_generated_calls_that_use_nothing_deprecated_do_not_warn(report: dict[str, Any]) -> None:
    # Creating without the deprecated field, listing without the deprecated parameter, and reading a webhook
    # (whose deprecated field reads without a warning).
    assert report["steps"]["generated: nothing deprecated"] == []


@pytest.mark.parametrize(
    ("step", "method"),
    [
        ("sdk: method", "Webhook.delete"),
        ("sdk async: method", "AsyncWebhook.delete"),
        # The coroutine first runs inside the event loop; the warning comes as the method is called.
        ("sdk async: method under gather", "AsyncWebhook.delete"),
    ],
)
def test_an_sdk_method_that_sends_a_deprecated_operation_warns_at_the_callers_line(
    report: dict[str, Any], step: str, method: str
) -> None:
    message = one_warning_at_its_line(report, step)
    assert message.startswith(f"{method}(): the API operation deleteWebhook ")
    assert message.endswith(f"is deprecated: {OPERATION}")


@pytest.mark.parametrize("step", ["sdk: attribute", "sdk async: attribute"])
def test_an_sdk_attribute_that_shows_a_deprecated_field_warns_at_the_callers_line(
    report: dict[str, Any], step: str
) -> None:
    message = one_warning_at_its_line(report, step)
    assert message == f"updated_at: the API field Webhook.updatedAt is deprecated: {RESPONSE_FIELD}"


@pytest.mark.parametrize(
    ("step", "function"),
    [
        ("sdk: argument", "Client.create_webhook"),
        # Once, for the function called: not again for the Client method it calls.
        ("sdk: module-level function", "create_webhook"),
    ],
)
def test_an_sdk_argument_that_sets_a_deprecated_request_field_warns_once(
    report: dict[str, Any], step: str, function: str
) -> None:
    message = one_warning_at_its_line(report, step)
    assert message == f"{function}(secret=...): the API field WebhookInput.secret is deprecated: {REQUEST_FIELD}"


def test_sdk_calls_that_use_nothing_deprecated_do_not_warn(report: dict[str, Any]) -> None:
    # Among them the repr, which reads the deprecated field's neighbours, and update(secret=None), which keeps the
    # secret: the SDK's own reads and writes are not the user's.
    assert report["steps"]["sdk: nothing deprecated"] == []


def test_the_api_reference_marks_what_warns_and_nothing_else(report: dict[str, Any]) -> None:
    marks = report["marks"]
    operation = "the API operation deleteWebhook (DELETE /workspaces/{workspaceId}/webhooks/{webhookId})"
    for path in ("Webhook.delete", "AsyncWebhook.delete"):
        assert "deprecated" in marks[path]["labels"], path
        (note,) = marks[path]["notes"]
        assert note["title"] == "Deprecated"
        assert note["text"] == f"{operation} is deprecated: {OPERATION}"
    for path in ("Webhook.updated_at", "AsyncWebhook.updated_at"):
        assert "deprecated" in marks[path]["labels"], path
        assert [note["text"] for note in marks[path]["notes"]] == [
            f"the API field Webhook.updatedAt is deprecated: {RESPONSE_FIELD}"
        ]
    # A deprecated argument is noted, but the method is not deprecated as a whole.
    for path in ("Client.create_webhook", "AsyncClient.create_webhook", "create_webhook", "Webhook.update"):
        assert "deprecated" not in marks[path]["labels"], path
        assert [note["text"] for note in marks[path]["notes"]] == [
            f"`secret`: the API field WebhookInput.secret is deprecated: {REQUEST_FIELD}"
        ], path
    for path in ("Webhook.info", "Webhook.created_at", "get_webhooks"):
        assert "deprecated" not in marks[path]["labels"], path
        assert marks[path]["notes"] == [], path


def test_each_sdk_method_warns_for_exactly_the_operations_it_sends() -> None:
    """With every webhook operation deprecated, each method warns about the operations it sent, no more, no less;
    every public method of the SDK's client side is among those checked, unless it sends no webhook operation."""
    calls = json.loads(run(sys.executable, PROBE, "sends"))
    for name, call in calls.items():
        assert call["sent"], f"{name} sent no webhook operation"
        assert call["warned"] == call["sent"], name
    # These send no webhook operation: logging in, closing, the settings, and the fields a webhook shows.
    skipped = {"authenticate", "close", "aclose", "workspace_id", "base_url", "username"}
    skipped |= {"id", "name", "url", "events", "active", "created_at", "updated_at"}
    public = {name for name, module in up42._LAZY.items() if module == "_client._default" and name not in skipped}
    for cls in (Client, AsyncClient, Webhook, AsyncWebhook):
        public |= {f"{cls.__name__}.{name}" for name in dir(cls) if not name.startswith("_") and name not in skipped}
    # Not an attribute to read: it raises, pointing to `await hook.fetch_info()`.
    public.discard("AsyncWebhook.info")
    assert public <= set(calls), f"not checked: {sorted(public - set(calls))}"


def test_with_the_real_spec_nothing_is_deprecated_so_nothing_warns() -> None:
    spec = yaml.safe_load(SPEC_PATH.read_text())
    assert gen_deprecations.deprecations(spec, "field_") == {"operations": {}, "parameters": {}, "properties": {}}
    generated = [
        importlib.import_module(module.name) for module in pkgutil.walk_packages(up42_api.__path__, "up42_api.")
    ]
    assert [module.__name__ for module in generated if hasattr(module, "_DEPRECATED")] == []
    models = [value for module in generated for value in vars(module).values() if isinstance(value, type)]
    assert [model for model in models if "_DEPRECATED_FIELDS" in vars(model)] == []
    # Not one method or attribute of the SDK is wrapped: each runs exactly as written.
    members = [vars(_default)[name] for name, module in up42._LAZY.items() if module == "_client._default"]
    for cls in (Client, AsyncClient, Webhook, AsyncWebhook):
        members += [member for klass in cls.__mro__ for member in vars(klass).values()]
    assert [member for member in members if hasattr(getattr(member, "fget", member), "_deprecated")] == []
    extension = griffe.load_extensions(f"{DOCS / '_griffe' / 'deprecations.py'}:Deprecations")
    package = griffe.load("up42", search_paths=[ROOT], extensions=extension)

    def marked(obj: griffe.Object) -> list[str]:
        here = "deprecated" in obj.labels or "Warning: Deprecated" in (obj.docstring.value if obj.docstring else "")
        inside = [path for member in obj.members.values() if not member.is_alias for path in marked(member)]
        return [obj.path] * here + inside

    assert marked(package["_client"]) == []


@pytest.mark.parametrize(
    ("description", "advice"),
    [
        ("Deprecated: use `b` instead.", "use `b` instead."),
        # Its own paragraph, anywhere in the description, its lines joined.
        ("Lists them.\n\n  Deprecated: use `b`\n  instead.\n\nMore.", "use `b` instead."),
        # Not at the start of a paragraph, or with nothing after it, it is no advice.
        ("Lists them. Deprecated: use `b` instead.", None),
        ("Deprecated:\n\nuse `b` instead.", None),
        (None, None),
    ],
)
def test_what_to_use_instead_is_the_paragraph_of_the_description_that_starts_with_deprecated(
    description: str | None, advice: str | None
) -> None:
    assert gen_deprecations.advice(description) == advice


def test_without_advice_the_message_names_the_deprecated_thing_and_says_it_may_go() -> None:
    spec = yaml.safe_load(SPEC_PATH.read_text())
    spec["paths"]["/webhooks/events"]["get"]["deprecated"] = True
    spec["components"]["parameters"]["WebhookId"]["deprecated"] = True  # on every operation that refers to it
    tables = gen_deprecations.deprecations(spec, "field_")
    assert tables["operations"] == {
        "list_webhook_events": f"the API operation listWebhookEvents (GET /webhooks/events) {REMOVED}"
    }
    # Keyed by the generated module's name, as the templates look them up.
    takers = {
        "get_webhook": "getWebhook",
        "update_webhook": "updateWebhook",
        "delete_webhook": "deleteWebhook",
        "run_webhook_tests": "runWebhookTests",
    }
    assert tables["parameters"] == {
        module: {"webhookId": f"the API parameter webhookId of {name} {REMOVED}"} for module, name in takers.items()
    }


def test_the_templates_read_the_deprecations_as_jinja_literals() -> None:
    spec = yaml.safe_load(SPEC_PATH.read_text())
    text = 'Deprecated: use "quoted" \\ and {braces} and émoji instead.'
    spec["components"]["schemas"]["Webhook"]["properties"]["name"].update(deprecated=True, description=text)
    source = gen_deprecations.generate(spec, {})
    module = jinja2.Environment(autoescape=True).from_string(source).module
    advice = text.removeprefix("Deprecated: ")
    assert module.properties == {"Webhook": {"name": f"the API field Webhook.name is deprecated: {advice}"}}  # type: ignore[attr-defined]


# The SDK's decorators, on functions of this module: the caller of each is a test, outside the SDK.


def endpoint(message: str | None) -> types.ModuleType:
    """A generated endpoint module, of a deprecated operation when ``message`` is given."""
    module = types.ModuleType("up42_api.api.webhooks.example")
    if message is not None:
        module._DEPRECATED = message  # type: ignore[attr-defined]
    return module


class Body:
    """A generated request model whose field ``secret`` is deprecated."""

    _DEPRECATED_FIELDS: ClassVar[dict[str, str]] = {"secret": "the API field Body.secret is deprecated: use `key`"}


def called_by_the_sdk(expression: str, **names: object) -> object:
    """Evaluate ``expression`` with ``names`` in code that belongs to the SDK."""
    scope: dict[str, Any] = {"__name__": "up42._client.example", **names}
    exec(f"result = {expression}", scope)  # noqa: S102 - a caller whose module is the SDK's
    return scope["result"]


def recorded(call: Callable[[], object]) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return caught


def test_what_uses_nothing_deprecated_is_left_exactly_as_it_is() -> None:
    def method(self: object) -> None:
        """A method."""

    assert _deprecations.sends(endpoint(None), fields=Body)(method) is method  # no argument named secret
    assert _deprecations.reads(Body, "name")(method) is method
    assert _deprecations.like(method)(method) is method


def test_a_method_that_sends_a_deprecated_operation_warns_at_its_callers_line() -> None:
    @_deprecations.sends(endpoint(None), endpoint("the API operation x is deprecated: use `y`"))
    def method(value: int) -> int:
        return value

    (warning,) = recorded(lambda: method(3))
    assert (warning.filename, warning.lineno) == (__file__, sys._getframe().f_lineno - 1)
    assert warning.category is DeprecationWarning
    assert str(warning.message) == f"{method.__qualname__}(): the API operation x is deprecated: use `y`"
    assert recorded(lambda: called_by_the_sdk("method(4)", method=method)) == []


async def test_an_async_method_warns_as_it_is_called_not_as_its_coroutine_runs() -> None:
    @_deprecations.sends(endpoint("the API operation x is deprecated: use `y`"))
    async def method(value: int) -> int:
        return value

    with pytest.warns(DeprecationWarning, match=r"method\(\): the API operation x"):
        coroutine = method(5)
    assert await coroutine == 5


def test_an_argument_that_sets_a_deprecated_field_warns_when_given_a_value_other_than_its_default() -> None:
    @_deprecations.sends(endpoint(None), fields=Body)
    def method(name: str, secret: str | None = None) -> str:
        return name

    assert recorded(lambda: method("a")) == recorded(lambda: method("a", secret=None)) == []
    for call in (lambda: method("a", secret="s"), lambda: method("a", "s")):
        (warning,) = recorded(call)
        assert str(warning.message).endswith("method(secret=...): the API field Body.secret is deprecated: use `key`")
    # A wrong call raises as it would without the wrapper.
    with pytest.raises(TypeError):
        recorded(lambda: method("a", wrong="s"))  # type: ignore[call-arg]


def test_an_attribute_that_shows_a_deprecated_field_warns_only_when_the_user_reads_it() -> None:
    class Shown:
        @property
        @_deprecations.reads(Body, "secret")
        def secret(self) -> str:
            return "s"

    with pytest.warns(DeprecationWarning, match=r"^secret: the API field Body.secret is deprecated: use `key`$"):
        assert Shown().secret == "s"
    assert recorded(lambda: called_by_the_sdk("shown.secret", shown=Shown())) == []


def test_a_function_that_calls_a_method_for_the_user_warns_like_it_and_only_once() -> None:
    @_deprecations.sends(endpoint("the API operation x is deprecated: use `y`"))
    def method() -> int:
        return 1

    # Defined as the SDK's own: its call of the method is not the user's.
    scope: dict[str, Any] = {"__name__": "up42._client.example", "method": method}
    exec("def function():\n    return method()", scope)  # noqa: S102 - a function of the SDK
    function = _deprecations.like(method)(scope["function"])
    (warning,) = recorded(function)
    assert str(warning.message) == "function(): the API operation x is deprecated: use `y`"
