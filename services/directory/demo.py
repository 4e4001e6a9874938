"""Demo data: tenants ``demo`` and ``other``, their organisations, logins and an open invitation."""

from __future__ import annotations

import uuid

import asyncpg

from services.directory.credit_code import check_character
from services.directory.invitations import INVITATION_TTL

# (key, name, kind, parent key, region-bearing credit code body or None, star rating)
_ORGS: list[tuple[str, str, str, str | None, str | None, int | None]] = [
    ("district", "区委组织部", "DISTRICT_COMMITTEE", None, "11{region}MB1234567", None),
    ("street", "东城街道党工委", "STREET_COMMITTEE", "district", "11{region}MB2345678", None),
    ("community-a", "花园社区党委", "COMMUNITY", "street", None, None),
    ("community-b", "滨河社区党支部", "COMMUNITY", "street", None, None),
    ("soe", "城市建设投资集团有限公司党委", "SOE", "district", "91{region}MA1B2C3D4", None),
    ("stationed", "区人民医院党委", "STATIONED_UNIT", "district", "12{region}4567890XY", None),
    ("private", "新华科技有限公司党支部", "PRIVATE_ENTERPRISE", "street", "91{region}MA5E6F7G8", 4),
    ("social", "阳光社会工作服务中心党支部", "SOCIAL_ORGANIZATION", "street", "52{region}MJ7654321", None),
]

_TENANTS = [("demo", "示范区区域化党建联盟", "110101"), ("other", "滨江区区域化党建联盟", "330108")]

# (tenant, login, display name, role, organisation key)
_LOGINS = [
    ("demo", "alliance-admin", "区委组织部 管理员", "alliance_admin", None),
    ("demo", "street-admin", "东城街道 书记", "org_admin", "street"),
    ("demo", "soe-admin", "城投集团 党委书记", "org_admin", "soe"),
    ("demo", "member", "花园社区 党员", "member", "community-a"),
    ("demo", "auditor", "区纪委 审计员", "auditor", None),
    ("other", "alliance-admin", "滨江区 管理员", "alliance_admin", None),
    ("other", "soe-admin", "城投集团 党委书记", "org_admin", "soe"),
    ("other", "inspector", "滨江区纪委 监督员", "auditor", None),
]

# (inviting tenant, invited login, its home tenant, role, organisation key): offers still open,
# made by the inviting tenant's alliance admin. ``inspector`` (asked to audit demo, a
# cross-district check 交叉检查) sees its own in ``viewer { invitations }`` when signed in to ``other``.
_INVITATIONS: list[tuple[str, str, str, str, str | None]] = [("demo", "inspector", "other", "auditor", None)]


def _credit_code(template: str | None, region: str) -> str | None:
    if template is None:
        return None
    body = template.format(region=region)[:17]
    return body + check_character(body)


async def seed_directory(conn: asyncpg.Connection) -> bool:
    """Load the directory's demo data unless tenant ``demo`` exists; say whether it loaded."""
    async with conn.transaction():
        if await conn.fetchval("SELECT EXISTS (SELECT 1 FROM alliances WHERE slug = 'demo')"):
            return False
        org_ids: dict[tuple[str, str], uuid.UUID] = {}
        tenant_ids: dict[str, uuid.UUID] = {}
        for slug, name, region in _TENANTS:
            tenant_id = await conn.fetchval(
                "INSERT INTO alliances (slug, name, region_code) VALUES ($1, $2, $3) RETURNING id",
                slug,
                name,
                region,
            )
            tenant_ids[slug] = tenant_id
            for key, org_name, kind, parent, code, stars in _ORGS:
                org_ids[(slug, key)] = await conn.fetchval(
                    "INSERT INTO organizations (tenant_id, name, kind, parent_id, credit_code,"
                    " contact_name, contact_phone, star_rating)"
                    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                    tenant_id,
                    org_name if slug == "demo" else org_name.replace("东城", "西湖"),
                    kind,
                    org_ids[(slug, parent)] if parent else None,
                    _credit_code(code, region),
                    "联络员",
                    "0571-8888" + str(len(org_ids)).zfill(4),
                    stars,
                )
        for slug, login, display, role, org in _LOGINS:
            # soe-admin of `other` is the same person as in `demo` (one SOE, two districts).
            home = "demo" if login == "soe-admin" else slug
            account_id = await conn.fetchval(
                "INSERT INTO accounts (home_tenant_id, login, display_name, phone)"
                " VALUES ($1, $2, $3, $4)"
                " ON CONFLICT (home_tenant_id, login) DO UPDATE SET login = EXCLUDED.login"
                " RETURNING id",
                tenant_ids[home],
                login,
                display,
                "13800000000",
            )
            await conn.execute(
                "INSERT INTO role_assignments (tenant_id, account_id, role, organization_id)"
                " VALUES ($1, $2, $3, $4)",
                tenant_ids[slug],
                account_id,
                role,
                org_ids[(slug, org)] if org else None,
            )
        for slug, login, home, role, org in _INVITATIONS:
            await conn.execute(
                "INSERT INTO role_invitations (tenant_id, account_id, role, organization_id, invited_by,"
                " expires_at)"
                " SELECT $1, invited.id, $4, $5, inviter.id, now() + $6::interval"
                " FROM accounts invited, accounts inviter"
                " WHERE invited.home_tenant_id = $2 AND invited.login = $3"
                " AND inviter.home_tenant_id = $1 AND inviter.login = 'alliance-admin'",
                tenant_ids[slug],
                tenant_ids[home],
                login,
                role,
                org_ids[(slug, org)] if org else None,
                INVITATION_TTL,
            )
    return True
