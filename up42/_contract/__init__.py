"""The API contract at run time: the spec that ships with the package, and answers judged against it.

- `Spec` reads an OpenAPI document (`Spec.shipped` the package's own ``openapi/up42.yaml``) and finds its
  `Operation` by id or by a request's method and path; `Operation.response` picks the documented `Response` of a
  status.
- `judge_value` and `judge_response` hold a value or a whole answer to the spec and list each `Problem`: a
  ``violation`` breaks the spec, a ``drift`` only carries what the spec does not know.
- `error_body` is the spec's error body of an operation and status; `envelope` and `oauth_error` build the two
  error shapes, `error_code` names a status.

These are pure: no I/O but reading the spec file. Beside them, ``_tour`` calls each operation once over raw HTTP
and judges the answers (``up42 conformance``), and ``_cassettes`` writes those exchanges with every credential
masked, reads them back and judges them again. Nothing here logs or prints.
"""

from ._errors import envelope, error_body, error_code, oauth_error
from ._judge import Problem, judge_response, judge_value
from ._spec import Header, Operation, Response, Spec

__all__ = [
    "Header",
    "Operation",
    "Problem",
    "Response",
    "Spec",
    "envelope",
    "error_body",
    "error_code",
    "judge_response",
    "judge_value",
    "oauth_error",
]
