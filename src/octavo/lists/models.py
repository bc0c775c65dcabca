"""Reading lists and featured shelves that librarians curate (issue #6): a named, ordered list
of catalog records with a note to readers on each, for one site or the whole district."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from octavo.catalog.models import Record
from octavo.district.models import Site


class ReadingList(models.Model):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # None: a district-wide list, shown in every site's OPAC.
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_public = models.BooleanField(_("public"), default=False)
    # Shown on the OPAC's home page as a shelf; only a public list can be.
    featured = models.BooleanField(_("featured"), default=False)
    # Free text: "Grades 3-5", "Middle school", "Families".
    audience = models.CharField(_("audience"), max_length=100, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    created_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="reading_list_name_not_blank"),
            models.CheckConstraint(
                condition=Q(featured=False) | Q(is_public=True),
                name="reading_list_featured_is_public",
            ),
        ]
        indexes = [models.Index(fields=["is_public", "site"], name="reading_list_public_site")]

    def __str__(self) -> str:
        return self.name


class ListEntry(models.Model):
    reading_list = models.ForeignKey(ReadingList, on_delete=models.CASCADE, related_name="entries")
    # A record deleted from the catalog leaves the lists it was on.
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    # 0, 1, 2... within the list, kept without gaps by octavo.lists.services.
    position = models.IntegerField(_("position"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["reading_list", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reading_list", "record"], name="list_entry_record_once"
            ),
            models.CheckConstraint(
                condition=Q(position__gte=0), name="list_entry_position_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"list {self.reading_list_id} #{self.position}: record {self.record_id}"
