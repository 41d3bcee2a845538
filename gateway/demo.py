"""Demo directory of a prefecture-level city (地级市): its units and one login per role.

Only for embedded mode; every demo user shares ``Settings.demo_password``.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.model import DepartmentKind
from shared.roles import ADMIN, DEPARTMENT, DISPATCHER, INSPECTOR, OPERATOR


@dataclass(frozen=True)
class DemoDepartment:
    code: str
    name: str
    kind: DepartmentKind
    utility: bool = False


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    roles: tuple[str, ...]
    departments: tuple[str, ...] = ()


_BUREAU, _DISTRICT, _UTILITY = DepartmentKind.BUREAU, DepartmentKind.DISTRICT, DepartmentKind.UTILITY

DEPARTMENTS: tuple[DemoDepartment, ...] = (
    DemoDepartment("zjj", "市住房和城乡建设局", _BUREAU),
    DemoDepartment("scjg", "市市场监督管理局", _BUREAU),
    DemoDepartment("sthj", "市生态环境局", _BUREAU),
    DemoDepartment("cgj", "市城市管理综合执法局", _BUREAU),
    DemoDepartment("jtj", "市交通运输局", _BUREAU),
    DemoDepartment("rsj", "市人力资源和社会保障局", _BUREAU),
    DemoDepartment("jyj", "市教育局", _BUREAU),
    DemoDepartment("wjw", "市卫生健康委员会", _BUREAU),
    DemoDepartment("gaj", "市公安局", _BUREAU),
    # 水电气热: the four utilities with the short sign-in and handling limits.
    DemoDepartment("swjt", "市水务集团", _UTILITY, utility=True),
    DemoDepartment("rqjt", "市燃气集团", _UTILITY, utility=True),
    DemoDepartment("gdgs", "国网市供电公司", _UTILITY, utility=True),
    DemoDepartment("rlgs", "市热力公司", _UTILITY, utility=True),
    DemoDepartment("dcq", "东城区人民政府", _DISTRICT),
    DemoDepartment("xcq", "西城区人民政府", _DISTRICT),
)

STAFF: tuple[DemoUser, ...] = (
    DemoUser("operator", "话务员 李静", (OPERATOR,)),
    DemoUser("dispatcher", "派单员 王磊", (DISPATCHER,)),
    DemoUser("inspector", "纪检监察员 赵敏", (INSPECTOR,)),
    DemoUser("admin", "系统管理员", (ADMIN,)),
)


def department_user(department: DemoDepartment) -> DemoUser:
    """The one staff login of a demo department, ``dept-<code>``."""
    return DemoUser(f"dept-{department.code}", f"{department.name}承办人", (DEPARTMENT,), (department.code,))


def users() -> tuple[DemoUser, ...]:
    return STAFF + tuple(department_user(d) for d in DEPARTMENTS)
