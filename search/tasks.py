"""Background indexing through the task framework (django-tasks; ImmediateBackend in tests)."""

from django_tasks import task

from .indexing import reindex_code


@task()
def reindex_theme(code: str) -> int:
    """Reindex every document of a theme code; returns how many documents it now has."""
    return reindex_code(code)
