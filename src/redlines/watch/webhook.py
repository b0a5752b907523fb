"""Webhook delivery: each alert POSTed as JSON by a worker thread, with retries and
exponential back-off, so that a slow or dead endpoint never holds evaluation up.

Alerts wait in a queue (in order, each delivered once it succeeds). Every red line alerts at
most twice over the life of a state, so the queue is bounded by twice the number of red lines
(plus what a state file brought back). A 2xx answer delivers an alert; a network error, a
timeout, a reply that is not HTTP (or any other error of an attempt), 408, 429 or a 5xx is
retried after 0.5 s, 1 s, 2 s... (at most ``max_delay``); any
other 4xx is final, and said on stderr. What is still queued when the watcher stops is kept
in the state file and sent again after a restart.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["WebhookSender"]

_RETRIED = {408, 429}


class WebhookSender:
    """POSTs alerts to *url* from a daemon thread; :meth:`pending` is what is not delivered."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 10.0,
        first_delay: float = 0.5,
        max_delay: float = 60.0,
        warn: Callable[[str], None] | None = None,
        user_agent: str = "redlines-watch",
    ) -> None:
        self.url = url
        self.timeout = timeout
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.user_agent = user_agent
        self._warn_to = warn or (lambda message: None)
        self._queue: deque[dict[str, Any]] = deque()
        self._cond = threading.Condition()
        self._stopping = False
        self._delivered = 0
        self._failed: list[dict[str, Any]] = []
        self._thread = threading.Thread(target=self._work, name="redlines-webhook", daemon=True)
        self._thread.start()

    @property
    def delivered(self) -> int:
        return self._delivered

    @property
    def failed(self) -> list[dict[str, Any]]:
        """Alerts refused for good (a 4xx other than 408 and 429)."""
        with self._cond:
            return list(self._failed)

    def submit(self, alerts: Iterable[dict[str, Any]]) -> None:
        """Queue *alerts*; never waits for the network."""
        with self._cond:
            self._queue.extend(alerts)
            self._cond.notify_all()

    def pending(self) -> list[dict[str, Any]]:
        """Alerts not delivered yet, oldest first (the one being sent included)."""
        with self._cond:
            return list(self._queue)

    def close(self, grace: float) -> list[dict[str, Any]]:
        """Give the worker up to *grace* seconds to deliver what is queued, then stop it;
        returns what is still not delivered."""
        deadline = time.monotonic() + grace
        with self._cond:
            while self._queue and time.monotonic() < deadline:
                self._cond.wait(min(0.05, max(0.0, deadline - time.monotonic())))
            self._stopping = True
            self._cond.notify_all()
            left = list(self._queue)
        self._thread.join(timeout=0.5)
        return left

    def _warn(self, message: str) -> None:
        """Say *message*; a failure to say it (stderr closed) never stops the worker."""
        with contextlib.suppress(Exception):
            self._warn_to(message)

    def _post(self, alert: dict[str, Any]) -> tuple[bool, bool, str]:
        """(delivered, worth retrying, what happened)."""
        body = json.dumps(alert, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "User-Agent": self.user_agent},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
                return True, False, f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            retry = exc.code in _RETRIED or exc.code >= 500
            return False, retry, f"HTTP {exc.code} {exc.reason}"
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            return False, True, str(reason)
        except http.client.HTTPException as exc:  # not an HTTP reply: BadStatusLine...
            return False, True, f"not an HTTP reply ({type(exc).__name__}: {exc})"
        except Exception as exc:  # the worker must never die: retried
            return False, True, f"{type(exc).__name__}: {exc}"

    def _work(self) -> None:
        delay = self.first_delay
        attempts = 0
        while True:
            with self._cond:
                while not self._queue and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                alert = self._queue[0]
            try:
                ok, retry, what = self._post(alert)
            except Exception as exc:  # never let the worker die
                ok, retry, what = False, True, f"{type(exc).__name__}: {exc}"
            with self._cond:
                if ok or not retry:
                    if self._queue and self._queue[0] is alert:
                        self._queue.popleft()
                    if ok:
                        self._delivered += 1
                    else:
                        self._failed.append(alert)
                        self._warn(
                            f"webhook {self.url} refused alert {alert.get('alert_id')} "
                            f"({what}): not retried"
                        )
                    delay, attempts = self.first_delay, 0
                    self._cond.notify_all()
                    continue
                attempts += 1
                if attempts == 1 or attempts & (attempts - 1) == 0:  # 1, 2, 4, 8... attempts
                    self._warn(
                        f"webhook {self.url}: alert {alert.get('alert_id')} not delivered "
                        f"({what}), attempt {attempts}; retrying in {delay:g} s"
                    )
                until = time.monotonic() + delay
                while not self._stopping and (remaining := until - time.monotonic()) > 0:
                    self._cond.wait(remaining)
                if self._stopping:
                    return
                delay = min(delay * 2, self.max_delay)
