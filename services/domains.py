"""The platform's domains, in order: a domain's demo data and root types follow those above it.

Adding a domain: its package (see README, "Adding a domain"), one line here, its migration
and its policy rows.
"""

from __future__ import annotations

from services.activity.manifest import DOMAIN as ACTIVITY
from services.cobuilding.manifest import DOMAIN as COBUILDING
from services.councils.manifest import DOMAIN as COUNCILS
from services.directory.manifest import DOMAIN as DIRECTORY
from services.domain import Domain
from services.ledger.manifest import DOMAIN as LEDGER
from services.orglife.manifest import DOMAIN as ORGLIFE
from services.partners.manifest import DOMAIN as PARTNERS
from services.resources.manifest import DOMAIN as RESOURCES

DOMAINS: tuple[Domain, ...] = (
    DIRECTORY,
    RESOURCES,
    LEDGER,
    ORGLIFE,
    COUNCILS,
    COBUILDING,
    ACTIVITY,
    PARTNERS,
)
