"""Packs for many councils in one run, on Dask, with a national index.

:mod:`.councils` chooses the councils (by class, by name, or all in the published data) and
generates a council folder for each that has none; :mod:`.run` hands them to Dask workers,
each of which builds packs on its kernel pool (:mod:`.worker`); :mod:`.national` writes the
national index page and tables; :mod:`.command` is ``python -m analysis batch``.
"""
