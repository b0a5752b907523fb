"""``redlines watch``: a long-lived evaluator over a stream (standard input, or a directory
where export files appear), with alerts on every change of a red line's status, webhook
delivery and state that survives a crash. See docs/watch.md."""

from __future__ import annotations

from .alerts import Alert, AlertWriter, StatusTracker, alert_id
from .state import WatchState, load_state, save_state
from .watcher import Watcher
from .webhook import WebhookSender

__all__ = [
    "Alert",
    "AlertWriter",
    "StatusTracker",
    "WatchState",
    "Watcher",
    "WebhookSender",
    "alert_id",
    "load_state",
    "save_state",
]
