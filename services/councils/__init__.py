"""Joint councils (党建联席会议 / 区域党委): councils, meetings, agenda items, resolutions."""
