"""Test scaffolding shared by every domain's tests: polling, the outbox, scratch databases,
WebSockets, organisations and the "writes nothing" snapshot. New domains use these instead of
copying them."""
