"""The search documents: one row per live theme page per site, pre-analysed for both engines.

A theme appears on every site that offers it (the city page and its county aliases), so a
document is (site, page). Text columns hold search.text.index_text output (space-separated
tokens, padded with a space at each end) so that both the SQL LIKE matching of the database
engine and OpenSearch's whitespace analyzer see exactly the same words.
"""

from __future__ import annotations

from django.db import models
from wagtail.models import Page, Site


class ThemeDocument(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    site_code = models.CharField(max_length=32, db_index=True)
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=32, db_index=True)
    # The page's language: the Chinese page and its English translation are separate documents, filtered by the
    # visitor's language (search.backends.SearchQuery.language).
    locale = models.CharField(max_length=16, default="zh-hans", db_index=True)
    # The original page (not an alias): 全市通办 de-duplicates to it when the visitor's site lacks the theme.
    canonical = models.BooleanField(default=False)
    url = models.CharField(max_length=500)
    title = models.CharField(max_length=255)
    summary = models.TextField()
    popularity = models.PositiveIntegerField(default=0)
    # Pre-segmented text (" tok tok ... "), see search.text.index_text.
    title_text = models.TextField()
    summary_text = models.TextField()
    items_text = models.TextField()
    materials_text = models.TextField()
    questions_text = models.TextField()
    pinyin = models.TextField(help_text="Title pinyin keys, space-separated and padded.")
    # Single-valued facets as columns; multi-valued ones (audience, department) in ThemeDocumentFacet.
    category = models.CharField(max_length=32)
    online = models.CharField(max_length=16)
    visits_after = models.PositiveSmallIntegerField()
    audience = models.JSONField(default=list)
    departments = models.JSONField(default=list)

    class Meta:
        verbose_name = "搜索文档"
        verbose_name_plural = "搜索文档"
        constraints = [models.UniqueConstraint(fields=["site", "page"], name="unique_document_per_site_page")]
        indexes = [models.Index(fields=["site", "code"])]

    def __str__(self):
        return f"{self.site_code}:{self.code}"


class ThemeDocumentFacet(models.Model):
    """One (facet, value) of a document, so every facet is counted by the same GROUP BY."""

    document = models.ForeignKey(ThemeDocument, on_delete=models.CASCADE, related_name="facets")
    facet = models.CharField(max_length=16)
    value = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["facet", "value"])]

    def __str__(self):
        return f"{self.facet}={self.value}"
