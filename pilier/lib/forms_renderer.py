"""The project's form renderer (settings.FORM_RENDERER): every field is drawn by templates/forms/field.html.

A template writes `{{ form.name.as_field_group }}` (or `{{ field.as_field_group }}` in a loop) and gets the
label, the widget, the help text and the errors, the widget described by the help text's and the errors' ids
(`aria-describedby`, set by Django's BoundField from the same ids the template writes) and marked
`aria-invalid` when in error. TemplatesSetting reads the templates through settings.TEMPLATES, so a
project template can stand in for one of Django's; Django's own form templates come from `django.forms`
in INSTALLED_APPS."""

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    field_template_name = "forms/field.html"
