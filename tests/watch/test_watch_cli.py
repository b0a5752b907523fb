"""``redlines watch`` as users run it: a real subprocess over a directory where files appear,
killed and restarted, with a webhook that fails and recovers, and on standard input."""

from __future__ import annotations

import http.server
import io
import json
import os
import signal
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from redlines.cli import main
from redlines.evaluation import evaluate
from redlines.rules.resolved import Ruleset
from redlines.watch import AlertWriter, Watcher

from .helpers import (
    alerts_in,
    all_events,
    files_done,
    on_a_terminal,
    run,
    start,
    stream_files,
    wait_for,
    write_file,
)

FILES = stream_files()


def _reference(folder: Path, nato: Ruleset) -> list[dict[str, Any]]:
    """The alerts of an uninterrupted watcher over every file (in process)."""
    for name, events in FILES.items():
        write_file(folder, name, events)
    out = io.StringIO()
    Watcher(nato, AlertWriter(out), note=lambda m: None).run_directory(folder, once=True)
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, nato: Ruleset) -> list[dict[str, Any]]:
    return _reference(tmp_path_factory.mktemp("reference"), nato)


def test_the_story_gives_four_alerts_and_the_batch_statuses(
    reference: list[dict[str, Any]], nato: Ruleset
) -> None:
    changes = [(a["redline"], a["from"], a["to"], a["event_ids"]) for a in reference]
    assert changes == [
        ("RL2", "clear", "warning", ["pl-3"]),
        ("RL1", "clear", "warning", ["by-6"]),
        ("RL2", "warning", "crossed", ["pl-3", "pl-9", "pl-15"]),  # spans three files
        ("RL1", "warning", "crossed", ["by-20"]),
    ]
    assert list(reference[0]) == [
        "alert_id", "redline", "from", "to", "at", "event_ids", "clause", "reason",
    ]  # fmt: skip
    assert reference[2]["clause"] == "probing"
    assert reference[2]["at"] == "2025-09-09T03:52:00+00:00"  # the third warning's time
    # The last status of each red line is what a batch of the same events says.
    last = {a["redline"]: a["to"] for a in reference}
    assert evaluate(all_events(FILES), nato).statuses() == last
    assert len({a["alert_id"] for a in reference}) == 4


def test_files_dropped_one_by_one_then_sigterm(
    tmp_path: Path, reference: list[dict[str, Any]]
) -> None:
    feed, alerts, state = tmp_path / "feed", tmp_path / "alerts.jsonl", tmp_path / "state.json"
    feed.mkdir()
    proc = start(
        "watch", str(feed), "--poll", "0.05", "--alerts", str(alerts), "--state", str(state)
    )
    try:
        (feed / "late.part").write_text("{not an event yet", encoding="utf-8")  # never taken
        names = sorted(FILES)
        for i, name in enumerate(names[:10], 1):
            write_file(feed, name, FILES[name])
            wait_for(lambda i=i: files_done(state) == i, what=f"{i} files done")  # type: ignore[misc]
        assert alerts_in(alerts) == reference[:2]
        for name in names[10:]:
            write_file(feed, name, FILES[name])
        wait_for(lambda: files_done(state) == len(names), what="every file done")
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert alerts_in(alerts) == reference
    saved = json.loads(state.read_text(encoding="utf-8"))
    assert (saved["files"]["watermark"], saved["files"]["count"]) == (names[-1], len(names))
    assert saved["statuses"] == {"RL1": "crossed", "RL2": "crossed"}
    assert "late.part" not in err


@pytest.mark.parametrize("mode", ["dropped", "busy"])
def test_sigkill_and_restart_lose_nothing_and_repeat_only_same_ids(
    tmp_path: Path, reference: list[dict[str, Any]], mode: str
) -> None:
    feed, alerts, state = tmp_path / "feed", tmp_path / "alerts.jsonl", tmp_path / "state.json"
    feed.mkdir()
    names = sorted(FILES)
    if mode == "dropped":  # files arrive; killed as more arrive, after 5 are done
        for name in names[:5]:
            write_file(feed, name, FILES[name])
        args: tuple[str, ...] = ("--poll", "0.05")
        done_before_kill = 5
    else:  # every file there; killed while it reads them, between two alerts
        for name in names:
            write_file(feed, name, FILES[name])
        args = ("--once",)
        done_before_kill = 8
    proc = start("watch", str(feed), *args, "--alerts", str(alerts), "--state", str(state))
    try:
        wait_for(lambda: files_done(state) >= done_before_kill, what="files done")
        for name in names[5:] if mode == "dropped" else ():
            write_file(feed, name, FILES[name])
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == -signal.SIGKILL
    # Usually stopped half-way (a loaded machine may let it finish first: the checks below
    # hold either way).
    again = run("watch", str(feed), "--once", "--alerts", str(alerts), "--state", str(state))
    assert again.returncode == 0, again.stderr
    assert "duplicate event id" not in again.stderr  # no file was read twice
    got = alerts_in(alerts)
    first: dict[str, dict[str, Any]] = {}
    for a in got:
        assert first.setdefault(a["alert_id"], a) == a  # a repeat is the same alert
    assert list(first.values()) == reference
    saved = json.loads(state.read_text(encoding="utf-8"))
    assert (saved["files"]["watermark"], saved["files"]["above"]) == (names[-1], {})
    assert saved["files"]["count"] == len(names)
    assert saved["files"]["events"] == len(all_events(FILES))


class _Hook(http.server.BaseHTTPRequestHandler):
    fail_first = 0
    received: list[dict[str, Any]]
    attempts = 0
    #: Set: answer; clear: hold every request until it is set (a hung endpoint).
    answer: threading.Event

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length))
        type(self).attempts += 1
        type(self).answer.wait(30)
        if type(self).attempts <= type(self).fail_first:
            self.send_response(500)
            self.end_headers()
            return
        type(self).received.append(body)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hook() -> Iterator[tuple[str, type[_Hook]]]:
    answer = threading.Event()
    answer.set()
    handler = type(
        "Hook", (_Hook,), {"received": [], "attempts": 0, "fail_first": 0, "answer": answer}
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/alerts", handler
    finally:
        answer.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def inproc(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """``redlines`` run in this process (``main``), as :func:`run` runs it in another."""

    def call(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        capsys.readouterr()
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(list(args))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, out, err)

    return call


def _feed_dir(tmp_path: Path) -> Path:
    feed = tmp_path / "feed"
    feed.mkdir()
    for name, events in FILES.items():
        write_file(feed, name, events)
    return feed


def test_webhook_that_fails_then_recovers_gets_every_alert_once(
    tmp_path: Path,
    hook: tuple[str, type[_Hook]],
    reference: list[dict[str, Any]],
    inproc: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    url, handler = hook
    handler.fail_first = 2  # two 500s, then it works
    feed = _feed_dir(tmp_path)
    done = inproc("watch", str(feed), "--once", "--webhook", url, "--webhook-grace", "20")
    assert done.returncode == 0, done.stderr
    assert [json.loads(line) for line in done.stdout.splitlines()] == reference
    assert handler.received == reference
    assert "HTTP 500" in done.stderr and "retrying" in done.stderr


def test_dead_webhook_keeps_alerts_in_the_state_and_sends_them_after_a_restart(
    tmp_path: Path,
    hook: tuple[str, type[_Hook]],
    reference: list[dict[str, Any]],
    inproc: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/alerts"
    feed, state = _feed_dir(tmp_path), tmp_path / "state.json"
    first = inproc(
        "watch", str(feed), "--once", "--state", str(state), "--webhook", dead,
        "--webhook-grace", "0.3",
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    assert "4 alert(s) not delivered" in first.stderr and str(state) in first.stderr
    assert json.loads(state.read_text(encoding="utf-8"))["pending_webhook"] == reference
    url, handler = hook
    second = inproc("watch", str(feed), "--once", "--state", str(state), "--webhook", url)
    assert second.returncode == 0, second.stderr
    assert second.stdout == ""  # no new alert: the files were done
    assert handler.received == reference
    assert json.loads(state.read_text(encoding="utf-8"))["pending_webhook"] == []


def test_damaged_or_foreign_state_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed, state = _feed_dir(tmp_path), tmp_path / "state.json"
    assert main(["watch", str(feed), "--once", "--state", str(state)]) == 0
    capsys.readouterr()
    good = state.read_text(encoding="utf-8")
    data = json.loads(good)
    data["ruleset"]["sha256"] = "0" * 64
    state.write_text(json.dumps(data), encoding="utf-8")
    assert main(["watch", str(feed), "--once", "--state", str(state)]) == 2
    err = capsys.readouterr().err
    assert f"error: {state}" in err and "another ruleset" in err
    state.write_text(good[: len(good) // 2], encoding="utf-8")  # cut short
    assert main(["watch", str(feed), "--once", "--state", str(state)]) == 2
    err = capsys.readouterr().err
    assert f"error: {state}:1:" in err and "invalid JSON" in err and "Traceback" not in err
    data = json.loads(good)
    del data["evaluator"]["patterns"]
    state.write_text(json.dumps(data), encoding="utf-8")
    assert main(["watch", str(feed), "--once", "--state", str(state)]) == 2
    assert "damaged" in capsys.readouterr().err


def test_a_bad_file_is_reported_and_the_watcher_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], reference: list[dict[str, Any]]
) -> None:
    feed, state = _feed_dir(tmp_path), tmp_path / "state.json"
    (feed / "f004b.jsonl").write_text(
        '{"id": "x1", "time": "2025-09-09T01:00:00+00:00", "actor": "RUS", "target": "Polan", '
        '"kind": "drone_strike"}\n',
        encoding="utf-8",
    )
    os.utime(feed / "f004b.jsonl", (0, 0))  # long written (--once leaves fresh files)
    # Every other file evaluated and alerted; the run, ended with its input, says it met
    # invalid input (exit 2), as `run` does.
    assert main(["watch", str(feed), "--once", "--state", str(state)]) == 2
    out, err = capsys.readouterr()
    assert f"error: {feed / 'f004b.jsonl'}:1:" in err and "Polan" in err and "Poland" in err
    assert [json.loads(line) for line in out.splitlines()] == reference
    saved = json.loads(state.read_text(encoding="utf-8"))["files"]
    assert (saved["watermark"], saved["count"]) == (max(FILES), len(FILES) + 1)
    assert saved["rejected"] == 1  # invalid content: reported, and done (it will not improve)


def test_stdin_alerts_problems_and_restart(
    tmp_path: Path,
    reference: list[dict[str, Any]],
    inproc: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    lines = [json.dumps(e) for e in all_events(FILES)]
    lines.insert(5, '{"id": "bad", "time": "yesterday"}')
    lines.insert(9, lines[2])  # an id already evaluated
    state = tmp_path / "state.json"
    text = "\n".join(lines) + "\n"
    done = inproc("watch", "-", "--state", str(state), "--checkpoint-every", "7", stdin=text)
    assert done.returncode == 2, done.stderr  # the stream ended, and it held invalid lines
    assert [json.loads(line) for line in done.stdout.splitlines()] == reference
    assert "error: <stdin>:6:" in done.stderr and "yesterday" in done.stderr
    assert "error: <stdin>" in done.stderr and "duplicate event id 'n0-2'" in done.stderr
    assert json.loads(state.read_text(encoding="utf-8"))["stdin_lines"] == len(lines)
    again = inproc("watch", "-", "--state", str(state), stdin=text + json.dumps(
        {"id": "new", "time": "2025-09-10T00:00:00+00:00", "actor": "USA", "target": "FRA",
         "kind": "other"}) + "\n")  # fmt: skip
    assert again.returncode == 0 and again.stdout == "", again.stderr
    assert "error" not in again.stderr  # the lines read before were skipped
    assert json.loads(state.read_text(encoding="utf-8"))["stdin_lines"] == len(lines) + 1
    # A new stream is read from its first line, with the state's windows and statuses.
    fresh = json.dumps(
        {"id": "pl-late", "time": "2025-09-10T00:00:00+00:00", "actor": "RUS", "target": "LTU",
         "kind": "airspace_violation", "intent": "unknown"}
    )  # fmt: skip
    third = inproc("watch", "-", "--state", str(state), "--new-stream", stdin=fresh + "\n")
    assert third.returncode == 0 and third.stdout == "" and third.stderr == "", third.stderr
    assert json.loads(state.read_text(encoding="utf-8"))["stdin_lines"] == 1


@pytest.mark.parametrize("no_color", [False, True])
def test_a_terminal_gets_readable_lines(tmp_path: Path, no_color: bool) -> None:
    feed = _feed_dir(tmp_path)
    environ = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    if no_color:
        environ["NO_COLOR"] = "1"
    text = on_a_terminal(str(feed), "--once", environ=environ)
    assert "RL2" in text and "clear -> warning" in text and "[probing]" in text
    assert "{" not in text  # not JSON
    assert ("\x1b[" in text) is not no_color


def test_one_state_one_watcher_and_its_files_are_kept_out_of_the_feed(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    nato: Ruleset,
    reference: list[dict[str, Any]],
) -> None:
    feed = _feed_dir(tmp_path)
    state, alerts = tmp_path / "state.json", tmp_path / "alerts.jsonl"
    holder = Watcher(nato, AlertWriter(io.StringIO()), state_path=state, note=lambda m: None)
    try:
        assert main(["watch", str(feed), "--once", "--state", str(state)]) == 2
        assert "another redlines watch is using this state file" in capsys.readouterr().err
    finally:
        holder.release()
    for inside in ("--state", "--alerts"):  # a file the watcher writes, inside the feed
        assert main(["watch", str(feed), "--once", inside, str(feed / "own.json")]) == 2
        err = capsys.readouterr().err
        assert f"is inside the watched directory '{feed}'" in err and inside in err
    code = main(["watch", str(feed), "--once", "--state", str(state), "--alerts", str(alerts)])
    assert code == 0
    assert "error" not in capsys.readouterr().err
    assert alerts_in(alerts) == reference
    assert main(["watch", str(feed), "--once", "--state", str(state), "--alerts", str(alerts)]) == 0
    assert "error" not in capsys.readouterr().err  # nor the second time
    assert alerts_in(alerts) == reference


def test_invalid_invocations_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["watch", str(tmp_path / "nowhere")]) == 2
    assert main(["watch", str(tmp_path), "--webhook", "ftp://example.org/x"]) == 2
    assert main(["watch", str(tmp_path), "--state", str(tmp_path / "no" / "state.json")]) == 2
    assert main(["watch", str(tmp_path), "--allowed-lateness", "soon"]) == 2
    assert main(["watch", str(tmp_path), "--rules", str(tmp_path / "missing.yaml")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "nowhere" in err and "ftp://" in err


def test_last_statuses_are_those_of_run_one_stream(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], reference: list[dict[str, Any]]
) -> None:
    feed = _feed_dir(tmp_path)
    files = sorted(str(p) for p in feed.iterdir())
    assert main(["run", "--one-stream", "--format", "json", *files]) == 0
    report = json.loads(capsys.readouterr().out)
    batch = {r["id"]: r["status"] for r in report["redlines"]}
    assert batch == {a["redline"]: a["to"] for a in reference}
    # ... and each alert's finding is one of the batch report's findings.
    findings = {
        (r["id"], f["level"], f["clause"], tuple(f["event_ids"]))
        for r in report["redlines"]
        for f in r["findings"]
    }
    for a in reference:
        assert (a["redline"], a["to"], a["clause"], tuple(a["event_ids"])) in findings


def test_a_hung_webhook_does_not_hold_evaluation_up(
    tmp_path: Path, hook: tuple[str, type[_Hook]], reference: list[dict[str, Any]]
) -> None:
    url, handler = hook
    handler.answer.clear()  # the endpoint takes the first request and does not answer
    feed, state = _feed_dir(tmp_path), tmp_path / "state.json"
    proc = start(
        "watch", str(feed), "--once", "--state", str(state), "--webhook", url,
        "--webhook-grace", "30",
    )  # fmt: skip
    try:
        # Every file is evaluated and saved while the first alert's POST still hangs.
        wait_for(lambda: files_done(state) == len(FILES), what="every file done")
        assert handler.attempts == 1 and handler.received == []
        saved = json.loads(state.read_text(encoding="utf-8"))
        assert saved["pending_webhook"] == reference  # not delivered yet: kept
        handler.answer.set()
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert [json.loads(line) for line in out.splitlines()] == reference
    assert handler.received == reference
    assert json.loads(state.read_text(encoding="utf-8"))["pending_webhook"] == []


def test_stdin_sigkill_and_replay(tmp_path: Path, reference: list[dict[str, Any]]) -> None:
    lines = [json.dumps(e) + "\n" for e in all_events(FILES)]
    state, alerts = tmp_path / "state.json", tmp_path / "alerts.jsonl"
    args = ("watch", "-", "--state", str(state), "--alerts", str(alerts))
    proc = start(*args, "--checkpoint-every", "10", stdin=subprocess.PIPE)
    assert proc.stdin is not None
    try:
        proc.stdin.write("".join(lines[:55]))
        proc.stdin.flush()
        wait_for(
            lambda: (
                state.exists()
                and json.loads(state.read_text(encoding="utf-8"))["stdin_lines"] == 50
            ),
            what="a checkpoint at line 50",
        )
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=20)
    finally:
        proc.kill()
    again = run(*args, stdin="".join(lines))  # the same stream, replayed from the start
    assert again.returncode == 0, again.stderr
    assert "duplicate event id" not in again.stderr  # lines 1-50 were skipped
    first: dict[str, dict[str, Any]] = {}
    for a in alerts_in(alerts):
        assert first.setdefault(a["alert_id"], a) == a
    assert list(first.values()) == reference
    assert json.loads(state.read_text(encoding="utf-8"))["stdin_lines"] == len(lines)


def test_help_states_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["watch", "--help"]) == 0
    out = capsys.readouterr().out
    assert "Exit codes:" in out and "docs/watch.md" in out
    assert main(["--help"]) == 0
    assert "watch    Watch a directory or standard input" in capsys.readouterr().out


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_alerts_that_cannot_be_written_stop_with_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed, state = _feed_dir(tmp_path), tmp_path / "state.json"
    code = main(["watch", str(feed), "--once", "--state", str(state), "--alerts", "/dev/full"])
    err = capsys.readouterr().err
    assert code == 2 and "error: /dev/full: cannot write the alerts" in err
    assert "Traceback" not in err
    # The state stops before the file whose alerts could not be written: nothing is lost.
    done = json.loads(state.read_text(encoding="utf-8"))["files"]
    assert (done["watermark"], done["count"]) == (sorted(FILES)[2], 3)
