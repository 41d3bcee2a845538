"""What every screen's forms share: the Idempotency-Key they carry, the common checks, and the service's
field errors put back on the form's fields."""

from __future__ import annotations

import uuid
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import DataRequired, Length

from gateway.ui import client
from gateway.ui.client import ServiceError

PHONE = r"^[0-9+\-() ]{3,20}$"


def required() -> DataRequired:
    return DataRequired(_l("此项必填"))


def length(low: int, high: int) -> Length:
    return Length(min=low, max=high, message=_l("长度应为 %(min)d–%(max)d 个字"))


class KeyedForm(FlaskForm):
    """A form that carries an Idempotency-Key: submitting it twice changes nothing twice."""

    idempotency_key = HiddenField(default=lambda: uuid.uuid4().hex)


def apply_errors(form: FlaskForm, error: ServiceError, renames: dict[str, str] | None = None) -> None:
    """Put the service's field errors on the form's fields; the rest becomes the form's own error."""
    unplaced: list[str] = []
    for name, messages in error.field_errors().items():
        target = (renames or {}).get(name, name)
        field = form._fields.get(target)
        if field is not None:
            field.errors = [*field.errors, *messages]
        else:
            unplaced.extend(messages)
    if unplaced or not error.field_errors():
        form.form_errors.extend([error.message, *unplaced] if error.message else unplaced)


def send(form: KeyedForm, path: str, body: dict[str, Any], *, renames: dict[str, str] | None = None) -> bool:
    """POST a form's body with its Idempotency-Key; a refusal (409, 422) goes back onto the form's fields."""
    try:
        client.post(path, body, idempotency_key=form.idempotency_key.data)
    except ServiceError as error:
        if error.status not in (409, 422):
            raise
        apply_errors(form, error, renames)
        return False
    return True
