"""The event bus: envelope, outbox relay, idempotent consumers, and transports."""
