"""Contains all the data models used in inputs/outputs"""

from .error import Error
from .error_details_type_0 import ErrorDetailsType0
from .error_envelope import ErrorEnvelope
from .event_name import EventName
from .event_type import EventType
from .event_type_list_envelope import EventTypeListEnvelope
from .job_status import JobStatus
from .job_status_body import JobStatusBody
from .o_auth_error import OAuthError
from .order_status import OrderStatus
from .order_status_body import OrderStatusBody
from .order_type import OrderType
from .test_request import TestRequest
from .test_request_headers import TestRequestHeaders
from .test_result import TestResult
from .test_run import TestRun
from .test_run_envelope import TestRunEnvelope
from .token_request import TokenRequest
from .token_response import TokenResponse
from .userinfo import Userinfo
from .webhook import Webhook
from .webhook_envelope import WebhookEnvelope
from .webhook_input import WebhookInput
from .webhook_list_envelope import WebhookListEnvelope
from .webhook_message import WebhookMessage

__all__ = (
    "Error",
    "ErrorDetailsType0",
    "ErrorEnvelope",
    "EventName",
    "EventType",
    "EventTypeListEnvelope",
    "JobStatus",
    "JobStatusBody",
    "OAuthError",
    "OrderStatus",
    "OrderStatusBody",
    "OrderType",
    "TestRequest",
    "TestRequestHeaders",
    "TestResult",
    "TestRun",
    "TestRunEnvelope",
    "TokenRequest",
    "TokenResponse",
    "Userinfo",
    "Webhook",
    "WebhookEnvelope",
    "WebhookInput",
    "WebhookListEnvelope",
    "WebhookMessage",
)
