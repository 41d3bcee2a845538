"""Masking of personal data (个人信息) for anything shown outside the handling staff."""

from __future__ import annotations

import hashlib
import hmac
import re

# Mainland mobile numbers, landlines with area code, and 18-digit resident ID numbers.
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})-?(\d{3,4})(\d{4})(?!\d)")
_ID_CARD = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9A-Za-z])")
# Address granularity kept visible: up to the district/county (区/县/市) level.
# A district segment is short and holds no digits or street words, so 小区/园区 later in an address
# (朝阳路88号小区) is never mistaken for a district.
_ADDRESS_KEEP = re.compile(r"^([^\d路街道巷号镇乡村]{1,10}?(?:省|自治区))?([^\d路街道巷号镇乡村]{1,10}?市)?"
                           r"([^\d路街道巷号镇乡村]{1,10}?(?:区|县|旗))?")


def mask_name(name: str | None) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧阳**… keep the first character (surname) only."""
    if not name:
        return ""
    name = name.strip()
    if len(name) <= 1:
        return "*"
    return name[0] + "*" * (len(name) - 1)


def mask_phone(phone: str | None) -> str:
    """13812345678 → 138****5678; other numbers keep only their last four digits."""
    if not phone:
        return ""
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def caller_key(phone: str | None, key: bytes | None) -> str | None:
    """A keyed hash (HMAC-SHA256) of a phone number: equal for the same number however it was written
    (spaces, dashes, +86), useless without the deployment's key. What the case index keeps instead of the
    number, so the same caller's earlier tickets can be found without the index holding any phone."""
    if not phone or not key:
        return None
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if len(digits) < 3:
        return None
    return hmac.new(key, digits.encode("ascii"), hashlib.sha256).hexdigest()


def mask_address(address: str | None) -> str:
    """Keep province/city/district; mask the street and number."""
    if not address:
        return ""
    match = _ADDRESS_KEEP.match(address)
    kept = "".join(g for g in (match.groups() if match else ()) if g)
    return (kept + "***") if kept else "***"


# A street-level address ends at the last street word before the first house number (88号, 3栋, 2单元 …).
_STREET = re.compile(r"^(.*?(?:大道|大街|路|街|道|巷|胡同|弄|里|村|镇|乡))(?=[^路街道巷弄里村镇乡]*\d)")


def coarsen_address(address: str | None) -> str:
    """东城区朝阳路88号3单元 → 东城区朝阳路: the street, never the house (for published requests)."""
    if not address:
        return ""
    address = address.strip()
    street = _STREET.match(address)
    if street:
        return street.group(1)
    digit = re.search(r"\d", address)
    return address[:digit.start()].rstrip() if digit else address


def mask_text(text: str | None) -> str:
    """Mask phone and ID numbers inside free text (names in free text cannot be found reliably,
    so free text is only shown where the caller wrote it or staff reviewed it)."""
    if not text:
        return ""
    text = _ID_CARD.sub(lambda m: m.group(1)[:3] + "*" * 11 + m.group(3)[-4:], text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(3)}", text)
