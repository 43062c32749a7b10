from enum import StrEnum


class JobStatus(StrEnum):
    """Open string enum: a value the server added after generation becomes a member named UNKNOWN
    that keeps its value, so responses from a newer server still parse and compare equal to the plain string."""

    CANCELLED = "CANCELLED"
    CANCELLING = "CANCELLING"
    ERROR = "ERROR"
    FAILED = "FAILED"
    NOT_STARTED = "NOT_STARTED"
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _missing_(cls, value: object) -> "JobStatus | None":
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = "UNKNOWN"
        member._value_ = value
        return member

    @property
    def is_known(self) -> bool:
        """False for a value this client was not generated with."""
        return self._name_ != "UNKNOWN"
