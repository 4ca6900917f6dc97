"""A prepared stick, a copied id and a credential file: the terminal side of the way back."""

import os

import pytest

from kiosk.formats import envelope
from kiosk.outbox import credential, delivery, identity
from kiosk.outbox import queue as outbox
from tests.helpers.envelopes import CALLBACK, make_county


@pytest.fixture
def sealed_box(tmp_path):
    terminal = identity.load_or_create(tmp_path / "terminal-key")
    public, _ = make_county(tmp_path / "county")
    with outbox.Outbox(tmp_path / "outbox") as box:
        data = envelope.seal(CALLBACK, "callback", public, terminal).data
        box.add(data)
        yield box, envelope.read_header(data).id, data


def test_a_stick_whose_inbox_is_a_link_is_not_written(tmp_path, sealed_box):
    box, envelope_id, _ = sealed_box
    victim = tmp_path / "terminal-folder"  # where a link on the stick points: the kiosk's own files
    victim.mkdir()
    stick = tmp_path / "stick"
    stick.mkdir()
    (stick / "inbox").symlink_to(victim)
    report = delivery.push_dir(box, stick)
    assert report.sent == 0 and report.failed == 1 and "链接" in report.errors[0]
    assert list(victim.iterdir()) == [] and box.pending() == [envelope_id]


def test_a_planted_link_in_the_sticks_inbox_is_replaced_never_followed(tmp_path, sealed_box):
    box, envelope_id, data = sealed_box
    victim = tmp_path / "kiosk.sqlite3"
    victim.write_bytes(b"the terminal's database")
    key = tmp_path / "terminal-key" / identity.KEY_FILE
    key_before = key.read_bytes()
    inbox = tmp_path / "stick" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / f"{envelope_id}.env").symlink_to(victim)
    (inbox / f"{envelope_id}.part").symlink_to(key)  # the name the old copier truncated
    report = delivery.push_dir(box, tmp_path / "stick")
    assert report.sent == 1 and report.errors == []
    assert victim.read_bytes() == b"the terminal's database" and key.read_bytes() == key_before
    copied = inbox / f"{envelope_id}.env"
    assert not copied.is_symlink() and copied.read_bytes() == data
    assert (inbox / f"{envelope_id}.part").is_symlink()  # left alone, and not ours
    assert box.pending() == []


def test_a_sticks_inbox_that_is_a_file_is_refused(tmp_path, sealed_box):
    box, envelope_id, _ = sealed_box
    (tmp_path / "stick").mkdir()
    (tmp_path / "stick" / "inbox").write_text("not a folder")
    report = delivery.push_dir(box, tmp_path / "stick")
    assert report.failed == 1 and box.pending() == [envelope_id]


def test_only_the_exact_envelope_acknowledged_is_dropped(sealed_box):
    """A forgery filed under the same id has another digest: the genuine envelope stays."""
    box, envelope_id, data = sealed_box
    assert box.acknowledge({"0" * 32}) == 0
    assert box.path_of(envelope_id).exists()
    assert box.acknowledge({envelope.digest(data)}) == 1
    assert not box.path_of(envelope_id).exists()


def test_an_outbox_from_before_digests_gains_them(tmp_path, sealed_box):
    box, _, data = sealed_box
    box._db.execute("UPDATE envelope SET digest = NULL")
    box.close()
    with outbox.Outbox(tmp_path / "outbox") as reopened:
        assert [r.digest for r in reopened.records()] == [envelope.digest(data)]


@pytest.mark.parametrize("content", [
    b"{}", b"[]", b'{"user": "T-BAD", "password": "' + b"p" * 32 + b'"}',
    b'{"user": "t-0123456789abcdef", "password": "short"}',
    b'{"user": "t-0123456789abcdef", "password": "' + b"p" * 31 + b':"}', b"[" * 10_000,
])  # fmt: skip
def test_a_credential_file_that_is_not_one_is_refused(tmp_path, content):
    with pytest.raises(credential.BadCredential):
        credential.install(tmp_path / "cred.json", content)
    assert not (tmp_path / "cred.json").exists()


def test_a_credential_is_kept_for_the_terminal_only(tmp_path):
    good = b'{"user": "t-0123456789abcdef", "password": "' + b"p" * 32 + b'"}'
    kept = credential.install(tmp_path / "folder" / "cred.json", good)
    assert oct(os.stat(tmp_path / "folder" / "cred.json").st_mode & 0o777) == "0o600"
    assert credential.load(tmp_path / "folder" / "cred.json") == kept
    assert "p" * 32 not in repr(kept)
