"""Form plumbing shared by every app: USWDS classes and the ARIA wiring that links errors to fields."""

from django import forms


class AccessibleFormMixin:
    """Adds USWDS classes, and after validation points each invalid field at its error message."""

    input_classes = {
        forms.CheckboxInput: "usa-checkbox__input",
        forms.RadioSelect: "usa-radio__input",
        forms.Select: "usa-select",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = self.input_classes.get(type(field.widget), "usa-input")
            field.widget.attrs.setdefault("class", css)

    def full_clean(self):
        super().full_clean()
        for name, field in self.fields.items():
            if name not in self._errors:
                continue
            described = [f"{self[name].auto_id}_error"]
            if field.help_text:
                described.append(f"{self[name].auto_id}_helptext")
            field.widget.attrs["aria-invalid"] = "true"
            field.widget.attrs["aria-describedby"] = " ".join(described)
