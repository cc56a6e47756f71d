#!/usr/bin/env python3
"""synthea_expected.py: the expected person table of the Synthea fixture
(tests/data/synthea/), computed independently of the C importer with the
standard library only (csv, datetime, hmac, hashlib), for tests/cohort/test_synthea.c.

The rules are those of docs/import.md, written again here from the text:
  reference date R (a day); age_y = (R - BIRTHDATE).days / 365.25;
  DEATHDATE < R: deceased (left out, or kept and flagged); BIRTHDATE > R: left out;
  covariate = the latest observation of its LOINC code whose UTC date is <= R
  (equal times: the later row), converted to the canonical unit;
  condition active when START <= R and (STOP empty or STOP > R), SYSTEM snomed;
  person id = hex(HMAC-SHA-256(salt, Id)).

Usage: python3 validation/synthea_expected.py [FIXTURE_DIR [OUT_DIR]]
writes OUT_DIR/expected.csv, expected_keep_deceased.csv and expected_report.csv
(OUT_DIR defaults to FIXTURE_DIR; the ctest cohort_synthea_expected_fresh writes
them to the build tree and compares them with the committed ones).
"""
import csv
import datetime
import hashlib
import hmac
import os
import sys

SALT = "twinscale-test-salt-0123456789"  # the salt the C test uses
REF = datetime.date(2022, 1, 1)

# name, LOINC code, {unit: (scale, offset)} with value_canonical = value * scale + offset
COVS = [
    ("weight_kg", "29463-7", {"kg": (1.0, 0.0), "[lb_av]": (0.45359237, 0.0), "g": (1e-3, 0.0)}),
    ("height_cm", "8302-2", {"cm": (1.0, 0.0), "[in_i]": (2.54, 0.0), "m": (100.0, 0.0)}),
    ("bmi", "39156-5", {"kg/m2": (1.0, 0.0)}),
    ("hba1c_percent", "4548-4", {"%": (1.0, 0.0), "mmol/mol": (0.09148, 2.152)}),
    ("glucose_mg_dl", "2339-0", {"mg/dL": (1.0, 0.0), "mmol/L": (18.0156, 0.0)}),
    ("egfr", "33914-3", {"mL/min/{1.73_m2}": (1.0, 0.0), "mL/min/1.73m2": (1.0, 0.0)}),
]
CONDS = [("type1_diabetes", "46635009"), ("type2_diabetes", "44054006"), ("hypertension", "59621000")]


def day(text):
    return datetime.date.fromisoformat(text[:10])


def when(text):
    if "T" not in text:
        return datetime.datetime.fromisoformat(text + "T00:00:00")
    return datetime.datetime.fromisoformat(text.rstrip("Z"))


def rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def table(fixture, keep_deceased):
    persons, report = {}, {"source_persons": 0, "deceased_excluded": 0, "unborn_excluded": 0}
    for r in rows(os.path.join(fixture, "patients.csv")):
        report["source_persons"] += 1
        dead = r["DEATHDATE"] != "" and day(r["DEATHDATE"]) < REF
        if day(r["BIRTHDATE"]) > REF:
            report["unborn_excluded"] += 1
            continue
        if dead and not keep_deceased:
            report["deceased_excluded"] += 1
            continue
        persons[r["Id"]] = {
            "person_id": hmac.new(SALT.encode(), r["Id"].encode(), hashlib.sha256).hexdigest(),
            "age_y": (REF - day(r["BIRTHDATE"])).days / 365.25,
            "sex": 1 if r["GENDER"] == "M" else 0,
            "deceased": int(dead),
            "cov": {}, "cond": {name: 0 for name, _ in CONDS},
        }
    for r in rows(os.path.join(fixture, "observations.csv")):
        for name, code, units in COVS:
            p = persons.get(r["PATIENT"])
            if r["CODE"] != code or p is None or day(r["DATE"]) > REF:
                continue
            scale, offset = units[r["UNITS"]]
            t = when(r["DATE"])
            if name not in p["cov"] or t >= p["cov"][name][0]:
                p["cov"][name] = (t, float(r["VALUE"]) * scale + offset)
    for r in rows(os.path.join(fixture, "conditions.csv")):
        p = persons.get(r["PATIENT"])
        for name, code in CONDS:
            if p is None or r["CODE"] != code or r["SYSTEM"] != "http://snomed.info/sct":
                continue
            if day(r["START"]) <= REF and (r["STOP"] == "" or day(r["STOP"]) > REF):
                p["cond"][name] = 1
    return list(persons.values()), report


def write(path, persons):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["person_id", "age_y", "sex", "deceased"] + [c[0] for c in COVS] + [c[0] for c in CONDS])
        for p in persons:
            covs = [repr(p["cov"][c[0]][1]) if c[0] in p["cov"] else "" for c in COVS]
            w.writerow([p["person_id"], repr(p["age_y"]), p["sex"], p["deceased"]] + covs +
                       [p["cond"][c[0]] for c in CONDS])


def main():
    fixture = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "data",
                                                                 "synthea")
    out = sys.argv[2] if len(sys.argv) > 2 else fixture
    os.makedirs(out, exist_ok=True)
    persons, report = table(fixture, keep_deceased=False)
    write(os.path.join(out, "expected.csv"), persons)
    kept, _ = table(fixture, keep_deceased=True)
    write(os.path.join(out, "expected_keep_deceased.csv"), kept)
    for name, _, _ in COVS:
        report["missing_" + name] = sum(name not in p["cov"] for p in persons)
    with open(os.path.join(out, "expected_report.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["key", "value"])
        for k, v in report.items():
            w.writerow([k, v])


if __name__ == "__main__":
    main()
