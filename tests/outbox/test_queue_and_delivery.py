"""The terminal's outbox and its delivery: real files, a real loopback HTTP server, real processes."""

import datetime as dt
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from kiosk import files
from kiosk.formats import envelope
from kiosk.outbox import delivery as push
from kiosk.outbox import identity
from kiosk.outbox import queue as outbox
from tests.helpers.envelopes import CALLBACK, DISCLOSURE, make_county
from tests.helpers.paths import REPO

T0 = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def closed_port_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/inbox"  # nothing listens: connection refused


@pytest.fixture
def keys(tmp_path):
    terminal = identity.load_or_create(tmp_path / "terminal-key")
    public, private = make_county(tmp_path / "county")
    return terminal, public, private


@pytest.fixture
def box(tmp_path):
    with outbox.Outbox(tmp_path / "outbox") as opened:
        yield opened


def seal_some(keys, count, kind="callback"):
    terminal, public, _ = keys
    form = CALLBACK if kind == "callback" else DISCLOSURE
    return [envelope.seal(form, kind, public, terminal).data for _ in range(count)]


def test_unreachable_then_failing_then_working_store_loses_nothing(box, keys, store, closed_port_url):
    sealed = seal_some(keys, 3)
    ids = [box.add(data) for data in sealed]
    assert box.pending() == sorted(ids)

    down = push.push_http(box, closed_port_url, timeout=2, now=T0)
    assert (down.sent, down.failed, down.waiting) == (0, 3, 3) and down.errors
    assert box.due(T0) == [] and box.due(T0 + dt.timedelta(seconds=59)) == []
    assert box.due(T0 + dt.timedelta(seconds=60)) == sorted(ids)  # first back-off: one minute

    store.answer = 500
    t1 = T0 + dt.timedelta(seconds=60)
    broken = push.push_http(box, store.url, timeout=2, now=t1)
    assert (broken.sent, broken.failed) == (0, 3) and store.requests == 3 and store.received == {}
    assert box.due(t1 + dt.timedelta(seconds=119)) == []  # doubled: two minutes
    assert push.push_http(box, store.url, now=t1 + dt.timedelta(seconds=119)).failed == 0  # not due
    assert store.requests == 3

    store.answer = 201
    good = push.push_http(box, store.url, timeout=2, now=t1 + dt.timedelta(seconds=120))
    assert (good.sent, good.failed, good.waiting) == (3, 0, 0)
    assert store.received == {f"{i}.env": data for i, data in zip(ids, sealed, strict=True)}
    assert box.status() == outbox.OutboxStatus(waiting=0, sent=3, acknowledged=0, missing=0, damaged=0)
    assert all(box.path_of(i).exists() for i in ids)  # kept until the county acknowledges
    assert push.push_http(box, store.url, now=t1 + dt.timedelta(days=1)).sent == 0  # not sent twice


def test_a_store_that_does_not_answer_in_time_leaves_the_envelope_queued(box, keys, store):
    envelope_id = box.add(seal_some(keys, 1)[0])
    store.delay = 1.5
    report = push.push_http(box, store.url, timeout=0.3, now=T0)
    assert (report.sent, report.failed) == (0, 1)
    assert box.pending() == [envelope_id] and box.status().waiting == 1


def test_back_off_doubles_and_is_capped(box, keys):
    envelope_id = box.add(seal_some(keys, 1)[0])
    waits = [box.mark_failed(envelope_id, "HTTP 503", T0) - T0.timestamp() for _ in range(12)]
    assert waits[:4] == [60, 120, 240, 480]
    assert max(waits) == outbox.BACKOFF_CAP_S == waits[-1]


def test_acknowledgement_drops_ciphertext_and_keeps_the_record(tmp_path, keys, store):
    folder = tmp_path / "outbox"
    sealed = seal_some(keys, 4)
    with outbox.Outbox(folder) as box:
        ids = [box.add(data) for data in sealed]
        assert box.add(sealed[0]) == ids[0]  # adding again changes nothing
        push.push_http(box, store.url, now=T0)
        box.add(seal_some(keys, 1)[0])  # one more, not yet sent
        digests = [envelope.digest(data) for data in sealed]
        assert box.acknowledge({digests[0], digests[1], "0" * 32}) == 2
        assert box.acknowledge([digests[0]]) == 0
        assert not box.path_of(ids[0]).exists() and not box.path_of(ids[1]).exists()
        assert box.path_of(ids[2]).exists()
        expected = outbox.OutboxStatus(waiting=1, sent=2, acknowledged=2, missing=0, damaged=0)
        assert box.status() == expected and box.status().total == 5
        records = {r.id: r for r in box.records()}
        assert records[ids[0]].acked_at is not None and records[ids[0]].receipt
    (folder / f"{ids[0]}.env").write_bytes(sealed[0])  # a crash between commit and unlink
    with outbox.Outbox(folder) as box:
        assert box.status() == expected
        assert not box.path_of(ids[0]).exists()


def test_the_outbox_folder_holds_no_personal_data_in_clear(tmp_path, keys, store):
    folder = tmp_path / "outbox"
    with outbox.Outbox(folder) as box:
        terminal, public, _ = keys
        box.add(envelope.seal(DISCLOSURE, "disclosure", public, terminal).data)
        box.add(envelope.seal(CALLBACK, "callback", public, terminal).data)
        push.push_http(box, store.url, now=T0)
        everything = b"".join(p.read_bytes() for p in folder.iterdir() if p.is_file())
    assert len(everything) > 1000
    secrets = [DISCLOSURE[k] for k in ("name", "id_number", "phone", "wanted", "address", "purpose")]
    secrets += [CALLBACK["phone"], CALLBACK["text"], "欧阳", "低保"]
    for secret in secrets:
        for encoding in ("utf-8", "utf-16-le", "gb18030"):
            assert secret.encode(encoding) not in everything, secret
    assert DISCLOSURE["id_number"][-8:].encode() not in everything


def test_a_file_without_a_state_row_is_adopted_and_a_damaged_one_never_sent(tmp_path, keys, store):
    folder = tmp_path / "outbox"
    folder.mkdir()
    good, damaged = seal_some(keys, 2)
    good_id, damaged_id = envelope.read_header(good).id, envelope.read_header(damaged).id
    (folder / f"{good_id}.env").write_bytes(good)  # renamed into place, state not yet written
    with outbox.Outbox(folder) as box:
        assert box.pending() == [good_id]
        box.add(damaged)
        box.path_of(damaged_id).write_bytes(damaged[:-40])  # the disk rots afterwards
        report = push.push_http(box, store.url, now=T0)
        assert (report.sent, report.damaged) == (1, 1)
        assert list(store.received) == [f"{good_id}.env"]
        assert box.status().damaged == 1 and box.pending() == []


def test_half_written_temporaries_are_ignored_and_swept(tmp_path, keys, store):
    folder = tmp_path / "outbox"
    folder.mkdir()
    data = seal_some(keys, 1)[0]
    stale = files.write_tmp(folder, "01ABC.env", data[: len(data) // 2])
    fresh = files.write_tmp(folder, "01DEF.env", data[:100])
    old = time.time() - outbox.STALE_TMP_S - 5
    os.utime(stale, (old, old))
    with outbox.Outbox(folder) as box:
        assert box.pending() == [] and box.status().total == 0
        assert push.push_http(box, store.url, now=T0).sent == 0
    assert not stale.exists() and fresh.exists()  # a live writer's temporary is left alone
    assert store.requests == 0


_WRITER = """
import resource, signal, sys
from pathlib import Path
from kiosk.formats import envelope
from kiosk.outbox import identity, queue as outbox
from tests.helpers.envelopes import CALLBACK
folder, keydir, public, limit = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
terminal = identity.load_or_create(keydir)
box = outbox.Outbox(folder)
if limit:
    signal.signal(signal.SIGXFSZ, signal.SIG_DFL)  # Python ignores it; the kernel then kills us
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))  # on the write past ``limit`` bytes
while True:
    sealed = envelope.seal(CALLBACK, "callback", public, terminal)
    box.add(sealed.data)
    print(sealed.id, flush=True)
"""


def _writer(tmp_path, public, limit):
    return subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(tmp_path / "outbox"), str(tmp_path / "terminal-key"), public,
         str(limit)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_a_process_killed_in_the_middle_of_writing_leaves_no_half_envelope(tmp_path, keys, store):
    _, public, _ = keys
    writer = _writer(tmp_path, public, limit=300)  # killed by SIGXFSZ after 300 of ~600 bytes
    writer.wait(timeout=60)
    assert writer.returncode == -signal.SIGXFSZ, writer.stderr.read()
    folder = tmp_path / "outbox"
    leftovers = list(folder.glob(".*.tmp"))
    assert len(leftovers) == 1 and leftovers[0].stat().st_size == 300  # really cut mid-write
    assert not list(folder.glob("*.env"))
    old = time.time() - outbox.STALE_TMP_S - 5
    os.utime(leftovers[0], (old, old))
    with outbox.Outbox(folder) as box:
        assert box.pending() == [] and box.status().total == 0
        assert push.push_http(box, store.url, now=T0).sent == 0
    assert not leftovers[0].exists() and store.requests == 0


def test_a_writer_killed_at_any_moment_leaves_only_whole_envelopes(tmp_path, keys, store):
    _, public, _ = keys
    written: list[str] = []
    for wanted in (3, 17, 40):
        writer = _writer(tmp_path, public, limit=0)
        while len(written) < wanted:
            line = writer.stdout.readline()
            assert line, writer.stderr.read()
            written.append(line.strip())
        writer.send_signal(signal.SIGKILL)  # like a power cut, at whatever step it was in
        writer.wait(timeout=30)
    folder = tmp_path / "outbox"
    with outbox.Outbox(folder) as box:
        pending = box.pending()
        assert set(written) <= set(pending)  # everything it reported is there
        assert box.status().missing == 0 and box.status().damaged == 0
        report = push.push_http(box, store.url, now=T0)
    assert report.sent == len(pending) and report.damaged == 0
    for name, body in store.received.items():
        assert envelope.read_header(body).id + ".env" == name


def test_usb_copy_is_complete_and_verified(box, keys, tmp_path):
    sealed = seal_some(keys, 3)
    ids = [box.add(data) for data in sealed]
    usb = tmp_path / "usb"
    usb.mkdir()
    report = push.push_dir(box, usb, now=T0)
    assert (report.sent, report.failed, report.waiting) == (3, 0, 0)
    copied = {p.name: p.read_bytes() for p in (usb / "inbox").iterdir()}
    assert copied == {f"{i}.env": data for i, data in zip(ids, sealed, strict=True)}
    assert push.push_dir(box, usb).sent == 0
    assert box.status().sent == 3


def test_usb_removed_mid_copy_leaves_the_envelope_pending_and_no_partial_env(box, keys, tmp_path):
    sealed = seal_some(keys, 3)
    ids = [box.add(data) for data in sealed]
    usb, unplugged = tmp_path / "usb", tmp_path / "unplugged"
    usb.mkdir()

    def pull_out_during_second(envelope_id, done, size):
        if envelope_id == ids[1]:
            shutil.copytree(usb / "inbox", unplugged)  # what the stick holds as it is pulled out
            shutil.rmtree(usb / "inbox")  # the folder goes away under the copy

    report = push.push_dir(box, usb, progress=pull_out_during_second)
    assert (report.sent, report.failed) == (1, 1) and report.errors
    assert box.pending() == ids[1:]
    on_stick = {p.name: p.read_bytes() for p in unplugged.iterdir()}
    assert on_stick[f"{ids[0]}.env"] == sealed[0]
    assert f"{ids[1]}.env" not in on_stick  # at most a .part, which nobody imports
    assert any(name.endswith(".part") for name in on_stick)
    unplugged.rename(usb / "inbox")  # plugged in again
    again = push.push_dir(box, usb)
    assert (again.sent, again.waiting) == (2, 0)
    envs = {p.name: p.read_bytes() for p in (usb / "inbox").glob("*.env")}
    assert envs == {f"{i}.env": data for i, data in zip(ids, sealed, strict=True)}
    assert not list((usb / "inbox").glob("*.part"))


_COPIER = """
import os, sys
from kiosk.outbox import queue as outbox, delivery as push
box = outbox.Outbox(sys.argv[1])
push.push_dir(box, sys.argv[2], progress=lambda envelope_id, done, size: os._exit(9))
"""


def test_a_copier_dying_mid_copy_leaves_no_env_and_the_envelope_pending(tmp_path, keys):
    folder, usb = tmp_path / "outbox", tmp_path / "usb"
    usb.mkdir()
    with outbox.Outbox(folder) as box:
        envelope_id = box.add(seal_some(keys, 1)[0])
    copier = subprocess.run(
        [sys.executable, "-c", _COPIER, str(folder), str(usb)], cwd=REPO, capture_output=True, timeout=60
    )
    assert copier.returncode == 9, copier.stderr
    [part] = (usb / "inbox").iterdir()
    assert part.name.startswith(f".{envelope_id}.") and part.name.endswith(".part")
    with outbox.Outbox(folder) as box:
        assert box.pending() == [envelope_id]
        assert push.push_dir(box, usb).sent == 1
        data = box.path_of(envelope_id).read_bytes()
    copy = (usb / "inbox" / f"{envelope_id}.env").read_bytes()
    assert hashlib.sha256(copy).digest() == hashlib.sha256(data).digest()
    assert [p.name for p in (usb / "inbox").iterdir()] == [f"{envelope_id}.env"]  # the half copy swept


_FULL_DISK = """
import resource, sys
from kiosk.formats import envelope
from kiosk.outbox import identity, queue as outbox
from tests.helpers.envelopes import CALLBACK
box = outbox.Outbox(sys.argv[1])
sealed = envelope.seal(CALLBACK, "callback", sys.argv[3], identity.load_or_create(sys.argv[2]))
resource.setrlimit(resource.RLIMIT_FSIZE, (300, 300))  # like a disk that fills up mid-write
try:
    box.add(sealed.data)
except OSError as exc:
    print(exc.errno)
"""


def test_a_disk_filling_up_mid_write_leaves_nothing_behind(tmp_path, keys):
    _, public, _ = keys
    folder = tmp_path / "outbox"
    writer = subprocess.run(
        [sys.executable, "-c", _FULL_DISK, str(folder), str(tmp_path / "terminal-key"), public],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )
    assert writer.stdout.strip() == "27", writer.stderr  # EFBIG, raised to the caller
    assert [p.name for p in folder.iterdir() if not p.name.startswith(outbox.STATE_FILE)] == []


def test_sealing_on_one_thread_while_another_pushes(box, keys, store):
    sealed = seal_some(keys, 40)
    added: list[str] = []
    adder = threading.Thread(target=lambda: added.extend(box.add(data) for data in sealed))
    adder.start()
    sent = 0
    while adder.is_alive() or box.due(T0):
        sent += push.push_http(box, store.url, now=T0).sent
    adder.join()
    assert sent == 40 and len(store.received) == 40 and box.status().sent == 40


def test_a_lost_stick_loses_nothing_the_next_stick_carries_what_the_county_lacks(box, keys, tmp_path):
    sealed = seal_some(keys, 2)
    ids = [box.add(data) for data in sealed]
    lost, second = tmp_path / "lost", tmp_path / "second"
    lost.mkdir()
    second.mkdir()
    assert push.push_dir(box, lost).sent == 2  # this stick never reaches the county
    assert push.push_dir(box, lost).sent == 0  # the same stick again: already on it
    box.acknowledge({envelope.digest(sealed[0])})  # the county got the first another way
    again = push.push_dir(box, second)
    assert again.sent == 1 and [p.stem for p in (second / "inbox").glob("*.env")] == [ids[1]]


def test_an_upload_the_county_never_confirms_goes_again_after_a_week(box, keys, store):
    [data] = seal_some(keys, 1)
    envelope_id = box.add(data)
    assert push.push_http(box, store.url, now=T0).sent == 1
    assert push.push_http(box, store.url, now=T0 + dt.timedelta(days=1)).sent == 0
    store.received.clear()  # the store lost it, or the county never fetched it
    assert push.push_http(box, store.url, now=T0 + dt.timedelta(days=8)).sent == 1
    assert list(store.received) == [f"{envelope_id}.env"]
    assert push.push_http(box, store.url, now=T0 + dt.timedelta(days=9)).sent == 0  # a week again
    box.acknowledge({envelope.digest(data)})
    assert push.push_http(box, store.url, now=T0 + dt.timedelta(days=30)).sent == 0
