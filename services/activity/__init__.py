"""Activity feed (联盟动态): the first consumer of the event backbone."""
