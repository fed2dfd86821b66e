"""Write the illustrative Dorset savings registers for 2021-22 Q1 and Q2.

    .venv/bin/python tools/make_illustrative_savings.py

ILLUSTRATIVE DATA: the titles, values, RAG ratings, owners and mitigations are invented. They are
shaped to the programme in the 2021 LGA peer challenge of Dorset Council (the seed paper:
"tactical and transformational savings of £27M"): the 2021-22 tactical and transformational
savings in the Q1 register add up to exactly £27.0m. Replace them with the council's register.

The output is deterministic (seeded values, fixed workbook and zip timestamps), so running this
again gives byte-identical files. The Q1 file is deliberately untidy in the ways real registers
are (a hidden sheet first, title rows above the header, differently worded headers, years as
2021/22, money as text such as '£1,234', '-' for zero, RAG as letters and words, a blank row, a
totals row) so the shipped data exercise the loader; the Q2 file is tidy.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "raw" / "dorset" / "savings"
SEED = 2021
TARGET_TT_GBP_K = 27_000  # tactical + transformational planned for 2021-22 (seed paper: £27M)
FIXED_TIME = datetime(2021, 10, 1, 9, 0, 0)

A, C, P, CD, CF = (
    "Adults and Housing",
    "Children's Services",
    "Place",
    "Corporate Development",
    "Central and Capital Financing",
)
CONV, TAC, TRANS = "Convergence", "Tactical", "Transformational"

# reference, title, directorate, service, type, owner, relative size, Q1 RAG, Q2 RAG
SAVINGS = [
    ("AH01", "Review of high-cost learning disability placements", A, "Adult Social Care", TRANS, "Head of Commissioning (Adults)", 9, "Green", "Amber"),
    ("AH02", "Expand reablement to reduce long-term home care", A, "Adult Social Care", TRANS, "Service Manager, Reablement", 8, "Green", "Green"),
    ("AH03", "Strengths-based practice: fewer new residential admissions", A, "Adult Social Care", TRANS, "Head of Operations (Adult Care)", 10, "Amber", "Red"),
    ("AH04", "Recover unspent direct payment balances", A, "Adult Social Care", TAC, "Finance Business Partner (Adults)", 3, "Blue", "Blue"),
    ("AH05", "Technology-enabled care roll-out", A, "Adult Social Care", TRANS, "Digital Care Programme Lead", 6, "Amber", "Amber"),
    ("AH06", "Recommission supported living contracts", A, "Adult Social Care", TAC, "Head of Commissioning (Adults)", 5, "Green", "Green"),
    ("AH07", "Continuing healthcare joint funding reviews with the NHS", A, "Adult Social Care", TAC, "Head of Operations (Adult Care)", 6, "Amber", "Red"),
    ("AH08", "Buy temporary accommodation to reduce bed and breakfast use", A, "Housing", TRANS, "Head of Housing", 4, "Green", "Green"),
    ("AH09", "Redesign day opportunities", A, "Adult Social Care", TRANS, "Service Manager, Day Opportunities", 4, "Red", "Red"),
    ("AH10", "Review of the fairer charging policy", A, "Adult Social Care", TAC, "Financial Assessment Manager", 3, "Green", "Blue"),
    ("AH11", "Renegotiate care home block contracts", A, "Adult Social Care", TAC, "Commissioning Manager (Adults)", 4, "Green", "Green"),
    ("AH12", "Converge housing-related support contracts", A, "Housing", CONV, "Head of Housing", 2, "Blue", "Blue"),
    ("CS01", "Step down from residential placements to foster care", C, "Children in Care", TRANS, "Head of Children in Care", 8, "Amber", "Amber"),
    ("CS02", "Recruit more in-house foster carers", C, "Children in Care", TRANS, "Fostering Service Manager", 5, "Green", "Amber"),
    ("CS03", "Optimise home to school transport routes", C, "Education", TAC, "Transport Commissioning Manager", 5, "Green", "Green"),
    ("CS04", "Early help redesign to reduce entries into care", C, "Early Help", TRANS, "Head of Early Help", 6, "Green", "Green"),
    ("CS05", "Reduce agency social workers", C, "Children's Social Care", TAC, "Head of Workforce Development (Children's)", 4, "Amber", "Red"),
    ("CS06", "Recommission short breaks", C, "Children's Social Care", TAC, "Commissioning Manager (Children's)", 2, "Green", "Green"),
    ("CS07", "Locality working under the children's services blueprint", C, "Children's Social Care", TRANS, "Head of Locality Services (Children's)", 5, "Green", "Green"),
    ("CS08", "Review the traded education support offer", C, "Education", TAC, "Head of Education Services", 2, "Green", "Green"),
    ("CS09", "Family group conferencing", C, "Children's Social Care", TRANS, "Service Manager, Family Support", 2, "Green", "Amber"),
    ("CS10", "Rationalise children's centre buildings", C, "Early Help", TAC, "Head of Early Help", 2, "Amber", "Green"),
    ("PL01", "Optimise waste collection rounds", P, "Waste", TAC, "Head of Waste Strategy", 5, "Green", "Green"),
    ("PL02", "Harmonise car parking charges", P, "Parking", TAC, "Parking Services Manager", 6, "Amber", "Amber"),
    ("PL03", "Convert street lighting to LED", P, "Highways", TRANS, "Highways Asset Manager", 4, "Green", "Blue"),
    ("PL04", "Planning fees and pre-application charging", P, "Planning", TAC, "Head of Planning", 3, "Green", "Green"),
    ("PL05", "Redesign the library service", P, "Libraries", TRANS, "Service Manager, Libraries", 4, "Amber", "Amber"),
    ("PL06", "Rationalise the vehicle fleet", P, "Fleet", TAC, "Fleet Services Manager", 3, "Green", "Green"),
    ("PL07", "Grow commercial waste income", P, "Waste", TAC, "Head of Waste Strategy", 3, "Green", "Amber"),
    ("PL08", "Countryside and greenspace income", P, "Environment", TAC, "Head of Environment", 2, "Green", "Green"),
    ("PL09", "Converge the building control teams", P, "Building Control", CONV, "Head of Building Control", 2, "Blue", "Blue"),
    ("PL10", "Harbours and coast income review", P, "Coast", TAC, "Harbours Manager", 2, "Green", "Green"),
    ("PL11", "Change household recycling centre opening hours", P, "Waste", TAC, "Waste Operations Manager", 2, "Red", "Red"),
    ("PL12", "Renegotiate the leisure management contract", P, "Leisure", TAC, "Head of Leisure", 3, "Green", "Green"),
    ("CD01", "Channel shift of customer contact to digital", CD, "Customer Services", TRANS, "Head of Customer Services", 4, "Green", "Green"),
    ("CD02", "Rationalise office accommodation", CD, "Assets and Property", TRANS, "Head of Assets and Property", 6, "Green", "Amber"),
    ("CD03", "Consolidate ICT contracts", CD, "ICT", CONV, "Head of ICT Operations", 2, "Green", "Green"),
    ("CD04", "Procurement savings on corporate contracts", CD, "Commercial and Procurement", TAC, "Head of Commercial and Procurement", 4, "Green", "Green"),
    ("CD05", "Converge HR and payroll systems", CD, "Human Resources", CONV, "Head of HR", 2, "Amber", "Amber"),
    ("CD06", "Redesign the revenues and benefits service", CD, "Revenues and Benefits", TRANS, "Head of Revenues and Benefits", 3, "Green", "Green"),
    ("CD07", "Reduce external legal spend", CD, "Legal", TAC, "Head of Legal Services", 2, "Green", "Green"),
    ("CD08", "Vacancy management across corporate services", CD, "Corporate Services", TAC, "Head of Business Support", 3, "Blue", "Blue"),
    ("CD09", "Reduce printing and postage", CD, "Business Support", TAC, "Head of Business Support", 1, "Green", None),
    ("CD10", "Converge the finance system", CD, "Finance", CONV, "Head of Finance Operations", 2, "Green", "Green"),
    ("CF01", "Reduce external borrowing costs", CF, "Treasury Management", TAC, "Treasury and Investment Manager", 4, "Green", "Blue"),
    ("CF02", "Review the minimum revenue provision policy", CF, "Capital Financing", TAC, "Head of Strategic Finance", 3, "Blue", "Blue"),
    ("CF03", "Prepay pension fund secondary contributions", CF, "Corporate Costs", TAC, "Head of Strategic Finance", 2, "Blue", "Blue"),
    ("CF04", "Review the insurance fund", CF, "Corporate Costs", TAC, "Insurance Manager", 1, "Green", "Green"),
]  # fmt: skip
CONVERGENCE_GBP_K = {"AH12": 300, "PL09": 250, "CD03": 350, "CD05": 200, "CD10": 250}

# Savings phased over two years from the start (in both registers: not slippage).
PHASED_2022 = {"AH01": 600, "CS04": 450, "CD02": 500}
# Q2: planned value moved from 2021-22 to 2022-23 (fraction moved), the same reference.
SLIPPED = {"AH05": 0.6, "CD02": 0.5, "PL05": 1.0}
# Q2: new savings.
NEW_IN_Q2 = [
    ("AH13", "Recommission the community equipment service", A, "Adult Social Care", TAC, "Commissioning Manager (Adults)", 350, "Green"),
    ("PL13", "Income from electric vehicle charge points", P, "Parking", TAC, "Parking Services Manager", 120, "Amber"),
]  # fmt: skip
REMOVED_IN_Q2 = {"CD09": "Withdrawn: absorbed into the channel shift saving (CD01)"}
OVER_DELIVERED = {"CF01": ("Borrowing rates were lower than budgeted: over-delivery of ", 1.15)}

MITIGATIONS = {
    "Amber": [
        "Weekly review of the pipeline with the service; additional commissioning capacity agreed",
        "Delivery plan re-profiled; invest-to-save bid to the Transformation Board",
        "Alternative in-year savings identified in the service to cover any shortfall",
        "Independent review of the business case commissioned; decision due next quarter",
        "Recruitment campaign under way; interim cover in place",
    ],
    "Red": [
        "Not deliverable this year; replacement proposals to come to the Transformation Board",
        "Market conditions have changed; shortfall to be met from the directorate's contingency",
        "Consultation delayed the start; the saving is being re-planned for next year",
    ],
}


def _values(rng: random.Random) -> dict[str, float]:
    """Planned 2021-22 value (£k) of each saving, tactical + transformational scaled to £27.0m."""
    raw = {ref: size * rng.uniform(0.8, 1.2) for ref, *_rest, size, _q1, _q2 in SAVINGS}
    tt = [s[0] for s in SAVINGS if s[4] != CONV]
    scale = TARGET_TT_GBP_K / sum(raw[r] for r in tt)
    values = {r: float(round(raw[r] * scale / 5) * 5) for r in tt}
    values[tt[0]] += TARGET_TT_GBP_K - sum(values.values())  # exact total after rounding
    values.update({r: float(v) for r, v in CONVERGENCE_GBP_K.items()})
    return values


def _progress(rng: random.Random, rag: str, planned: float, quarter: int) -> tuple[float, float]:
    """(delivered to date, forecast for the year), whole £k."""
    share = {
        "Blue": (1.0, 1.0),
        "Green": (0.15, 0.3) if quarter == 1 else (0.4, 0.55),
        "Amber": (0.05, 0.15) if quarter == 1 else (0.2, 0.3),
        "Red": (0.0, 0.03) if quarter == 1 else (0.0, 0.08),
    }[rag]
    delivered = round(planned * rng.uniform(*share))
    forecast = {
        "Blue": planned,
        "Green": planned,
        "Amber": round(planned * rng.uniform(0.6, 0.85)),
        "Red": round(planned * rng.uniform(0.0, 0.3)),
    }[rag]
    return float(delivered), float(max(forecast, delivered))


def build(quarter: int) -> list[dict]:
    """The register rows for quarter 1 or 2 of 2021-22."""
    rng = random.Random(SEED * 10 + quarter)
    values = _values(random.Random(SEED))
    mitigation_rng = random.Random(SEED + 7)
    rows = []
    for ref, title, directorate, service, kind, owner, _size, q1, q2 in SAVINGS:
        rag = q1 if quarter == 1 else q2
        if rag is None:
            continue
        planned = values[ref]
        later = PHASED_2022.get(ref, 0.0)
        note = ""
        if quarter == 2 and ref in SLIPPED:
            moved = float(round(planned * SLIPPED[ref]))
            planned -= moved
            later += moved
            note = f"£{moved:,.0f}k re-profiled to 2022-23"
        mitigation = mitigation_rng.choice(MITIGATIONS[rag]) if rag in MITIGATIONS else ""
        base = {
            "reference": ref, "title": title, "directorate": directorate, "service": service,
            "type": kind, "owner": owner, "mitigation": mitigation,
        }  # fmt: skip
        if planned > 0:
            delivered, forecast = _progress(rng, rag, planned, quarter)
            if quarter == 2 and ref in OVER_DELIVERED:
                text, factor = OVER_DELIVERED[ref]
                forecast = float(round(planned * factor))
                delivered = forecast
                note = f"{text}£{forecast - planned:,.0f}k"
            rows.append(
                {**base, "year": 2021, "planned": planned, "delivered": delivered,
                 "forecast": forecast, "rag": rag, "note": note}
            )  # fmt: skip
        if later:
            rows.append(
                {**base, "year": 2022, "planned": later, "delivered": 0.0, "forecast": later,
                 "rag": "Green", "mitigation": "", "note": ""}
            )  # fmt: skip
    if quarter == 2:
        for ref, title, directorate, service, kind, owner, planned, rag in NEW_IN_Q2:
            delivered, forecast = _progress(rng, rag, float(planned), quarter)
            rows.append(
                {"reference": ref, "title": title, "directorate": directorate, "service": service,
                 "type": kind, "owner": owner, "year": 2021, "planned": float(planned),
                 "delivered": delivered, "forecast": forecast, "rag": rag,
                 "mitigation": mitigation_rng.choice(MITIGATIONS[rag]) if rag in MITIGATIONS else "",
                 "note": "Added at Q2"}
            )  # fmt: skip
    return rows


def _fixed_zip(data: bytes) -> bytes:
    """Re-pack an .xlsx with fixed entry timestamps so the bytes are reproducible."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>",
                    content,
                )
            target.writestr(fixed, content)
    return out.getvalue()


def _save(workbook: Workbook, path: Path) -> None:
    workbook.properties.creator = "tools/make_illustrative_savings.py"
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(_fixed_zip(buffer.getvalue()))


Q1_RAG_SPELLING = {
    "Blue": ["achieved", "B", "Blue", "complete"],
    "Green": ["G", "Green", "green"],
    "Amber": ["A", "Amber"],
    "Red": ["R", "red"],
}


def write_q1(rows: list[dict], path: Path) -> None:
    """Untidy, as registers kept by hand are."""
    spell = random.Random(SEED + 1)
    wb = Workbook()
    lookups = wb.active
    lookups.title = "Lookups"
    lookups.append(["Directorates", "Types", "RAG"])
    for d, t, r in zip(
        [A, C, P, CD, CF],
        [CONV, TAC, TRANS, "", ""],
        ["Blue", "Green", "Amber", "Red", ""],
        strict=True,
    ):
        lookups.append([d, t, r])
    lookups.sheet_state = "hidden"

    ws = wb.create_sheet("Savings Tracker")
    ws.append(["Dorset Council: Savings Tracker 2021/22"])
    ws.append(
        [
            "Quarter 1 (April to June 2021). ILLUSTRATIVE DATA, not the council's register. £ thousand."
        ]
    )
    ws.append([])
    headers = [
        "Ref", "Saving Title", "Directorate", "Service Area", "Savings Type", "Financial Year",
        "Planned Saving (£k)", "Delivered to date (£k)", "Forecast for year (£k)", "RAG Status",
        "Lead Officer", "Mitigating actions", "Notes",
    ]  # fmt: skip
    ws.append(headers)
    for cell in ws[4]:
        cell.font = Font(bold=True)
    ws["A1"].font = Font(bold=True, size=14)
    previous = None
    for i, row in enumerate(rows):
        if previous is not None and row["directorate"] != previous:
            ws.append([])  # a blank row between directorates
        previous = row["directorate"]
        planned = row["planned"] if i % 5 else f"£{row['planned']:,.0f}"
        delivered = (
            "-"
            if row["delivered"] == 0
            else (f"{row['delivered']:,.0f}" if i % 7 == 3 else row["delivered"])
        )
        directorate = (
            row["directorate"].upper()
            if i % 11 == 5
            else row["directorate"] + (" " if i % 6 == 2 else "")
        )
        ws.append(
            [row["reference"], row["title"], directorate, row["service"], row["type"].lower() if i % 4 == 1 else row["type"],
             f"{row['year']}/{(row['year'] + 1) % 100:02d}", planned, delivered, row["forecast"],
             spell.choice(Q1_RAG_SPELLING[row["rag"]]), row["owner"], row["mitigation"], row["note"]]
        )  # fmt: skip
    ws.append([])
    ws.append(
        [None, "Total", None, None, None, None, sum(r["planned"] for r in rows),
         sum(r["delivered"] for r in rows), sum(r["forecast"] for r in rows)]
    )  # fmt: skip
    ws.cell(ws.max_row, 2).font = Font(bold=True)
    wb.active = 1
    _save(wb, path)


def write_q2(rows: list[dict], path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Savings"
    ws.append(
        ["Reference", "Title", "Directorate", "Service", "Type", "Financial year", "Planned (£k)",
         "Delivered to date (£k)", "Forecast (£k)", "RAG", "Owner", "Mitigation", "Note"]
    )  # fmt: skip
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in sorted(rows, key=lambda r: (r["reference"], r["year"])):
        ws.append(
            [row["reference"], row["title"], row["directorate"], row["service"], row["type"],
             f"{row['year']}-{(row['year'] + 1) % 100:02d}", row["planned"], row["delivered"],
             row["forecast"], row["rag"], row["owner"], row["mitigation"], row["note"]]
        )  # fmt: skip
    _save(wb, path)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    q1, q2 = build(1), build(2)
    write_q1(q1, OUT / "2021-22-Q1.xlsx")
    write_q2(q2, OUT / "2021-22-Q2.xlsx")
    for label, rows in (("Q1", q1), ("Q2", q2)):
        this_year = [r for r in rows if r["year"] == 2021]
        tt = sum(r["planned"] for r in this_year if r["type"] != CONV)
        total = sum(r["planned"] for r in this_year)
        print(
            f"2021-22 {label}: {len(this_year)} savings, £{total / 1000:.1f}m planned "
            f"(tactical + transformational £{tt / 1000:.2f}m)"
        )


if __name__ == "__main__":
    main()
