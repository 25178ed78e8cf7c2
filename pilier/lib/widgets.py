"""Form pieces every app shares: the date input as Belgians type it, model validators run first."""

from django import forms


def formfield_with_model_validators(model_field, **kwargs):
    """The model field's form field, with the model field's own validators (text, ranges).

    Django runs them only in the model's full_clean(), after the form's clean_<field>() methods,
    which may already have sent the value to the database (a duplicate check): here they refuse
    a bad value first, with the field's message.
    """
    field = model_field.formfield(**kwargs)
    if field is not None:
        field.validators.extend(v for v in model_field._validators if v not in field.validators)
    return field


class DateInput(forms.DateInput):
    input_type = "text"

    def __init__(self, **kwargs):
        kwargs.setdefault("attrs", {}).update({"placeholder": "dd/mm/yyyy", "inputmode": "numeric"})
        super().__init__(format="%d/%m/%Y", **kwargs)
