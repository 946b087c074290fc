"""What a digest knows of an authorization's past: verdict rows in, changes out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

FAIL, PASS, UNKNOWN = "fail", "pass", "unknown"


class Diagnosed(Protocol):
    """What `record_verdicts` reads from a diagnostics.report.Report."""

    @property
    def vpc_access(self) -> object: ...
    @property
    def gateway(self) -> object: ...
    @property
    def verdict(self) -> object: ...
    @property
    def root_causes(self) -> list[str]: ...


@dataclass(frozen=True)
class VerdictRow:
    """One authorization's verdict in one run.

    For an unknown verdict (the run could not diagnose it), `root_causes` may carry why.
    """

    gateway_id: str
    vpc_access_id: str
    verdict: str
    root_causes: tuple[str, ...] = ()
    name: str | None = None

    @classmethod
    def of(cls, report: Diagnosed | VerdictRow) -> VerdictRow:
        if isinstance(report, VerdictRow):
            return report
        access, gateway = report.vpc_access, report.gateway
        return cls(
            gateway_id=str(gateway.id),  # type: ignore[attr-defined]
            vpc_access_id=str(access.id),  # type: ignore[attr-defined]
            verdict=str(report.verdict),
            root_causes=tuple(report.root_causes),
            name=getattr(access, "name", None),
        )

    @property
    def key(self) -> tuple[str, str]:
        return (self.gateway_id, self.vpc_access_id)


@dataclass(frozen=True)
class AuthorizationHistory:
    """One authorization as of a run, against the previous digest.

    `failing_since` is the first fail of the current streak (only a pass ends a streak:
    an unknown in between does not say it recovered); it is bounded by the retention.
    `previous` is None when there was no previous digest or it did not see this one.
    """

    gateway_id: str
    vpc_access_id: str
    name: str | None
    at: datetime  # of the latest verdict
    verdict: str
    root_causes: tuple[str, ...]
    previous: str | None
    failing_since: datetime | None

    @property
    def key(self) -> tuple[str, str]:
        return (self.gateway_id, self.vpc_access_id)

    @property
    def newly_broken(self) -> bool:
        return self.verdict == FAIL and self.previous is not None and self.previous != FAIL

    @property
    def recovered(self) -> bool:
        return self.verdict == PASS and self.previous == FAIL

    @property
    def changed(self) -> bool:
        """Differs from the previous digest (a first sighting is not a change)."""
        return self.previous is not None and self.previous != self.verdict
