"""Roles and the principal (who is calling). Pure: domain models import these without the web stack."""

from __future__ import annotations

from dataclasses import dataclass, field

OPERATOR, DISPATCHER, DEPARTMENT, INSPECTOR, ADMIN = "operator", "dispatcher", "department", "inspector", "admin"
ROLES = (OPERATOR, DISPATCHER, DEPARTMENT, INSPECTOR, ADMIN)
ROLE_LABELS = {OPERATOR: "话务员", DISPATCHER: "派单员", DEPARTMENT: "承办单位",
               INSPECTOR: "纪检监察", ADMIN: "管理员"}



@dataclass(frozen=True)
class Principal:
    """Who is calling: a username, roles, and for department staff the departments they act for."""

    username: str
    roles: frozenset[str]
    departments: frozenset[str] = field(default_factory=frozenset)
    display_name: str = ""

    def has_any(self, *roles: str) -> bool:
        return ADMIN in self.roles or bool(self.roles & set(roles))

    def acts_for(self, department: str) -> bool:
        return department in self.departments

    @property
    def actor(self) -> str:
        """How the audit trail names this caller."""
        return f"user:{self.username}"
