"""Forms of the staff course pages. They read what was typed; the services decide and refuse."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from learning import digcomp
from learning.models import Course
from network.themes import themes_cached

BRUSSELS = ZoneInfo("Europe/Brussels")


class CourseForm(forms.ModelForm):
    competences = forms.MultipleChoiceField(
        label=_("What it teaches (DigComp)"),
        required=False,
        choices=digcomp.competence_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The European framework of digital skills (DigComp 2.2)."),
    )
    themes = forms.MultipleChoiceField(
        label=_("Questions it helps with"),
        required=False,
        choices=lambda: [(t.code, t.name) for t in themes_cached()],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Course
        fields = (
            "title",
            "summary",
            "level",
            "language",
            "format",
            "what_to_bring",
            "cost_euros",
            "is_published",
        )
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "cost_euros": forms.NumberInput(attrs={"min": 0, "step": "0.01"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["competences"] = self.instance.competence_codes
            self.initial["themes"] = [t.code for t in self.instance.themes.all()]

    def service_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["competences"] = self.cleaned_data.get("competences", [])
        return data

    def _post_clean(self) -> None:
        pass  # the service validates the course


class SessionForm(forms.Form):
    """A run of a course: its first meeting, how many weekly meetings, the places."""

    online = forms.BooleanField(label=_("Online, not at the Digipunt"), required=False)
    first_day = forms.DateField(
        label=_("Date of the first meeting"), widget=forms.DateInput(attrs={"type": "date"})
    )
    starts = forms.TimeField(label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(label=_("Ends at"), widget=forms.TimeInput(attrs={"type": "time"}))
    meetings = forms.IntegerField(
        label=_("Number of meetings"),
        min_value=1,
        max_value=20,
        initial=1,
        help_text=_("More than one: a series, once a week at the same time, joined as a whole."),
    )
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=200, initial=10)
    closes_days_before = forms.IntegerField(
        label=_("Registration closes this many days before"),
        min_value=0,
        max_value=60,
        initial=0,
        help_text=_("0: people can register until it starts."),
    )
    trainer_name = forms.CharField(label=_("Trainer"), max_length=120, required=False)
    online_note = forms.CharField(
        label=_("How to join online"),
        max_length=300,
        required=False,
        help_text=_("Sent to participants only, for example the link of the video call."),
    )

    def meeting_times(self) -> list[tuple[datetime, datetime]]:
        data = self.cleaned_data
        result = []
        for week in range(data["meetings"]):
            day = data["first_day"] + timedelta(weeks=week)
            result.append(
                (
                    datetime.combine(day, data["starts"], tzinfo=BRUSSELS),
                    datetime.combine(day, data["ends"], tzinfo=BRUSSELS),
                )
            )
        return result

    def closes_at(self) -> datetime:
        data = self.cleaned_data
        if not data["closes_days_before"]:
            return datetime.combine(data["first_day"], data["starts"], tzinfo=BRUSSELS)
        # The end of the day that many days before the first meeting.
        day = data["first_day"] - timedelta(days=data["closes_days_before"])
        return datetime.combine(day, time(23, 59), tzinfo=BRUSSELS)


class AttendanceForm(forms.Form):
    """Who came: a box per participant with a place, ticked for present."""

    present = forms.TypedMultipleChoiceField(
        label=_("Present"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, participants: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(p.pk, p.name or p.reference) for p in participants]


class WalkInForm(forms.Form):
    name = forms.CharField(label=_("First name of who came without registering"), max_length=120)


class CancelSessionForm(forms.Form):
    note = forms.CharField(
        label=_("Why (sent to everyone, optional)"),
        max_length=200,
        required=False,
        help_text=_("For example: the trainer is ill. A new date follows."),
    )


class HelpCardForm(forms.Form):
    """One version of a help card in one language (the first, or a new one)."""

    language = forms.ChoiceField(label=_("Language of this text"), choices=settings.LANGUAGES)
    title = forms.CharField(label=_("Title"), max_length=120)
    summary = forms.CharField(label=_("In one sentence: what it helps with"), max_length=300)
    steps = forms.CharField(
        label=_("Steps, one per line"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=4000,
        help_text=_("Short sentences, one action each: “Open the itsme app.”"),
    )
    checked_on = forms.DateField(
        label=_("Last checked on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The day you tried the steps yourself."),
    )


class NewHelpCardForm(HelpCardForm):
    theme = forms.ChoiceField(
        label=_("Theme"),
        required=False,
        choices=lambda: [("", _("No theme")), *((t.code, t.name) for t in themes_cached())],
    )


class SendCardForm(forms.Form):
    """Send a help card's link to a resident: nothing of the address is kept."""

    card = forms.ChoiceField(label=_("Help card"), choices=())
    phone = forms.CharField(
        label=_("Mobile phone number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    email = forms.CharField(
        label=_("Email address"),
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"type": "email", "autocomplete": "off"}),
    )
    language = forms.ChoiceField(label=_("In"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, cards: list[tuple[Any, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["card"].choices = [("", _("Choose…"))] + [
            (card.slug, version.title) for card, version in cards
        ]
