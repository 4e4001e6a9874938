"""The ledger's Excel layout (台账 Excel), shared by the export and the import.

One sheet per list with Chinese column headings, row 1 the headings, one item per row; a
figures sheet with a chart. The import reads the columns marked ``imported`` back and finds
them by heading, so a user may reorder columns or add their own; the others (status,
progress, overdue, sign-off) are the platform's record of the work and are only written.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from services.ledger.models import LedgerList, LedgerSource, LedgerStatus


class Kind(enum.Enum):
    TEXT = "text"
    YEAR = "year"
    DATE = "date"
    NUMBER = "number"


@dataclass(frozen=True, slots=True)
class Column:
    name: str  # the field it fills (NewItem's, or an organisation reference)
    heading: str
    kind: Kind = Kind.TEXT
    width: int = 16
    imported: bool = True
    required: bool = False  # the import refuses a sheet without this column


SHEETS: dict[LedgerList, str] = {
    LedgerList.PROBLEM: "问题清单",
    LedgerList.TASK: "任务清单",
    LedgerList.RESPONSIBILITY: "责任清单",
}
FIGURES_SHEET = "统计"

KEY = Column("key", "导入键", width=38, required=True)
ORGANIZATION = Column("organization", "所属组织", width=24, required=True)
ORGANIZATION_CODE = Column("organization_code", "所属组织统一社会信用代码", width=22)
YEAR = Column("year", "年度", Kind.YEAR, width=8, required=True)
TITLE = Column("title", "标题", width=36, required=True)
DESCRIPTION = Column("description", "具体内容", width=40)
SOURCE = Column("source", "来源", width=12)
RESPONSIBLE = Column("responsible", "责任单位", width=24)
RESPONSIBLE_CODE = Column("responsible_code", "责任单位统一社会信用代码", width=22)
PERSON = Column("responsible_person", "责任人", width=12)
DUE_DATE = Column("due_date", "时间节点", Kind.DATE, width=12, required=True)
ASSIGNER = Column("assigner", "下达单位", width=24)
ASSIGNER_CODE = Column("assigner_code", "下达单位统一社会信用代码", width=22)
ANSWERS = Column("answers", "回应问题(导入键)", width=38)
HOLDER_ROLE = Column("holder_role", "岗位(一岗双责)", width=16)
STATUS = Column("status", "状态", width=10, imported=False)
PERCENT = Column("percent", "进度(%)", Kind.NUMBER, width=8, imported=False)
OVERDUE = Column("overdue", "是否逾期", width=8, imported=False)
SIGNED_OFF_AT = Column("signed_off_at", "销号日期", Kind.DATE, width=12, imported=False)

_COMMON_HEAD = (KEY, ORGANIZATION, ORGANIZATION_CODE, YEAR, TITLE, DESCRIPTION, SOURCE)
_COMMON_TAIL = (
    RESPONSIBLE,
    RESPONSIBLE_CODE,
    PERSON,
    DUE_DATE,
    ASSIGNER,
    ASSIGNER_CODE,
    STATUS,
    PERCENT,
    OVERDUE,
    SIGNED_OFF_AT,
)
COLUMNS: dict[LedgerList, tuple[Column, ...]] = {
    LedgerList.PROBLEM: (*_COMMON_HEAD, *_COMMON_TAIL),
    LedgerList.TASK: (*_COMMON_HEAD, ANSWERS, *_COMMON_TAIL),
    LedgerList.RESPONSIBILITY: (*_COMMON_HEAD, HOLDER_ROLE, *_COMMON_TAIL),
}

SOURCE_LABELS: dict[LedgerSource, str] = {
    LedgerSource.REVIEW: "述职评议",
    LedgerSource.INSPECTION: "督查",
    LedgerSource.COUNCIL_RESOLUTION: "联席会议决议",
    LedgerSource.COBUILDING_MILESTONE: "共建项目节点",
    LedgerSource.PLAN: "工作计划",
    LedgerSource.OTHER: "其他",
}
STATUS_LABELS: dict[LedgerStatus, str] = {
    LedgerStatus.OPEN: "未开始",
    LedgerStatus.IN_PROGRESS: "推进中",
    LedgerStatus.SUBMITTED: "待销号",
    LedgerStatus.SIGNED_OFF: "已销号",
    LedgerStatus.CANCELLED: "已取消",
}
# Several problems in one cell: the separators people type.
ANSWER_SEPARATORS = ("、", ",", "，", ";", "；", "\n")

FIGURE_HEADINGS = ("组织", "统一社会信用代码", "条目数(不含已取消)", "已销号", "逾期", "完成率")


def source_from_label(value: str) -> LedgerSource | None:
    """A source from its Chinese label or its code (``REVIEW``); None if it is neither."""
    for source, label in SOURCE_LABELS.items():
        if value in (label, source.value):
            return source
    return None
