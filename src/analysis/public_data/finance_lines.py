"""Lines of the RS found by what they say, not by their number, for measures whose line number
the publication has not kept or may change.

- ``dsg_adjustment_account_31mar`` (and ``_1apr``): the dedicated schools grant (DSG) adjustment
  account, the schools high-needs deficit held outside usable reserves under the statutory
  override; RS line 912 "Estimated dedicated schools grant adjustment account level at 31 March"
  in 2023-24 (the RS prints a deficit as a negative balance). Found by the line's description
  ("schools grant adjustment account" and "level at 31 March" / "1 April"); a year without the
  line (before 2020-21) has no such measure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DSG_ACCOUNT = "dsg_adjustment_account"


def dsg_account(rs: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``rs`` (one RS year as read) giving the DSG adjustment account balance, as
    measures ``dsg_adjustment_account_31mar`` / ``_1apr`` (empty when the year has no such line)."""
    text = rs["description"].fillna("").astype(str).str.lower()
    balance = text.str.contains("schools grant adjustment account") & text.str.contains("level")
    when = np.select(
        [text.str.contains("31 march"), text.str.contains("1 april")], ["31mar", "1apr"], ""
    )
    keep = balance & (when != "")
    out = rs[keep].copy()
    out["measure"] = DSG_ACCOUNT + "_" + pd.Series(when, index=rs.index)[keep]
    return out
