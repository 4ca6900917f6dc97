"""The launcher, run as autostart runs it (the boot script, a real process), over bundle-shaped
folders (tests.helpers.bundles): the proven version runs and is restarted after a crash; a
new version takes over at a switch, proves itself or is rolled back on its own; a power cut
during its trial counts as a failed start."""

import contextlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from kiosk.formats import releases
from kiosk.update import install
from kiosk.update.state import AppRoot
from tests.helpers.bundles import make_bundle, packed

pytestmark = pytest.mark.skipif(os.name == "nt", reason="the boot script and signals are POSIX here")

FAST = ["--trial-seconds", "1.5", "--home-seconds", "3", "--restart-pause", "0.2"]


class Hall:
    """A terminal's program root with the launcher running from its boot script."""

    def __init__(self, tmp_path: Path, first: str = "0.1.0", behaviour: str = "ok"):
        self.tmp = tmp_path
        self.root = AppRoot(tmp_path / "app")
        self.log = tmp_path / "kiosk-runs.log"
        self.control = tmp_path / "control"
        bundle = make_bundle(tmp_path / f"bundle-{first}", first, behaviour)
        install.install(self.root, bundle, first)
        self.launcher: subprocess.Popen | None = None
        self.staged = 0

    def stage(self, version: str, behaviour: str = "ok") -> None:
        """A release of ``version`` as the county packs it, unpacked as pending."""
        self.staged += 1
        bundle = make_bundle(self.tmp / f"staged-{self.staged}", version, behaviour)
        install.stage(self.root, *packed(bundle, self.tmp / f"packed-{self.staged}"))

    def boot(self, *extra: str) -> None:
        env = {**os.environ, "FAKE_KIOSK_LOG": str(self.log), "FAKE_KIOSK_CONTROL": str(self.control)}
        self.launcher = subprocess.Popen([str(self.root.path / "kiosk-launch"), *FAST, *extra], env=env,
                                         start_new_session=True)  # fmt: skip

    def runs(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    def wait_for(self, condition, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; runs: {self.runs()}; state: {self.state()}")
            time.sleep(0.05)

    def state(self) -> dict:
        return json.loads(self.root.state_file.read_text())

    def tell(self, word: str) -> None:
        self.control.write_text(word)

    def stop(self) -> int:
        assert self.launcher is not None
        code = self.launcher.wait(20)
        return code

    def cut_power(self) -> None:
        """Every process of the launcher's session killed at once, as a power cut would."""
        assert self.launcher is not None
        os.killpg(self.launcher.pid, signal.SIGKILL)
        self.launcher.wait(10)


@pytest.fixture
def hall(tmp_path):
    made = Hall(tmp_path)
    yield made
    if made.launcher is not None and made.launcher.poll() is None:
        os.killpg(made.launcher.pid, signal.SIGKILL)
        made.launcher.wait(10)


def test_the_boot_script_runs_the_proven_version_until_staff_quit(hall):
    assert (hall.root.path / "launcher").read_text().strip() == "0.1.0"
    assert os.access(hall.root.path / "kiosk-launch", os.X_OK)
    hall.boot("--", "--windowed")
    hall.wait_for(lambda: hall.runs() == ["0.1.0 run --windowed"])
    hall.tell("quit")
    assert hall.stop() == 0


def test_a_crashed_proven_version_is_started_again(hall):
    hall.boot()
    hall.wait_for(lambda: len(hall.runs()) == 1)
    hall.tell("crash")
    hall.wait_for(lambda: len(hall.runs()) == 2)
    assert hall.state()["current"] == "0.1.0"
    hall.tell("quit")
    assert hall.stop() == 0


def test_a_switched_version_proves_itself_and_its_launcher_is_used_from_then_on(hall):
    hall.boot()
    hall.wait_for(lambda: len(hall.runs()) == 1)
    hall.stage("0.2.0")
    assert hall.state()["pending"] == "0.2.0"
    assert install.switch(hall.root) == "0.2.0"
    hall.tell("restart")  # the kiosk quits with RESTART after a switch at a quiet moment
    hall.wait_for(lambda: hall.runs()[-1:] == ["0.2.0 run"])
    hall.wait_for(lambda: hall.state()["proven"] == "0.2.0")
    state = hall.state()
    assert (state["current"], state["previous"], state["trial_starts"]) == ("0.2.0", "0.1.0", 0)
    assert (hall.root.path / "launcher").read_text().strip() == "0.2.0"
    assert sorted(p.name for p in hall.root.versions.iterdir()) == ["0.1.0", "0.2.0"]
    hall.tell("quit")
    assert hall.stop() == 0


@pytest.mark.parametrize(("behaviour", "reason"),
                         [("crash", "程序异常退出（代码 3）"), ("nohome", "秒内未显示首页")])
def test_a_version_that_fails_its_trial_is_rolled_back_on_its_own(hall, behaviour, reason):
    hall.stage("0.2.0", behaviour)
    install.switch(hall.root)
    hall.boot()
    hall.wait_for(lambda: hall.runs()[-1:] == ["0.1.0 run"], timeout=30)
    assert hall.runs() == ["0.2.0 run", "0.2.0 run", "0.1.0 run"]  # two starts on trial, then back
    state = hall.state()
    assert (state["current"], state["proven"], state["previous"]) == ("0.1.0", "0.1.0", "")
    (failed,) = state["failed"]
    assert failed["version"] == "0.2.0" and reason in failed["reason"]
    assert [p.name for p in hall.root.versions.iterdir()] == ["0.1.0"]  # the failed one deleted
    with pytest.raises(releases.ReleaseRefused, match="曾在本机试运行失败"):
        hall.stage("0.2.0")  # and never installed again
    hall.tell("quit")
    assert hall.stop() == 0


def test_a_version_whose_program_cannot_be_executed_is_rolled_back(hall):
    hall.stage("0.2.0")
    install.switch(hall.root)
    hall.root.program("0.2.0").chmod(0o644)  # as a release packed on a machine that lost the bit
    hall.boot()
    hall.wait_for(lambda: hall.runs() == ["0.1.0 run"], timeout=30)
    (failed,) = hall.state()["failed"]
    assert failed["version"] == "0.2.0" and failed["reason"].startswith("无法启动")
    hall.tell("quit")
    assert hall.stop() == 0


def test_a_power_cut_during_the_first_start_counts_as_a_start_on_trial(hall):
    hall.stage("0.2.0", "nohome")  # would never prove itself
    install.switch(hall.root)
    hall.boot()
    hall.wait_for(lambda: hall.runs() == ["0.2.0 run"])
    hall.cut_power()
    assert hall.state()["trial_starts"] == 1
    hall.boot()  # the terminal is switched on again
    hall.wait_for(lambda: hall.runs()[-1:] == ["0.1.0 run"], timeout=30)
    assert hall.runs() == ["0.2.0 run", "0.2.0 run", "0.1.0 run"]
    hall.tell("quit")
    assert hall.stop() == 0


def test_sigterm_ends_the_launcher_and_the_kiosk(hall):
    hall.boot()
    hall.wait_for(lambda: len(hall.runs()) == 1)
    hall.launcher.send_signal(signal.SIGTERM)
    assert hall.stop() == 0
    time.sleep(0.3)
    assert len(hall.runs()) == 1  # not started again


def test_a_kiosk_that_does_not_hear_sigterm_is_ended_after_the_grace(tmp_path):
    hall = Hall(tmp_path, behaviour="deaf")
    hall.boot("--stop-grace", "0.5")
    try:
        hall.wait_for(lambda: len(hall.runs()) == 1)
        hall.launcher.send_signal(signal.SIGTERM)
        assert hall.stop() == 0
        with pytest.raises(ProcessLookupError):  # nothing of the session is left running
            os.killpg(hall.launcher.pid, signal.SIGKILL)
    finally:  # a failed test leaves no deaf kiosk behind
        with contextlib.suppress(ProcessLookupError):
            os.killpg(hall.launcher.pid, signal.SIGKILL)


@pytest.mark.parametrize("damage", ["garbage", "empty", "missing"])
def test_an_unreadable_state_still_starts_the_proven_version(hall, damage):
    hall.stage("0.2.0")  # unpacked and pending, newer, but never proven
    if damage == "missing":
        hall.root.state_file.unlink()
    else:
        hall.root.state_file.write_text("{not json" if damage == "garbage" else "")
    hall.boot()
    hall.wait_for(lambda: hall.runs() == ["0.1.0 run"])
    assert (hall.state()["current"], hall.state()["proven"]) == ("0.1.0", "0.1.0")
    hall.tell("quit")
    assert hall.stop() == 0


def test_installing_over_an_installed_root_is_refused(hall, tmp_path):
    with pytest.raises(Exception, match="已安装终端程序"):
        install.install(hall.root, make_bundle(tmp_path / "again", "0.3.0"), "0.3.0")
