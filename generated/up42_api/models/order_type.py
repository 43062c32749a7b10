from enum import StrEnum


class OrderType(StrEnum):
    """Open string enum: a value the server added after generation becomes a member named UNKNOWN
    that keeps its value, so responses from a newer server still parse and compare equal to the plain string."""

    ARCHIVE = "ARCHIVE"
    TASKING = "TASKING"

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _missing_(cls, value: object) -> "OrderType | None":
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
