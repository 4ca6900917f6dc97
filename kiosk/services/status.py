"""What data the terminal holds and how fresh it is."""

from kiosk.services.types import FeedStatus
from kiosk.store import glance


def feed_status() -> FeedStatus:
    """The most recently applied data source, or an empty status before any data."""
    states = glance.feed_states()  # the freshness line reads it before the models load
    if not states:
        return FeedStatus()
    _source, version, data_as_of, applied_at, last_result, last_message = states[0]
    return FeedStatus(
        version=version,
        data_as_of=str(data_as_of) if data_as_of else None,
        applied_at=str(applied_at) if applied_at else None,
        last_result=last_result,
        last_message=last_message,
        sources=tuple(state[0] for state in states),
    )
