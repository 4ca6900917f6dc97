"""The county's drop, for real: nginx on loopback with the shipped configuration
(resources/server/nginx-drop.conf), per-terminal users, a terminal's outbox pushing to it,
strangers and revoked terminals turned away, and the county importing what arrived."""

import base64
import urllib.error
import urllib.request

import pytest

from kiosk.county.inbox import drop_users, intake
from kiosk.formats import envelope
from kiosk.outbox import credential, delivery, identity
from kiosk.outbox import queue as outbox
from tests.helpers import drop_server as drop
from tests.helpers.envelopes import CALLBACK, NOW, make_county, write_terminals_csv

pytestmark = pytest.mark.skipif(not drop.available(),
                                reason="needs nginx (apt-get install nginx-light) and root to start it")


@pytest.fixture
def drop_server():
    with drop.drop_server() as running:
        yield running


def _request(method: str, url: str, data: bytes | None = None, auth: tuple[str, str] | None = None) -> int:
    headers = {}
    if auth:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, method=method, headers=headers),
                                    timeout=5) as response:  # fmt: skip
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_terminals_write_once_into_their_own_folder_and_the_county_imports_it(tmp_path, drop_server):
    url, drop, htpasswd = drop_server
    keydir = tmp_path / "inbox-keys"
    public, _ = make_county(keydir)
    a, b = (identity.load_or_create(tmp_path / name) for name in ("terminal-a", "terminal-b"))
    cred_a = credential.parse(drop_users.add(htpasswd, a.fingerprint()))
    cred_b = credential.parse(drop_users.add(htpasswd, b.fingerprint()))
    assert drop_users.users(htpasswd) == [cred_a.user, cred_b.user]

    with outbox.Outbox(tmp_path / "outbox-a") as box:
        sealed = [envelope.seal(CALLBACK, "callback", public, a) for _ in range(2)]
        for item in sealed:
            box.add(item.data)
        report = delivery.push_http(box, url, cred_a)
        assert (report.sent, report.failed) == (2, 0), report.errors
        mine = drop / cred_a.user
        assert sorted(p.name for p in mine.iterdir()) == sorted(f"{s.id}.env" for s in sealed)
        # Sent again (the county had not confirmed it within a week): 409, taken as arrived.
        box._db.execute("UPDATE envelope SET sent_at = 0, next_attempt_at = 0")
        again = delivery.push_http(box, url, cred_a)
        assert (again.sent, again.failed) == (2, 0), again.errors
        by_id = sorted(sealed, key=lambda s: s.id)
        assert [p.read_bytes() for p in sorted(mine.iterdir())] == [s.data for s in by_id]

        # Without the credential, or with a wrong password, nothing is written and the round stops.
        later = [envelope.seal(CALLBACK, "callback", public, a) for _ in range(2)]
        for item in later:
            box.add(item.data)
        for wrong, status in ((None, "403"), (credential.UploadCredential(cred_a.user, "x" * 32), "401")):
            refused = delivery.push_http(box, url, wrong)
            assert refused.sent == 0 and refused.failed == 2 and status in refused.errors[0]
            assert "上传凭据无效" in refused.errors[0]
            box._db.execute("UPDATE envelope SET next_attempt_at = 0")
        assert sorted(box.pending()) == sorted(s.id for s in later)
        assert len(list(mine.iterdir())) == 2

    target = f"{url}/{cred_a.user}/{envelope.seal(CALLBACK, 'callback', public, a).id}.env"
    assert _request("PUT", target, b"x", (cred_b.user, cred_b.password)) == 403  # another's folder
    some = f"{url}/{cred_a.user}/{sealed[0].id}.env"
    assert _request("PUT", some, b"replaced", (cred_a.user, cred_a.password)) == 409  # write once
    assert _request("GET", some, None, (cred_a.user, cred_a.password)) == 403  # no reading
    assert _request("DELETE", some, None, (cred_a.user, cred_a.password)) == 403  # no deleting
    assert _request("GET", f"{url}/", None, (cred_a.user, cred_a.password)) == 403  # no listing
    climb = f"{url}/{cred_a.user}/../x.env"
    assert _request("PUT", climb, b"x", (cred_a.user, cred_a.password)) in (400, 403)
    big = f"{url}/{cred_a.user}/{envelope.seal(CALLBACK, 'callback', public, a).id}.env"
    assert _request("PUT", big, b"x" * 100_000, (cred_a.user, cred_a.password)) == 413
    assert (drop / cred_a.user / f"{sealed[0].id}.env").read_bytes() == sealed[0].data

    # The county revokes terminal b: its credential no longer writes.
    assert drop_users.revoke(htpasswd, b.fingerprint())
    fresh = f"{url}/{cred_b.user}/{envelope.seal(CALLBACK, 'callback', public, b).id}.env"
    assert _request("PUT", fresh, b"x", (cred_b.user, cred_b.password)) == 401

    listed = write_terminals_csv(tmp_path / "terminals.csv", [f"{a.fingerprint()},甲,,在用"])
    report = intake.import_envelopes(drop, keydir, tmp_path / "cases.sqlite3", listed, now=NOW)
    assert (report.imported, report.refused) == (2, [])
    assert list((drop / cred_a.user).iterdir()) == []  # moved out of the drop into the archive
