"""Council finance analysis: MTFP scenarios, savings delivery and value-for-money benchmarking.

The numbers are computed here; the notebooks in ``notebooks/`` load, call, show and explain.
"""

__version__ = "0.1.0"
