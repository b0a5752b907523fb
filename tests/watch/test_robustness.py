"""Regression tests of ``redlines watch``: a webhook that does not speak HTTP, a replayed
standard input that is not the one read before, files that cannot be read now or are still
being written, a state that stays small, options that do nothing, the lock file."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from redlines.cli import main
from redlines.errors import InputError
from redlines.readers import read as real_read
from redlines.rules.resolved import Ruleset
from redlines.watch import AlertWriter, Watcher, WebhookSender
from redlines.watch.sources import DirectoryScanner
from redlines.watch.state import DoneFiles

from .helpers import all_events, env, on_a_terminal, stream_files, wait_for, write_file

FILES = stream_files()


def _feed(tmp_path: Path, files: dict[str, list[dict[str, Any]]] = FILES) -> Path:
    feed = tmp_path / "feed"
    feed.mkdir()
    for name, events in files.items():
        write_file(feed, name, events)
    return feed


def _saved(state: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(state.read_text(encoding="utf-8"))
    return data


# --- 1. the webhook worker never dies ------------------------------------------------------


class _NotHttp:
    """A TCP server that answers ``HELLO NOT HTTP`` until told to answer HTTP 204."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.http = threading.Event()
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.getsockname()[1]}/alerts"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                self.connections += 1
                conn.settimeout(5)
                try:
                    conn.recv(65536)
                    if self.http.is_set():
                        conn.sendall(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
                    else:
                        conn.sendall(b"HELLO NOT HTTP\r\n\r\n")
                except OSError:
                    pass

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def not_http() -> Iterator[_NotHttp]:
    server = _NotHttp()
    try:
        yield server
    finally:
        server.close()


def test_webhook_survives_a_reply_that_is_not_http(not_http: _NotHttp) -> None:
    warnings: list[str] = []
    sender = WebhookSender(not_http.url, first_delay=0.01, max_delay=0.05, warn=warnings.append)
    try:
        sender.submit([{"alert_id": "a1"}])
        wait_for(lambda: not_http.connections >= 3, what="three attempts")
        assert sender._thread.is_alive()  # retried, not dead
        assert sender.pending() == [{"alert_id": "a1"}] and sender.delivered == 0
        assert any("not an HTTP reply" in w and "BadStatusLine" in w for w in warnings)
        not_http.http.set()  # the endpoint comes back: the same worker delivers
        wait_for(lambda: sender.delivered == 1, what="delivery")
        assert sender.pending() == [] and sender.failed == []
    finally:
        sender.close(0)


def test_webhook_worker_survives_any_error_of_an_attempt(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def broken(self: WebhookSender, alert: dict[str, Any]) -> tuple[bool, bool, str]:
        calls.append(1)
        if len(calls) < 3:
            raise RuntimeError("something unforeseen")
        return True, False, "HTTP 204"

    monkeypatch.setattr(WebhookSender, "_post", broken)
    warnings: list[str] = []
    sender = WebhookSender("http://127.0.0.1:9/", first_delay=0.01, warn=warnings.append)
    try:
        sender.submit([{"alert_id": "a1"}])
        wait_for(lambda: sender.delivered == 1, what="delivery after two errors")
        assert "RuntimeError: something unforeseen" in warnings[0]
    finally:
        sender.close(0)


@pytest.mark.parametrize(
    "url", ["http://", "https://", "http:///alerts", "ftp://example.org/x", "example.org"]
)
def test_a_webhook_without_host_or_of_another_scheme_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], url: str
) -> None:
    assert main(["watch", str(tmp_path), "--once", "--webhook", url]) == 2
    err = capsys.readouterr().err
    assert "is not an http:// or https:// URL with a host" in err and "Traceback" not in err


# --- 2. a replayed standard input is checked, never skipped blindly ------------------------


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def test_a_replayed_stdin_is_checked_against_the_lines_read_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [json.dumps(e) + "\n" for e in all_events(FILES)]
    state = tmp_path / "state.json"
    _stdin(monkeypatch, "".join(lines[:40]))
    assert main(["watch", "-", "--state", str(state)]) == 0
    first = capsys.readouterr().out.splitlines()
    before = _saved(state)
    # The same stream, replayed and longer: the 40 lines are skipped, and it says so.
    _stdin(monkeypatch, "".join(lines))
    assert main(["watch", "-", "--state", str(state)]) == 0
    out, err = capsys.readouterr()
    assert f"skipping 40 line(s) read before (state {state}); --new-stream reads" in err
    assert _saved(state)["stdin_lines"] == len(lines)
    # Another stream: an error naming the state file, and the state is left as it was.
    state.write_text(json.dumps(before), encoding="utf-8")
    other = [*lines[:39], lines[45], *lines[40:]]
    _stdin(monkeypatch, "".join(other))
    assert main(["watch", "-", "--state", str(state)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and f"error: {state}" in err and "--new-stream" in err
    assert "does not start with the 40 line(s) this state has read" in err
    assert _saved(state) == before
    # A stream shorter than what was read: the same error.
    _stdin(monkeypatch, "".join(lines[:10]))
    assert main(["watch", "-", "--state", str(state)]) == 2
    assert "it ended after 10 line(s)" in capsys.readouterr().err
    assert _saved(state) == before
    # --new-stream reads it all from its first line (ids already evaluated are refused).
    _stdin(monkeypatch, "".join(lines[40:]))
    assert main(["watch", "-", "--state", str(state), "--new-stream"]) == 0
    rest = capsys.readouterr().out.splitlines()
    assert _saved(state)["stdin_lines"] == len(lines) - 40
    assert len(first) + len(rest) == 4  # the story's four alerts, each once


# --- 3. files that cannot be read now, files still being written --------------------------


def test_a_file_that_cannot_be_read_now_is_not_marked_done(
    tmp_path: Path, nato: Ruleset, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed, state = _feed(tmp_path), tmp_path / "state.json"
    failing = {"f005.jsonl"}

    def flaky(paths: Any, fmt: Any = None, **kw: Any) -> Any:
        if paths[0].name in failing:
            try:
                raise PermissionError(13, "Permission denied")
            except OSError:
                raise InputError.one("cannot read", file=str(paths[0])) from None
        return real_read(paths, fmt, **kw)

    monkeypatch.setattr("redlines.watch.watcher.read", flaky)
    notes: list[str] = []
    out = io.StringIO()
    watcher = Watcher(nato, AlertWriter(out), state_path=state, note=notes.append)
    watcher.run_directory(feed, once=True)
    watcher.close()
    said = [n for n in notes if "f005.jsonl" in n]
    assert said and "cannot be read now (Permission denied): not marked done" in said[0]
    done = _saved(state)["files"]
    assert done["watermark"] == "f004.jsonl"  # stops before the file not read
    assert sorted(done["above"]) == sorted(FILES)[6:] and done["count"] == len(FILES) - 1
    failing.clear()  # readable again: the next run reads it, and only it
    notes.clear()
    watcher = Watcher(nato, AlertWriter(out), state_path=state, note=notes.append)
    watcher.run_directory(feed, once=True)
    watcher.close()
    assert [n.split(":")[0] for n in notes if "event(s)" in n] == [str(feed / "f005.jsonl")]
    done = _saved(state)["files"]
    assert (done["watermark"], done["above"], done["count"]) == (max(FILES), {}, len(FILES))
    assert len(out.getvalue().splitlines()) == 4  # the story's alerts, each once


def test_once_leaves_files_still_being_written_for_the_next_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = dict(list(FILES.items())[:4])
    feed, state = _feed(tmp_path, files), tmp_path / "state.json"
    os.utime(feed / "f002.jsonl")  # modified just now
    assert main(["watch", str(feed), "--once", "--state", str(state)]) == 0
    err = capsys.readouterr().err
    assert f"{feed / 'f002.jsonl'} (and the files after it) modified less than 2 s ago" in err
    done = _saved(state)["files"]
    assert (done["watermark"], done["count"]) == ("f001.jsonl", 2)  # f003 waits behind it
    assert main(["watch", str(feed), "--once", "--state", str(state), "--settle", "0"]) == 0
    assert "modified less than" not in capsys.readouterr().err
    assert _saved(state)["files"]["count"] == 4


# --- 4. the state stays small --------------------------------------------------------------


def test_the_state_stays_compact_however_many_files(tmp_path: Path, nato: Ruleset) -> None:
    event = {"time": "2025-09-09T00:00:00+00:00", "actor": "USA", "target": "FRA", "kind": "other"}
    feed, state = tmp_path / "feed", tmp_path / "state.json"
    feed.mkdir()
    sizes = []
    for batch in range(2):
        for i in range(batch * 100, (batch + 1) * 100):
            write_file(feed, f"g{i:05d}.jsonl", [{"id": f"e{i}", **event}])
        watcher = Watcher(nato, AlertWriter(io.StringIO()), state_path=state, note=lambda m: None)
        watcher.run_directory(feed, once=True)
        watcher.close()
        sizes.append(len(json.dumps(_saved(state)["files"])))
        done = _saved(state)["files"]
        assert (done["above"], done["count"]) == ({}, (batch + 1) * 100)
    assert sizes[0] == sizes[1] < 200


def test_a_late_file_with_an_old_name_is_skipped_and_said(tmp_path: Path) -> None:
    for name in ("b.jsonl", "d.jsonl"):
        (tmp_path / name).write_text("", encoding="utf-8")
    late: list[str] = []
    scanner = DirectoryScanner(tmp_path, late=late.append)
    done = DoneFiles()
    for path in scanner.ready(done, settle=False):
        done.add(path.name, 0, 0)
    done.compact(scanner.waiting)
    assert (done.watermark, done.above) == ("d.jsonl", {})
    (tmp_path / "a.jsonl").write_text("", encoding="utf-8")  # arrives late, an old name
    (tmp_path / "e.jsonl").write_text("", encoding="utf-8")
    assert [p.name for p in scanner.ready(done, settle=False)] == ["e.jsonl"]
    assert late == ["a.jsonl"]
    scanner.ready(done, settle=False)
    assert late == ["a.jsonl"]  # said once


def test_a_state_of_the_older_form_is_refused_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"state_version": 1, "files": {}}), encoding="utf-8")
    assert main(["watch", str(_feed(tmp_path)), "--once", "--state", str(state)]) == 2
    err = capsys.readouterr().err
    assert f"error: {state}" in err and "older form (state_version 1, not 2)" in err


# --- 5. options that do nothing --------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-", "--once"], "--once applies only to a directory"),
        (["-", "--poll", "1"], "--poll applies only to a directory"),
        (["-", "--settle", "1"], "--settle applies only to a directory"),
        (["DIR", "--new-stream"], "--new-stream applies only to standard input (-)"),
        (["DIR", "--checkpoint-every", "5"], "--checkpoint-every applies only to standard"),
        (["DIR", "--settle", "1"], "--settle applies only with --once"),
        (["DIR", "--state", "S", "--alerts", "S"], "--alerts and --state name the same file"),
    ],
)
def test_options_that_do_nothing_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    feed = tmp_path / "feed"
    feed.mkdir()
    args = [str(feed) if a == "DIR" else str(tmp_path / "same") if a == "S" else a for a in args]
    assert main(["watch", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


# --- 6. the lock file -------------------------------------------------------------------------


def test_the_lock_file_goes_at_a_clean_exit_and_a_stale_one_does_not_block(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed, state = _feed(tmp_path), tmp_path / "state.json"
    lock = tmp_path / "state.json.lock"
    lock.write_bytes(b"")  # left by a watcher killed with SIGKILL: its flock went with it
    assert main(["watch", str(feed), "--once", "--state", str(state)]) == 0
    assert not lock.exists() and state.exists()
    assert main(["watch", str(feed), "--once", "--state", str(state)]) == 0
    assert not lock.exists()
    capsys.readouterr()


def test_a_killed_watcher_leaves_a_lock_that_does_not_block_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "redlines", "watch", "-", "--state", str(state)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env(),
    )
    lock = tmp_path / "state.json.lock"
    wait_for(lock.exists, what="the lock file")
    proc.kill()
    proc.wait(timeout=30)
    assert lock.exists()
    done = subprocess.run(
        [sys.executable, "-m", "redlines", "watch", "-", "--state", str(state)],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        env=env(),
    )
    assert done.returncode == 0, done.stderr
    assert not lock.exists()


# --- 7. --json on a terminal -------------------------------------------------------------------


def test_json_flag_writes_json_on_a_terminal_too(tmp_path: Path) -> None:
    text = on_a_terminal(str(_feed(tmp_path)), "--once", "--json")
    alerts = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert len(alerts) == 4 and all(set(a) >= {"alert_id", "redline", "to"} for a in alerts)
    assert "\x1b[" not in text


def test_watch_help_names_the_readable_form_and_no_scenario(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["watch", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "a readable line when standard output is a terminal" in text and "--json" in text
    assert "scenario" not in text
    assert "--settle" in text and "inside DIR" in text


@pytest.mark.parametrize(("what", "said"), [("nowhere", "does not exist"), ("afile", "is a file")])
def test_dir_errors_have_one_wording(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], what: str, said: str
) -> None:
    (tmp_path / "afile").write_text("", encoding="utf-8")
    assert main(["watch", str(tmp_path / what), "--once"]) == 2
    err = capsys.readouterr().err
    assert f"Invalid value for 'DIR|-': '{tmp_path / what}' {said}: give a directory, or -" in err


EXIT_2_CAUSES = [
    "DIR not a directory",
    "http:// or https:// URL with a host",
    "in a folder that does not exist, inside DIR, or the same file",
    "(--once, --poll, --settle with -; --new-stream, --checkpoint-every with DIR; "
    "--settle without --once)",
    "a ruleset that cannot be loaded (or, with --strict, has warnings)",
    "damaged, of another ruleset, of an older form or in use",
    "standard input that does not start with the lines the state has read (without --new-stream)",
    "alerts or state that cannot be written",
    "at the end of standard input or of --once: invalid input met (a line or file refused, "
    "said on stderr",
]


def test_exit_codes_of_help_and_docs_agree(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["watch", "--help"]) == 0

    def flat(text: str) -> str:
        return " ".join(text.replace("`", "").split())

    docs = Path(__file__).parents[2] / "docs"
    cli_md = (docs / "cli.md").read_text(encoding="utf-8")
    texts = {
        "help": flat(capsys.readouterr().out),
        "cli.md": flat(cli_md[cli_md.index("## `redlines watch`") :]),
        "watch.md": flat((docs / "watch.md").read_text(encoding="utf-8")),
    }
    for cause in EXIT_2_CAUSES:
        for where, text in texts.items():
            assert cause in text, f"{where} does not say {cause!r}"
