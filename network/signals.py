"""What tells the public pages that the directory changed (see `core.public_cache`).

Every save or delete of a site, its themes, an organisation, a partnership or a theme bumps the
version of the public pages (at once and after the commit), which also drops what each process
remembers of the directory (`core.public_cache.Memo`), and a theme's change also drops the cached
taxonomy, so the very next request shows it. Writes that skip the signals (the loaders'
`bulk_create`) bump the version themselves.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from core import public_cache


def directory_changed(sender: Any, **kwargs: Any) -> None:
    public_cache.bump()


def taxonomy_changed(sender: Any, **kwargs: Any) -> None:
    from network.themes import themes_forget

    themes_forget()
    public_cache.bump()


def connect() -> None:
    from network.models import Organisation, Partnership, Site, Theme

    for model in (Site, Organisation, Partnership):
        post_save.connect(directory_changed, sender=model, dispatch_uid=f"public:{model.__name__}")
        post_delete.connect(
            directory_changed, sender=model, dispatch_uid=f"public-delete:{model.__name__}"
        )
    m2m_changed.connect(directory_changed, sender=Site.themes.through, dispatch_uid="public:themes")
    post_save.connect(taxonomy_changed, sender=Theme, dispatch_uid="public:Theme")
    post_delete.connect(taxonomy_changed, sender=Theme, dispatch_uid="public-delete:Theme")
