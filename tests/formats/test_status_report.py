"""The status report's shape: the largest report a terminal can make fits one envelope, and
anything outside the shape is refused by field."""

import pytest

from kiosk.formats import envelope, forms, status_report
from kiosk.outbox import identity
from tests.helpers.envelopes import NOW, make_county
from tests.helpers.envelopes import status_report as a_report


def test_the_largest_report_fits_one_envelope_and_opens(tmp_path):
    public, private = make_county(tmp_path / "county")
    me = identity.load_or_create(tmp_path / "terminal")
    months = {f"2026-{m:02d}": {k: 10**9 for k in status_report.USAGE_KINDS} for m in range(1, 13)}
    months["2025-12"] = {"payouts": 1}
    faults = [{"code": "disk_low", "since": "2026-11-01T00:00:00+00:00", "cleared": "",
               "detail": "满" * status_report.MAX_TEXT}] * status_report.MAX_FAULTS  # fmt: skip
    big = a_report(usage=months, faults=faults, last_sync_message="错" * status_report.MAX_TEXT)
    sealed = envelope.seal(big, "status", public, me, now=NOW)
    assert len(sealed.data) < envelope.MAX_BYTES
    assert envelope.open_envelope(sealed.data, private).form == big


@pytest.mark.parametrize(("changes", "field"), [
    ({"usage": {f"2025-{m:02d}": {} for m in range(1, 13)} | {"2026-01": {}, "2026-02": {}}}, "usage"),
    ({"usage": {"2026-13": {"payouts": 1}}}, "usage"),
    ({"usage": {"2026-11": {"payouts": -1}}}, "usage.2026-11.payouts"),
    ({"usage": {"2026-11": {"payouts": True}}}, "usage.2026-11.payouts"),
    ({"faults": [{"code": "disk_low", "since": "", "cleared": "", "detail": ""}]}, "faults.since"),
    ({"faults": [{"code": "rm -rf", "since": "2026-11-01T00:00:00+00:00", "cleared": "", "detail": ""}]},
     "faults.code"),
    ({"started_at": "2026-11-01 08:00"}, "started_at"),  # no zone: which clock?
    ({"screen": "1080x1920;"}, "screen"),
    ({"app_version": "0.1.0\n"}, "app_version"),
    ({"outbox": {"waiting": 0}}, "outbox"),
    ({"sent_via": "pigeon"}, "sent_via"),
    ({"name": "张三"}, "report"),
])  # fmt: skip
def test_a_field_out_of_shape_is_named(changes, field):
    with pytest.raises(forms.FormError) as refused:
        status_report.validate(a_report(**changes))
    assert refused.value.field == field
