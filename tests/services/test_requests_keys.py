"""A terminal seals only to a county inbox key it holds and that has not expired."""

import datetime as dt

import pytest

from kiosk.services import requests
from kiosk.store.models import FeedState
from tests.helpers.envelopes import CALLBACK, hold_county_key


def test_no_key_and_an_expired_key_are_said_plainly_and_nothing_is_queued(terminal, tmp_path):
    FeedState.update(inbox_key=None, inbox_key_expires=None).execute()
    with pytest.raises(requests.NoCountyKey, match="还没有收到"):
        requests.submit("callback", dict(CALLBACK))
    public = hold_county_key(tmp_path / "inbox-keys")
    assert requests.county_key_problem() == ""
    receipt = requests.submit("callback", dict(CALLBACK), now=dt.datetime.combine(
        public.expires, dt.time(12), dt.UTC))  # the last day still counts  # fmt: skip
    assert receipt.qr_text.startswith(f"SQGK-RECEIPT:{receipt.number}:")
    waiting = requests.outbox_status().waiting
    after = dt.datetime.combine(public.expires + dt.timedelta(days=1), dt.time(12), dt.UTC)
    with pytest.raises(requests.NoCountyKey, match="到期") as refused:
        requests.submit("callback", dict(CALLBACK), now=after)
    assert "同步" in refused.value.zh
    assert requests.outbox_status().waiting == waiting
    FeedState.update(inbox_key_expires=dt.date.today() - dt.timedelta(days=1)).execute()
    assert "到期" in requests.county_key_problem()
    requests.close_outboxes()
