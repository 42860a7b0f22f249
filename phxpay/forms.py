"""Form plumbing shared by every app: USWDS classes and the ARIA wiring that links errors to fields."""

from django import forms

from phxpay.help import HELP_FOR_ERROR


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

    @property
    def has_required_fields(self) -> bool:
        """Whether any label shows the required asterisk (templates/includes/field.html): only then
        does the form need the note that explains it."""
        return any(
            field.field.required
            and getattr(field.field.widget, "input_type", None) not in ("checkbox", "radio")
            for field in self.visible_fields()
        )

    @property
    def error_entries(self) -> list[dict]:
        """Every error for the summary, in field order: the field it belongs to (None for the form
        as a whole), the message, and its Help entry's anchor when it has one."""
        entries = []
        for name, errors in self.errors.as_data().items():
            field = self[name] if name in self.fields else None
            for error in errors:
                for message in error.messages:
                    anchor = HELP_FOR_ERROR.get(error.code or "")
                    entries.append({"field": field, "message": message, "help": anchor})
        # Errors of the whole form first, as the page reads top to bottom.
        return sorted(entries, key=lambda entry: entry["field"] is not None)

    @property
    def errors_have_help(self) -> bool:
        """Then each error links its own Help entry, and the summary needs no general link."""
        return any(entry["help"] for entry in self.error_entries)

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
