"""County key custody: private keys encrypted at rest, the inbox key apart from the feed's,
the root key offline for routine builds, retired inbox keys with an end date."""

import datetime as dt
import json
import shutil

import pytest

from kiosk.county import keyfiles
from kiosk.county.feed import keys, publisher
from kiosk.county.inbox import keys as inbox_keys
from kiosk.errors import KnownError
from tests.helpers.cli import run_kiosk


def test_every_county_private_key_is_encrypted_at_rest(tmp_path):
    keys.init_keys(tmp_path / "feed-keys")
    inbox_keys.create_inbox_keys(tmp_path / "inbox-keys")
    pems = sorted((tmp_path / "feed-keys").glob("*.pem")) + sorted((tmp_path / "inbox-keys").glob("*.pem"))
    assert [p.name for p in pems] == ["root.pem", "snapshot.pem", "targets.pem", "timestamp.pem",
                                      "inbox_x25519.pem"]  # fmt: skip
    for pem in pems:
        assert pem.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----"), pem
        assert oct(pem.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(KnownError, match="口令不对"):
        keys.load_signer(tmp_path / "feed-keys", "targets", b"not the passphrase")
    with pytest.raises(KnownError, match="口令不对"):
        inbox_keys.load_keyring(tmp_path / "inbox-keys", b"not the passphrase")


def test_a_command_without_the_passphrase_says_so_in_one_line(tmp_path, demo_input_csv):
    run_kiosk("feed", "init-keys", tmp_path / "keys", ok=True)
    done = run_kiosk("feed", "build", "--input", demo_input_csv, "--keys", tmp_path / "keys",
                     "--out", tmp_path / "feed", env={"KIOSK_KEY_PASSPHRASE": ""}, ok=False)  # fmt: skip
    assert done.stderr.strip().splitlines() == [
        "需要县级密钥口令：请在提示时输入，或设置环境变量 KIOSK_KEY_PASSPHRASE / the county key passphrase "
        "is needed: type it when asked, or set KIOSK_KEY_PASSPHRASE"]
    assert not (tmp_path / "feed").exists()


def test_a_routine_build_needs_no_root_key(tmp_path, demo_input_csv):
    keydir = tmp_path / "keys"
    keys.init_keys(keydir)
    safe = tmp_path / "safe"  # the root key lives on a stick in the safe
    safe.mkdir()
    shutil.move(keydir / "root.pem", safe / "root.pem")
    built = publisher.build_feed(demo_input_csv, keydir, tmp_path / "feed")
    assert built.version == 1
    with pytest.raises(KnownError, match="根密钥平时离线保管"):
        keys.rotate_root(keydir)
    shutil.move(safe / "root.pem", keydir / "root.pem")
    assert keys.rotate_root(keydir).version == 2


def test_the_inbox_key_is_kept_apart_from_the_feed_keys(tmp_path):
    keys.init_keys(tmp_path / "keys")
    with pytest.raises(KnownError, match="另放一个目录"):
        inbox_keys.create_inbox_keys(tmp_path / "keys")
    assert not (tmp_path / "keys" / inbox_keys.PRIVATE_FILE).exists()


def test_retired_inbox_keys_open_until_their_end_date_then_are_deleted(tmp_path):
    folder = tmp_path / "inbox-keys"
    first = inbox_keys.create_inbox_keys(folder, valid_days=90, today=dt.date(2026, 1, 1))
    assert first.expires == dt.date(2026, 4, 1)
    second = inbox_keys.create_inbox_keys(folder, replace=True, today=dt.date(2026, 3, 1))
    assert second.key != first.key and inbox_keys.inbox_public(folder) == second
    end = dt.date(2026, 4, 1) + dt.timedelta(days=inbox_keys.GRACE_DAYS)
    assert len(inbox_keys.load_keyring(folder, today=end)) == 2
    assert len(list((folder / inbox_keys.RETIRED_DIR).glob("*.pem"))) == 1
    assert len(inbox_keys.load_keyring(folder, today=end + dt.timedelta(days=1))) == 1
    assert list((folder / inbox_keys.RETIRED_DIR).glob("*.pem")) == []  # gone for good


def test_the_feed_carries_the_inbox_key_with_its_expiry(tmp_path, demo_input_csv):
    keys.init_keys(tmp_path / "keys")
    public = inbox_keys.create_inbox_keys(tmp_path / "inbox-keys", valid_days=200)
    run_kiosk("feed", "build", "--input", demo_input_csv, "--keys", tmp_path / "keys", "--out",
              tmp_path / "feed", ok=True)  # the inbox-keys folder beside the keys is found  # fmt: skip
    info = json.loads(next((tmp_path / "feed" / "targets").glob("*.feed.json")).read_text())
    assert info["inbox_key"] == public.key and info["inbox_key_expires"] == public.expires.isoformat()


def test_an_old_unencrypted_key_folder_is_protected_in_place(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    folder = tmp_path / "old-keys"
    folder.mkdir()
    (folder / "targets.pem").write_bytes(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    assert not keyfiles.is_encrypted(folder / "targets.pem")
    keys.load_signer(folder, "targets")  # still loads (with a warning in the log)
    done = run_kiosk("feed", "protect-keys", folder, ok=True)
    assert "已加密 1 个私钥文件" in done.stdout
    assert keyfiles.is_encrypted(folder / "targets.pem")
    keys.load_signer(folder, "targets")
