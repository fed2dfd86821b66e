"""The shared core every domain uses: paths and council settings (:mod:`.config`), errors that
name file, row and column (:mod:`.errors`), financial years and quarters (:mod:`.periods`,
:mod:`.schedule`), input provenance (:mod:`.provenance`), and the house look for charts, tables
and sentences (:mod:`.charts`, :mod:`.display`, :mod:`.tables`), with the notebooks' common first
step (:mod:`.notebook`).
"""
