"""What data the terminal holds and how fresh it is."""

from kiosk.services.types import FeedStatus
from kiosk.store.models import FeedState


def feed_status() -> FeedStatus:
    """The most recently applied data source, or an empty status before any data."""
    states = list(FeedState.select().order_by(FeedState.applied_at.desc(nulls="LAST")))
    if not states:
        return FeedStatus()
    latest = states[0]
    return FeedStatus(
        version=latest.version,
        data_as_of=str(latest.data_as_of) if latest.data_as_of else None,
        applied_at=str(latest.applied_at) if latest.applied_at else None,
        last_result=latest.last_result,
        last_message=latest.last_message,
        sources=tuple(s.source for s in states),
    )
