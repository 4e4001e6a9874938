"""The three-lists ledger (三单制 工作台账): problem, task and responsibility items with deadlines
(时间节点), sign-off by the level above (销号管理), target responsibility letters (党建目标责任书)
and the figures of the annual debriefing (述职评议考核)."""
