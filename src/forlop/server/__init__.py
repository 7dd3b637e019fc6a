"""The collaborative's web application (``forlop serve``): teams log in, enter their monthly values or log events
as they happen, upload filled templates, log PDSA cycles and see their run charts from ``forlop.qi`` at once;
coordinators see every team; administrators manage users and teams (Django's admin site) and the collaborative's
indicator set (``/indicators/``: per track, which catalogue indicators are used and in what order; entry, charts,
exports and ``qi dashboard --db`` follow it, and a disabled indicator's values are kept). Django (authentication,
sessions, CSRF, password hashing, migrations), django-axes (lock-out), gunicorn (the HTTP server: worker
processes). Nothing here is imported at the command line's start: Django is set up by ``configure``
when a ``serve`` command runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def dataset_from_db(db_url: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(data, teams) of the database at ``db_url`` in the columns of ``qi import``'s output, with PDSA cycles
    as notes; for ``forlop qi dashboard --db``."""
    from forlop.server.settings import configure

    configure(db_url)
    from forlop.server.services import dataset

    return dataset()


__all__ = ["dataset_from_db"]
