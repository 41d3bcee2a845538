"""The hotline's transition table, shared by the model tests and the HTTP tests."""

from __future__ import annotations

from itertools import product

STATUSES = ["received", "dispatched", "signed", "return_requested", "replied", "reopened", "closed", "merged"]

# Every action on a ticket, as its URL path segment after /tickets/<id>/.
ACTIONS = ["answer", "legal-channel", "transfer", "dispatch", "sign", "return", "return/review", "extension",
           "extension/review", "urge", "assist", "reply", "callback", "close", "merge"]

# (status, action) → status afterwards. Every pair not listed must be refused (409 over HTTP).
ALLOWED = {
    ("received", "answer"): "replied",
    ("received", "legal-channel"): "replied",
    ("received", "transfer"): "closed",
    ("received", "dispatch"): "dispatched",
    ("received", "merge"): "merged",
    ("dispatched", "sign"): "signed",
    ("dispatched", "return"): "return_requested",
    ("dispatched", "urge"): "dispatched",
    ("dispatched", "assist"): "dispatched",
    ("dispatched", "merge"): "merged",
    ("signed", "return"): "return_requested",
    ("signed", "extension"): "signed",
    ("signed", "extension/review"): "signed",
    ("signed", "urge"): "signed",
    ("signed", "assist"): "signed",
    ("signed", "reply"): "replied",
    ("return_requested", "return/review"): "dispatched",  # rejected: back to where it was
    ("return_requested", "urge"): "return_requested",
    ("replied", "callback"): "closed",
    ("replied", "close"): "closed",
    ("reopened", "sign"): "signed",
    ("reopened", "return"): "return_requested",
    ("reopened", "urge"): "reopened",
    ("reopened", "assist"): "reopened",
}

FORBIDDEN = [pair for pair in product(STATUSES, ACTIONS) if pair not in ALLOWED]
