"""The event backbone: transactional outbox, relay to Kafka, idempotent consumers, live stream.

See README.md in this folder.
"""
