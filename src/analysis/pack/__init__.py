"""The pack machinery: check the inputs (:mod:`.validate`), run the notebooks with papermill
(:mod:`.build`), render reader HTML (:mod:`.render`) with the cover (:mod:`.cover`), record how it
was built (the manifest) and publish it atomically; :mod:`.browser` adds the PDF and screenshots.

The pack runs notebooks; it never imports a domain's internals (it names the domains' modules
only to check their inputs through their public ``validate_inputs``).
"""

import sys

# jsonschema, which nbformat imports, builds a grammar for the optional "iri" format checker at
# import when the rfc3987-syntax package is installed (JupyterLab's dependencies bring it in):
# about two seconds on every run. Notebook validation uses no IRI formats, so the pack tells
# jsonschema that package is absent (an import of it then raises ImportError, which jsonschema
# expects). It changes nothing where jsonschema was imported already.
if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)
