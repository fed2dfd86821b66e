"""The pack machinery: check the inputs (:mod:`.validate`), run the notebooks with papermill
(:mod:`.build`), render reader HTML (:mod:`.render`) with the cover (:mod:`.cover`), record how it
was built (the manifest) and publish it atomically; :mod:`.browser` adds the PDF and screenshots.

The pack runs notebooks; it never imports a domain's internals (it names the domains' modules
only to check their inputs through their public ``validate_inputs``).
"""
