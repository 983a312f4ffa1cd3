"""Generate the fictional demo data set ``src/trialfinder/data/demo_studies.json.gz``.

Every record has the exact shape of a ClinicalTrials.gov API v2 study object, and the file is
a bare JSON array, like the website's "Download JSON". Nothing in it is real: ids run from
NCT99000001 upwards, sponsors, facilities and people are invented, e-mail addresses use
example.org and phone numbers use the 555 range. Cities are real places with their approximate
coordinates so that distance filters have something sensible to work on.

The output is deterministic (``random.Random(2026)``); run it again after editing:

    .venv/bin/python tools/make_demo_data.py
"""

from __future__ import annotations

import gzip
import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "src" / "trialfinder" / "data" / "demo_studies.json.gz"
SEED = 2026
N_STUDIES = 60
FIRST_ID = 99_000_000
REF = date(2026, 11, 1)  # the day the fictional registry snapshot was taken
VERSION_HOLDER = "2026-11-01"
BIG_SITES = 1200

# --------------------------------------------------------------------------------------------
# places: (city, state, zip, country, lat, lon)
# --------------------------------------------------------------------------------------------

Place = tuple[str, str | None, str | None, str, float, float]

BOSTON_AREA: list[Place] = [
    ("Boston", "Massachusetts", "02114", "United States", 42.35843, -71.05977),
    ("Cambridge", "Massachusetts", "02139", "United States", 42.3751, -71.10561),
    ("Worcester", "Massachusetts", "01605", "United States", 42.26259, -71.80229),
    ("Lowell", "Massachusetts", "01852", "United States", 42.63342, -71.31617),
    ("Brockton", "Massachusetts", "02301", "United States", 42.08343, -71.01838),
    ("Framingham", "Massachusetts", "01702", "United States", 42.27926, -71.41617),
    ("Salem", "Massachusetts", "01970", "United States", 42.51954, -70.89672),
    ("Quincy", "Massachusetts", "02169", "United States", 42.25288, -71.00227),
    ("Providence", "Rhode Island", "02903", "United States", 41.82399, -71.41283),
    ("Nashua", "New Hampshire", "03060", "United States", 42.76537, -71.46757),
]

US_FAR: list[Place] = [
    ("Springfield", "Massachusetts", "01103", "United States", 42.10148, -72.58981),
    ("Hartford", "Connecticut", "06106", "United States", 41.76371, -72.68509),
    ("New York", "New York", "10016", "United States", 40.71427, -74.00597),
    ("Philadelphia", "Pennsylvania", "19104", "United States", 39.95233, -75.16379),
    ("Baltimore", "Maryland", "21287", "United States", 39.29038, -76.61219),
    ("Pittsburgh", "Pennsylvania", "15213", "United States", 40.44062, -79.99589),
    ("Cleveland", "Ohio", "44195", "United States", 41.4995, -81.69541),
    ("Ann Arbor", "Michigan", "48109", "United States", 42.27756, -83.74088),
    ("Chicago", "Illinois", "60611", "United States", 41.85003, -87.65005),
    ("Rochester", "Minnesota", "55905", "United States", 44.02163, -92.4699),
    ("Minneapolis", "Minnesota", "55455", "United States", 44.97997, -93.26384),
    ("St. Louis", "Missouri", "63110", "United States", 38.62727, -90.19789),
    ("Nashville", "Tennessee", "37232", "United States", 36.16589, -86.78444),
    ("Atlanta", "Georgia", "30322", "United States", 33.749, -84.38798),
    ("Miami", "Florida", "33136", "United States", 25.77427, -80.19366),
    ("Houston", "Texas", "77030", "United States", 29.76328, -95.36327),
    ("Denver", "Colorado", "80045", "United States", 39.73915, -104.9847),
    ("Salt Lake City", "Utah", "84132", "United States", 40.76078, -111.89105),
    ("Phoenix", "Arizona", "85013", "United States", 33.44838, -112.07404),
    ("Los Angeles", "California", "90095", "United States", 34.05223, -118.24368),
    ("San Francisco", "California", "94143", "United States", 37.77493, -122.41942),
    ("Portland", "Oregon", "97239", "United States", 45.52345, -122.67621),
    ("Seattle", "Washington", "98195", "United States", 47.60621, -122.33207),
]

ABROAD: list[Place] = [
    ("Toronto", "Ontario", "M5G 2C4", "Canada", 43.70011, -79.4163),
    ("Montreal", "Quebec", "H3A 2B4", "Canada", 45.50884, -73.58781),
    ("Vancouver", "British Columbia", "V5Z 1M9", "Canada", 49.24966, -123.11934),
    ("Calgary", "Alberta", "T2N 2T9", "Canada", 51.05011, -114.08529),
    ("Lyon", None, "69003", "France", 45.74846, 4.84671),
    ("Paris", None, "75013", "France", 48.85341, 2.3488),
    ("Marseille", None, "13005", "France", 43.29695, 5.38107),
    ("Berlin", None, "10117", "Germany", 52.52437, 13.41053),
    ("Munich", "Bavaria", "81377", "Germany", 48.13743, 11.57549),
    ("Hamburg", None, "20246", "Germany", 53.57532, 10.01534),
    ("London", None, "WC1N 3BG", "United Kingdom", 51.50853, -0.12574),
    ("Manchester", None, "M13 9WL", "United Kingdom", 53.48095, -2.23743),
    ("Edinburgh", None, "EH16 4SA", "United Kingdom", 55.95206, -3.19648),
    ("Sydney", "New South Wales", "2050", "Australia", -33.86785, 151.20732),
    ("Melbourne", "Victoria", "3050", "Australia", -37.814, 144.96332),
    ("Brisbane", "Queensland", "4029", "Australia", -27.46794, 153.02809),
]

FACILITY_PREFIX = [
    "Riverside", "Lakeview", "Harborside", "Maple Grove", "Cedar Hill", "Summit", "Northfield",
    "Bayshore", "Pinecrest", "Willow Creek", "Stonebridge", "Meadowbrook", "Silver Lake",
    "Oak Ridge", "Fairhaven", "Brookside", "Highland", "Clearwater", "Westbrook", "Elm Street",
]
FACILITY_KIND = {
    "United States": [
        "Neuromuscular Clinic", "Muscle Health Center", "Neurology Associates",
        "Sports Medicine Institute", "Rehabilitation Hospital", "Clinical Research Unit",
        "Spine and Pain Center", "Nutrition Research Center", "Medical Center",
        "Community Hospital",
    ],
    "Canada": ["Neuromuscular Clinic", "Health Sciences Centre", "Rehabilitation Centre"],
    "France": ["Centre Neuromusculaire", "Clinique de Recherche", "Centre de Rééducation"],
    "Germany": ["Muskelzentrum", "Klinik für Neurologie", "Studienzentrum"],
    "United Kingdom": ["Neuromuscular Unit", "Research Clinic", "Community Health Centre"],
    "Australia": ["Neuromuscular Clinic", "Research Institute", "Rehabilitation Centre"],
}
FIRST_NAMES = [
    "Dana", "Morgan", "Avery", "Jordan", "Riley", "Casey", "Quinn", "Harper", "Rowan", "Emerson",
    "Sasha", "Noel", "Kendall", "Parker", "Reese", "Elliot", "Marlowe", "Tatum", "Hollis", "Blair",
]
LAST_NAMES = [
    "Whitfield", "Ashgrove", "Penhallow", "Quarry", "Larkspur", "Fenwick", "Brambleton",
    "Holloway", "Marchbank", "Tillbrook", "Oakhurst", "Redfern", "Sutterby", "Cranleigh",
    "Dunmore", "Everley", "Galloway", "Hartwell", "Kingsley", "Wrenfield",
]
SPONSORS = [
    ("Riverside Neuromuscular Institute", "OTHER"),
    ("Northgate Pharmaceuticals", "INDUSTRY"),
    ("Harborview Muscle Research Group", "OTHER"),
    ("Cedar Hill University", "OTHER"),
    ("Bluefin Therapeutics", "INDUSTRY"),
    ("Lakeview Sports Science Foundation", "OTHER"),
    ("Consortium for Fictional Neuromuscular Trials", "NETWORK"),
    ("Meadowbrook Nutrition Labs", "INDUSTRY"),
    ("Summit Spine Collaborative", "OTHER"),
    ("Stonebridge Biologics", "INDUSTRY"),
]
DEGREES = ["MD", "PhD", "MD, PhD", "RN", "DPT", "MSc"]

# --------------------------------------------------------------------------------------------
# study concepts
# --------------------------------------------------------------------------------------------

Intervention = tuple[str, str, list[str], str]  # type, name, otherNames, description

BRANCHES = {
    "BC10": "Nervous System Diseases",
    "BC05": "Musculoskeletal Diseases",
    "BC18": "Nutritional and Metabolic Diseases",
    "BC20": "Immune System Diseases",
    "BC23": "Symptoms and General Pathology",
}


@dataclass
class Concept:
    topic: str
    title: str
    conditions: list[str]
    meshes: list[tuple[str, str]]
    interventions: list[Intervention]
    outcome: tuple[str, str, str]
    keywords: list[str] = field(default_factory=list)
    drug_meshes: list[tuple[str, str]] = field(default_factory=list)
    branches: list[str] = field(default_factory=lambda: ["BC10", "BC23"])
    study_type: str = "INTERVENTIONAL"
    phases: list[list[str]] = field(default_factory=lambda: [["PHASE2"], ["PHASE3"]])
    comparator: str | None = "PLACEBO"  # PLACEBO, ACTIVE or None (single group)
    purpose: str = "TREATMENT"
    populations: list[str] = field(default_factory=lambda: ["adults", "older"])
    inclusion: list[str] = field(default_factory=list)
    exclusion: list[str] = field(default_factory=list)
    healthy: bool = False


def drug(name: str, other: list[str], text: str) -> Intervention:
    return ("DRUG", name, other, text)


def supp(name: str, other: list[str], text: str) -> Intervention:
    return ("DIETARY_SUPPLEMENT", name, other, text)


CONCEPTS: list[Concept] = [
    # -- muscle spasm, cramps, knee twitching -------------------------------------------------
    Concept(
        "spasm", "Magnesium Citrate for Night-Time Leg Cramps",
        ["Muscle Cramp", "Nocturnal Leg Cramps"], [("D009120", "Muscle Cramp")],
        [supp("Magnesium citrate", ["Mg citrate"],
              "300 mg elemental magnesium by mouth at bedtime")],
        ("Weekly number of leg cramp episodes", "Counted from a nightly paper or app diary.",
         "Baseline to week 8"),
        keywords=["leg cramps", "magnesium", "sleep"], populations=["older", "adults"],
        phases=[["NA"], ["PHASE4"]], drug_meshes=[("D008274", "Magnesium")],
        inclusion=["At least four leg cramps during a two-week run-in diary"],
        exclusion=["Kidney disease with eGFR \\< 30 mL/min"],
    ),
    Concept(
        "spasm", "Home Stretching Routine for Twitching Around the Knee",
        ["Fasciculation", "Muscle Twitching", "Knee Pain"], [("D005207", "Fasciculation")],
        [("BEHAVIORAL", "Guided hamstring and quadriceps stretching", [],
          "Ten minutes of video-guided stretching twice a day")],
        ("Twitch-free days per week", "Self-reported days with no visible twitch near the knee.",
         "Week 6"),
        keywords=["knee twitching", "stretching", "fasciculation"], phases=[["NA"]],
        comparator="ACTIVE", purpose="SUPPORTIVE_CARE", populations=["adults", "athletes"],
        branches=["BC10", "BC05"],
        inclusion=["Twitching of the thigh or calf muscles near the knee for at least 4 weeks"],
        exclusion=["Known neuromuscular disease"],
    ),
    Concept(
        "spasm", "Registry of Benign Fasciculation and Cramp Syndromes",
        ["Benign Fasciculation Syndrome", "Fasciculation", "Myokymia"],
        [("D005207", "Fasciculation"), ("D020385", "Myokymia")], [],
        ("Share of participants whose twitching settles within 12 months",
         "Judged at yearly visits from symptom diaries and clinical examination.", "12 months"),
        keywords=["twitching", "cramp-fasciculation syndrome"], study_type="OBSERVATIONAL",
        phases=[], comparator=None, populations=["all", "adults"],
    ),
    Concept(
        "spasm", "Electrolyte Drink to Prevent Exercise-Associated Muscle Cramps",
        ["Exercise-Associated Muscle Cramps", "Muscle Cramp"], [("D009120", "Muscle Cramp")],
        [supp("Sodium-potassium electrolyte drink", ["oral electrolyte solution"],
              "500 mL before and during a standardised run")],
        ("Time to first cramp during a fatiguing calf protocol", "Measured in seconds.",
         "Single session"),
        keywords=["exercise", "cramp", "electrolytes", "sweat"], phases=[["NA"]],
        populations=["athletes", "men"], healthy=True, purpose="PREVENTION",
    ),
    Concept(
        "spasm", "Compression Sleeves for Quadriceps Spasm After Knee Replacement",
        ["Muscle Spasm", "Arthroplasty, Replacement, Knee"], [("D013035", "Spasm")],
        [("DEVICE", "Intermittent pneumatic compression sleeve", [],
          "Thigh sleeve worn for 2 hours a day in the first 14 days after surgery")],
        ("Spasm severity on a 0-10 numeric rating scale", "Higher scores mean worse spasm.",
         "Day 14"),
        keywords=["knee arthroplasty", "quadriceps", "spasm"], phases=[["NA"]],
        comparator="ACTIVE", populations=["older"], branches=["BC05", "BC23"],
    ),
    # -- dehydration and deficiencies ---------------------------------------------------------
    Concept(
        "deficiency", "Oral Rehydration Solution Versus Water for Heat Cramps",
        ["Dehydration", "Heat Cramps"], [("D003681", "Dehydration")],
        [supp("Oral rehydration solution", ["ORS"], "1 L taken over 60 minutes"),
         supp("Plain water", [], "1 L taken over 60 minutes")],
        ("Plasma osmolality", "Measured from a venous blood sample.", "60 minutes"),
        keywords=["heat", "dehydration", "sodium"], phases=[["NA"]], comparator=None,
        populations=["adults", "athletes"], branches=["BC18", "BC23"], healthy=True,
    ),
    Concept(
        "deficiency", "Vitamin D3 Repletion and Muscle Cramps",
        ["Vitamin D Deficiency", "Muscle Cramp"],
        [("D014808", "Vitamin D Deficiency"), ("D009120", "Muscle Cramp")],
        [supp("Cholecalciferol", ["Vitamin D3"], "50,000 IU by mouth once a week for 8 weeks")],
        ("Change in monthly cramp frequency", "From a daily symptom diary.", "Baseline to week 12"),
        keywords=["vitamin D", "calcium", "cramps"], phases=[["PHASE4"], ["NA"]],
        drug_meshes=[("D002762", "Cholecalciferol")], branches=["BC18", "BC23"],
        populations=["adults", "older", "women"],
        inclusion=["Serum 25-hydroxyvitamin D below 20 ng/mL"],
        exclusion=["Hypercalcemia or history of kidney stones"],
    ),
    Concept(
        "deficiency", "Vitamin E for Muscle Cramps During Hemodialysis",
        ["Vitamin E Deficiency", "Muscle Cramp", "Kidney Failure, Chronic"],
        [("D014811", "Vitamin E Deficiency"), ("D007676", "Kidney Failure, Chronic")],
        [supp("Alpha-tocopherol", ["Vitamin E"], "400 IU by mouth each evening")],
        ("Cramps per dialysis session", "Recorded by dialysis nurses.", "Weeks 1 to 12"),
        keywords=["hemodialysis", "vitamin E", "intradialytic cramps"], phases=[["PHASE2"]],
        drug_meshes=[("D014810", "Vitamin E")], branches=["BC18", "BC23"],
    ),
    Concept(
        "deficiency", "High-Dose Thiamine for Suspected Beriberi",
        ["Thiamine Deficiency", "Beriberi"],
        [("D013832", "Thiamine Deficiency"), ("D001602", "Beriberi")],
        [drug("Thiamine hydrochloride", ["Vitamin B1"], "200 mg intravenously three times daily")],
        ("Change in muscle strength score", "Medical Research Council sum score.", "Day 7"),
        keywords=["vitamin B1", "thiamine", "neuropathy"], phases=[["PHASE3"]],
        comparator="ACTIVE", drug_meshes=[("D013831", "Thiamine")], branches=["BC18", "BC10"],
    ),
    Concept(
        "deficiency", "Intravenous Magnesium Sulfate for Low Magnesium in Hospital",
        ["Hypomagnesemia", "Magnesium Deficiency"], [("D008275", "Magnesium Deficiency")],
        [drug("Magnesium sulfate", ["MgSO4"], "2 g given intravenously over 1 hour")],
        ("Serum magnesium at 24 hours", "Measured in mg/dL.", "24 hours"),
        keywords=["magnesium", "electrolyte replacement"], phases=[["PHASE4"]],
        comparator="ACTIVE", drug_meshes=[("D008278", "Magnesium Sulfate")],
        branches=["BC18"], inclusion=["Serum magnesium \\< 1.6 mg/dL"],
    ),
    Concept(
        "deficiency", "Potassium Chloride Timing and Cramps in Low Potassium",
        ["Hypokalemia", "Muscle Cramp"], [("D007008", "Hypokalemia")],
        [drug("Potassium chloride extended release", ["KCl"], "20 mEq by mouth twice daily")],
        ("Serum potassium", "Measured in mmol/L.", "Day 14"),
        keywords=["potassium", "diuretics"], phases=[["PHASE4"]], comparator="ACTIVE",
        drug_meshes=[("D011189", "Potassium Chloride")], branches=["BC18"],
    ),
    Concept(
        "deficiency", "Calcium and Vitamin D After Thyroid Surgery to Prevent Tetany",
        ["Hypocalcemia", "Tetany"], [("D006996", "Hypocalcemia"), ("D013746", "Tetany")],
        [supp("Calcium carbonate", ["calcium"], "1,000 mg three times daily for two weeks"),
         supp("Calcitriol", [], "0.25 micrograms twice daily for two weeks")],
        ("Symptomatic hypocalcemia", "Tingling, cramps or spasm needing extra calcium.",
         "First 14 days after surgery"),
        keywords=["thyroidectomy", "calcium", "tetany"], phases=[["PHASE3"]],
        purpose="PREVENTION", branches=["BC18", "BC23"], populations=["women", "adults"],
    ),
    # -- muscle relaxants ---------------------------------------------------------------------
    Concept(
        "relaxant", "Oral Baclofen Versus Tizanidine for Spasticity After Stroke",
        ["Muscle Spasticity", "Stroke"], [("D009128", "Muscle Spasticity"), ("D020521", "Stroke")],
        [drug("Baclofen", ["Lioresal"], "Titrated from 5 mg three times daily to 20 mg"),
         drug("Tizanidine", ["Zanaflex"], "Titrated from 2 mg to 8 mg three times daily")],
        ("Modified Ashworth Scale score of the elbow flexors", "Range 0 to 4.",
         "Baseline to week 12"),
        keywords=["spasticity", "baclofen", "tizanidine", "stroke"], comparator=None,
        drug_meshes=[("D001418", "Baclofen")], phases=[["PHASE4"], ["PHASE3"]],
    ),
    Concept(
        "relaxant", "Intrathecal Baclofen Pump for Severe Spasticity in Cerebral Palsy",
        ["Cerebral Palsy", "Muscle Spasticity"],
        [("D002547", "Cerebral Palsy"), ("D009128", "Muscle Spasticity")],
        [drug("Intrathecal baclofen", ["Gablofen", "Lioresal Intrathecal", "ITB"],
              "Continuous infusion through an implanted programmable pump")],
        ("Gross Motor Function Measure-66", "Higher scores mean better motor function.",
         "12 months"),
        keywords=["intrathecal baclofen", "ITB", "pump", "children"], comparator=None,
        drug_meshes=[("D001418", "Baclofen")], phases=[["PHASE4"], ["NA"]],
        populations=["children", "all"],
    ),
    Concept(
        "relaxant", "Cyclobenzaprine Added to Ibuprofen for Acute Back Spasm",
        ["Low Back Pain", "Muscle Spasm"], [("D017116", "Low Back Pain"), ("D013035", "Spasm")],
        [drug("Cyclobenzaprine", ["Flexeril"], "5 mg by mouth up to three times daily"),
         drug("Ibuprofen", ["Advil", "Motrin"], "600 mg by mouth three times daily")],
        ("Roland-Morris Disability Questionnaire", "Range 0 to 24.", "Day 7"),
        keywords=["muscle relaxant", "emergency department", "back spasm"],
        drug_meshes=[("D007052", "Ibuprofen")], phases=[["PHASE4"]], branches=["BC05", "BC23"],
    ),
    Concept(
        "relaxant", "Methocarbamol for Acute Neck Muscle Spasm",
        ["Neck Pain", "Muscle Spasm"], [("D019547", "Neck Pain"), ("D013035", "Spasm")],
        [drug("Methocarbamol", ["Robaxin"], "1,500 mg by mouth four times daily for 3 days")],
        ("Neck pain on a 0-10 numeric rating scale", "Lower is better.", "Day 3"),
        keywords=["methocarbamol", "neck"], drug_meshes=[("D008722", "Methocarbamol")],
        phases=[["PHASE4"]], branches=["BC05", "BC23"],
    ),
    Concept(
        "relaxant", "Orphenadrine and Metaxalone Compared for Muscle Strain",
        ["Sprains and Strains", "Muscle Spasm"], [("D013180", "Sprains and Strains")],
        [drug("Orphenadrine citrate", ["Norflex"], "100 mg by mouth twice daily"),
         drug("Metaxalone", ["Skelaxin"], "800 mg by mouth three times daily")],
        ("Days until return to normal activity", "Self-reported.", "Up to 28 days"),
        keywords=["orphenadrine", "metaxalone"], comparator=None, phases=[["PHASE4"]],
        branches=["BC05"],
    ),
    # -- NSAIDs and corticosteroids -----------------------------------------------------------
    Concept(
        "nsaid", "Topical Diclofenac Gel for Knee Pain With Muscle Guarding",
        ["Osteoarthritis, Knee", "Muscle Spasm"], [("D020370", "Osteoarthritis, Knee")],
        [drug("Diclofenac sodium 1% gel", ["Voltaren Gel"],
              "4 g applied to the knee 4 times daily")],
        ("WOMAC pain subscale", "Range 0 to 20.", "Week 4"),
        keywords=["NSAID", "topical", "knee"], drug_meshes=[("D004008", "Diclofenac")],
        phases=[["PHASE4"], ["PHASE3"]], branches=["BC05"], populations=["older", "adults"],
    ),
    Concept(
        "nsaid", "Naproxen Versus Ibuprofen for Delayed-Onset Muscle Soreness",
        ["Delayed Onset Muscle Soreness", "Myalgia"], [("D063806", "Myalgia")],
        [drug("Naproxen sodium", ["Aleve"], "220 mg by mouth twice daily"),
         drug("Ibuprofen", ["Advil", "Motrin"], "400 mg by mouth three times daily")],
        ("Soreness on a 100 mm visual analogue scale", "Rated 48 hours after exercise.",
         "48 hours"),
        keywords=["DOMS", "NSAID", "eccentric exercise"], comparator=None,
        drug_meshes=[("D009288", "Naproxen"), ("D007052", "Ibuprofen")],
        phases=[["PHASE4"]], populations=["athletes"], healthy=True, branches=["BC05", "BC23"],
    ),
    Concept(
        "nsaid", "Short Methylprednisolone Taper for Acute Sciatica",
        ["Sciatica", "Radiculopathy", "Low Back Pain"],
        [("D012585", "Sciatica"), ("D011843", "Radiculopathy")],
        [drug("Methylprednisolone", ["Medrol Dosepak"], "Six-day oral taper starting at 24 mg")],
        ("Oswestry Disability Index", "Range 0 to 100.", "Week 3"),
        keywords=["corticosteroid", "sciatica"], drug_meshes=[("D008775", "Methylprednisolone")],
        phases=[["PHASE3"], ["PHASE2", "PHASE3"]], branches=["BC10", "BC05"],
    ),
    Concept(
        "nsaid", "Triamcinolone Injection Versus Saline for Painful Knee",
        ["Osteoarthritis, Knee", "Knee Pain"], [("D020370", "Osteoarthritis, Knee")],
        [drug("Triamcinolone acetonide", ["Kenalog-40"], "40 mg single intra-articular injection")],
        ("Knee pain on walking, 0-10 scale", "Lower is better.", "Week 12"),
        keywords=["corticosteroid injection", "knee"],
        drug_meshes=[("D014222", "Triamcinolone Acetonide")], phases=[["PHASE4"]],
        branches=["BC05"], populations=["older"],
    ),
    Concept(
        "nsaid", "Celecoxib or Dexamethasone for Acute Hamstring Strain",
        ["Sprains and Strains", "Muscle Spasm"], [("D013180", "Sprains and Strains")],
        [drug("Celecoxib", ["Celebrex"], "200 mg by mouth daily for 5 days"),
         drug("Dexamethasone", ["Decadron"], "Single 8 mg oral dose")],
        ("Days to pain-free sprint", "Assessed by the team physiotherapist.", "Up to 6 weeks"),
        keywords=["COX-2", "hamstring", "sports injury"], comparator=None,
        drug_meshes=[("D000068579", "Celecoxib"), ("D003907", "Dexamethasone")],
        phases=[["PHASE2"]], populations=["men", "athletes"], branches=["BC05"],
    ),
    Concept(
        "nsaid", "Ketorolac Versus Prednisone in Acute Gouty Knee",
        ["Gout", "Knee Pain"], [("D006073", "Gout")],
        [drug("Ketorolac", ["Toradol"], "30 mg intramuscular single dose"),
         drug("Prednisone", ["Deltasone"], "30 mg by mouth daily for 5 days")],
        ("Pain reduction of at least 50%", "Participant-rated.", "Day 5"),
        keywords=["gout", "ketorolac", "prednisone"], comparator=None, phases=[["PHASE4"]],
        branches=["BC05", "BC18"],
    ),
    # -- caffeine ----------------------------------------------------------------------------
    Concept(
        "caffeine", "Caffeine and Leg Muscle Fatigue in Recreational Cyclists",
        ["Muscle Fatigue", "Exercise Performance"], [("D018763", "Muscle Fatigue")],
        [drug("Caffeine anhydrous", ["caffeine"], "3 mg per kg body weight 60 minutes before")],
        ("Peak torque loss of the knee extensors", "Measured on an isokinetic dynamometer.",
         "Single session"),
        keywords=["caffeine", "cycling", "neuromuscular fatigue"],
        phases=[["EARLY_PHASE1"], ["NA"]],
        drug_meshes=[("D002110", "Caffeine")], populations=["athletes", "men"], healthy=True,
        purpose="BASIC_SCIENCE", branches=["BC23"],
    ),
    Concept(
        "caffeine", "Cutting Down Coffee to Ease Muscle Tension and Twitching",
        ["Muscle Tension", "Fasciculation", "Caffeine-Related Disorders"],
        [("D005207", "Fasciculation")],
        [("BEHAVIORAL", "Stepwise caffeine reduction", [],
          "Daily caffeine lowered by a quarter each week with coaching calls")],
        ("Days with muscle twitching per week", "From a phone diary.", "Week 6"),
        keywords=["coffee", "caffeine", "twitching", "eyelid"], phases=[["NA"]],
        comparator="ACTIVE", purpose="SUPPORTIVE_CARE",
    ),
    Concept(
        "caffeine", "Caffeine Dose and Cramp Threshold Frequency",
        ["Muscle Cramp"], [("D009120", "Muscle Cramp")],
        [drug("Caffeine", ["caffeine citrate"], "Low (1.5 mg/kg) or high (6 mg/kg) oral dose")],
        ("Cramp threshold frequency", "Electrical stimulation frequency that starts a cramp, Hz.",
         "90 minutes after dosing"),
        keywords=["caffeine", "electrically induced cramp"], phases=[["EARLY_PHASE1"]],
        drug_meshes=[("D002110", "Caffeine")], healthy=True, purpose="BASIC_SCIENCE",
        populations=["athletes", "adults"],
    ),
    Concept(
        "caffeine", "Habitual Caffeine Intake and Muscle Cramps",
        ["Muscle Cramp", "Caffeine Consumption"], [("D009120", "Muscle Cramp")], [],
        ("Association between daily caffeine intake and cramp frequency",
         "Estimated from food-frequency questionnaires and diaries.", "2 years"),
        keywords=["cohort", "coffee"], study_type="OBSERVATIONAL", phases=[], comparator=None,
        populations=["older"],
    ),
    # -- ALS ---------------------------------------------------------------------------------
    Concept(
        "als", "RVX-101 in Early Amyotrophic Lateral Sclerosis",
        ["Amyotrophic Lateral Sclerosis"], [("D000690", "Amyotrophic Lateral Sclerosis")],
        [drug("RVX-101", [], "Oral suspension once daily (an invented compound code)")],
        ("Change in ALSFRS-R total score", "Revised ALS Functional Rating Scale, 0-48.",
         "Baseline to week 24"),
        keywords=["ALS", "motor neuron disease", "Lou Gehrig's disease"],
        phases=[["PHASE2"], ["PHASE2", "PHASE3"], ["PHASE3"]], branches=["BC10"],
        inclusion=["Symptom onset within the past 24 months",
                   "Slow vital capacity \\>= 60% of predicted"],
        exclusion=["Tracheostomy or permanent assisted ventilation"],
    ),
    Concept(
        "als", "Mexiletine for Painful Cramps in ALS",
        ["Amyotrophic Lateral Sclerosis", "Muscle Cramp"],
        [("D000690", "Amyotrophic Lateral Sclerosis"), ("D009120", "Muscle Cramp")],
        [drug("Mexiletine", ["Mexitil"], "150 mg by mouth twice daily")],
        ("Cramp frequency per week", "From a daily diary.", "Weeks 1 to 4"),
        keywords=["ALS", "cramps", "sodium channel"], drug_meshes=[("D008801", "Mexiletine")],
        phases=[["PHASE2"]], branches=["BC10", "BC23"],
    ),
    Concept(
        "als", "Natural History of Motor Neuron Disease in a Regional Clinic Network",
        ["Amyotrophic Lateral Sclerosis", "Motor Neuron Disease"],
        [("D000690", "Amyotrophic Lateral Sclerosis"), ("D016472", "Motor Neuron Disease")], [],
        ("Rate of ALSFRS-R decline", "Points lost per month.", "Up to 5 years"),
        keywords=["natural history", "biomarkers", "ALS"], study_type="OBSERVATIONAL",
        phases=[], comparator=None, branches=["BC10"],
    ),
    Concept(
        "als", "Inspiratory Muscle Training in ALS",
        ["Amyotrophic Lateral Sclerosis", "Respiratory Muscle Weakness"],
        [("D000690", "Amyotrophic Lateral Sclerosis")],
        [("DEVICE", "Threshold inspiratory muscle trainer", [],
          "Thirty breaths twice a day at 30-50% of maximal inspiratory pressure")],
        ("Maximal inspiratory pressure", "Measured in cm H2O.", "Week 12"),
        keywords=["breathing", "ALS", "respiratory training"], phases=[["NA"]],
        comparator="ACTIVE", purpose="SUPPORTIVE_CARE", branches=["BC10"],
    ),
    Concept(
        "als", "Cannabinoid Oromucosal Spray for Spasticity in Motor Neuron Disease",
        ["Amyotrophic Lateral Sclerosis", "Muscle Spasticity"],
        [("D000690", "Amyotrophic Lateral Sclerosis"), ("D009128", "Muscle Spasticity")],
        [drug("THC:CBD oromucosal spray", ["nabiximols"], "Up to 12 sprays a day, titrated")],
        ("Numeric rating scale for spasticity", "Range 0 to 10.", "Week 6"),
        keywords=["cannabinoids", "spasticity", "ALS"], phases=[["PHASE2"]], branches=["BC10"],
    ),
    # -- autoimmune disorders with spasms -----------------------------------------------------
    Concept(
        "autoimmune", "Intravenous Immunoglobulin in Stiff-Person Syndrome",
        ["Stiff-Person Syndrome"], [("D016750", "Stiff-Person Syndrome")],
        [("BIOLOGICAL", "Immune globulin intravenous (human) 10%", ["IVIG"],
          "2 g/kg split over 2 days every 4 weeks")],
        ("Stiffness index", "Number of body areas with stiffness, 0-6.", "Week 12"),
        keywords=["GAD antibodies", "stiff-man syndrome", "IVIG"],
        drug_meshes=[("D016756", "Immunoglobulins, Intravenous")],
        phases=[["PHASE3"], ["PHASE2"]], branches=["BC10", "BC20"],
    ),
    Concept(
        "autoimmune", "Rituximab for Refractory Stiff-Person Spectrum Disorders",
        ["Stiff-Person Syndrome", "Progressive Encephalomyelitis With Rigidity and Myoclonus"],
        [("D016750", "Stiff-Person Syndrome")],
        [("BIOLOGICAL", "Rituximab", ["Rituxan"], "1,000 mg intravenously on days 1 and 15")],
        ("Distribution of stiffness index score", "Compared with baseline.", "Month 6"),
        keywords=["B cells", "anti-GAD65"], drug_meshes=[("D000069283", "Rituximab")],
        phases=[["PHASE2"]], comparator=None, branches=["BC10", "BC20"],
    ),
    Concept(
        "autoimmune", "Baclofen Plus Physiotherapy for Spasticity in Multiple Sclerosis",
        ["Multiple Sclerosis", "Muscle Spasticity"],
        [("D009103", "Multiple Sclerosis"), ("D009128", "Muscle Spasticity")],
        [drug("Baclofen", ["Lioresal"], "Up to 20 mg by mouth three times daily"),
         ("OTHER", "Structured physiotherapy", [], "Two supervised sessions a week")],
        ("MS Spasticity Scale (MSSS-88)", "Higher scores mean more bother from spasticity.",
         "Week 16"),
        keywords=["MS", "spasticity", "baclofen", "physical therapy"], comparator=None,
        drug_meshes=[("D001418", "Baclofen")], phases=[["PHASE4"]],
        branches=["BC10", "BC20"], populations=["adults", "women"],
    ),
    Concept(
        "autoimmune", "Tizanidine at Night for Painful Spasms in Multiple Sclerosis",
        ["Multiple Sclerosis", "Muscle Spasticity", "Spasm"],
        [("D009103", "Multiple Sclerosis"), ("D013035", "Spasm")],
        [drug("Tizanidine", ["Zanaflex"], "4 mg by mouth at bedtime")],
        ("Nightly spasm count", "Recorded by a wrist-worn motion sensor.", "Weeks 2 to 6"),
        keywords=["MS", "tizanidine", "sleep"], phases=[["PHASE3"]], branches=["BC10", "BC20"],
    ),
    Concept(
        "autoimmune", "MGX-330, an FcRn Blocker, in Generalized Myasthenia Gravis",
        ["Myasthenia Gravis", "Generalized Myasthenia Gravis"],
        [("D009157", "Myasthenia Gravis")],
        [("BIOLOGICAL", "MGX-330", [], "Subcutaneous injection once weekly (invented code)")],
        ("Change in MG-ADL total score", "Myasthenia Gravis Activities of Daily Living, 0-24.",
         "Week 10"),
        keywords=["acetylcholine receptor antibodies", "FcRn", "myasthenia"],
        phases=[["PHASE3"], ["PHASE2", "PHASE3"]], branches=["BC10", "BC20"],
    ),
    Concept(
        "autoimmune", "Carbamazepine for Neuromyotonia (Isaacs Syndrome)",
        ["Isaacs Syndrome", "Neuromyotonia"], [("D020386", "Isaacs Syndrome")],
        [drug("Carbamazepine", ["Tegretol"], "200 mg by mouth twice daily")],
        ("Motor unit discharges on needle EMG", "Counted per minute of recording.", "Week 8"),
        keywords=["CASPR2", "potassium channel antibodies", "myokymia"],
        drug_meshes=[("D002220", "Carbamazepine")], phases=[["PHASE2"]],
        branches=["BC10", "BC20"],
    ),
    Concept(
        "autoimmune", "Plasma Exchange in Antibody-Positive Autoimmune Neuromyotonia",
        ["Isaacs Syndrome", "Autoimmune Diseases of the Nervous System"],
        [("D020386", "Isaacs Syndrome")],
        [("PROCEDURE", "Therapeutic plasma exchange", ["PLEX"], "Five exchanges over 10 days")],
        ("Cramp and stiffness score", "Participant-rated, 0-10.", "Day 30"),
        keywords=["plasmapheresis", "neuromyotonia"], phases=[["NA"]], comparator=None,
        branches=["BC10", "BC20"],
    ),
    # -- back pain ---------------------------------------------------------------------------
    Concept(
        "back", "Early Physical Therapy or Muscle Relaxant for Acute Low Back Spasm",
        ["Low Back Pain", "Muscle Spasm"], [("D017116", "Low Back Pain"), ("D013035", "Spasm")],
        [("OTHER", "Early physical therapy", [], "Four sessions within the first two weeks"),
         drug("Cyclobenzaprine", ["Flexeril"], "5 mg by mouth up to three times daily")],
        ("Oswestry Disability Index", "Range 0 to 100.", "Week 4"),
        keywords=["primary care", "back spasm", "physical therapy"], comparator=None,
        phases=[["PHASE4"]], branches=["BC05", "BC23"],
    ),
    Concept(
        "back", "Heat Wrap Therapy for Lower Back Muscle Spasm",
        ["Low Back Pain", "Back Pain"], [("D017116", "Low Back Pain")],
        [("DEVICE", "Air-activated heat wrap", [], "Worn 8 hours a day for 3 days")],
        ("Pain relief on a 0-5 scale", "Rated at the end of each day.", "Day 3"),
        keywords=["heat therapy", "back spasm"], phases=[["NA"]], branches=["BC05", "BC23"],
    ),
    Concept(
        "back", "Yoga Classes for Chronic Low Back Pain and Muscle Tightness",
        ["Chronic Low Back Pain", "Back Pain"], [("D001416", "Back Pain")],
        [("BEHAVIORAL", "Weekly group yoga", [], "Twelve 75-minute classes plus home practice")],
        ("Roland-Morris Disability Questionnaire", "Range 0 to 24.", "Week 12"),
        keywords=["yoga", "exercise therapy"], phases=[["NA"]], comparator="ACTIVE",
        branches=["BC05", "BC23"], populations=["adults", "older", "women"],
    ),
]

# The stress-test study: a pragmatic trial with over a thousand community sites.
BIG = Concept(
    "back", "Community Pragmatic Trial of Muscle Relaxants Versus NSAIDs for Acute Back Spasm",
    ["Low Back Pain", "Muscle Spasm", "Back Pain"],
    [("D017116", "Low Back Pain"), ("D013035", "Spasm")],
    [drug("Tizanidine", ["Zanaflex"], "2-4 mg by mouth up to three times daily for 7 days"),
     drug("Naproxen", ["Aleve", "Naprosyn"], "500 mg by mouth twice daily for 7 days")],
    ("Return to usual activities", "Participant-reported.", "Day 14"),
    keywords=["pragmatic trial", "primary care", "muscle relaxant", "NSAID"],
    comparator=None, phases=[["PHASE4"]], branches=["BC05", "BC23"],
)

POPULATIONS: dict[str, tuple[str, str | None, str | None, str, bool]] = {
    # key: (title suffix, minimumAge, maximumAge, sex, healthy-volunteer friendly)
    "adults": ("in Adults", "18 Years", None, "ALL", False),
    "older": ("in Older Adults", "65 Years", None, "ALL", False),
    "children": ("in Children", "6 Months", "17 Years", "ALL", False),
    "athletes": ("in Endurance Athletes", "18 Years", "45 Years", "ALL", True),
    "women": ("in Women", "18 Years", "55 Years", "FEMALE", False),
    "men": ("in Men", "18 Years", "64 Years", "MALE", False),
    "all": ("Across the Age Range", "1 Year", None, "ALL", False),
}

STATUSES = (
    ["RECRUITING"] * 18 + ["NOT_YET_RECRUITING"] * 7 + ["ACTIVE_NOT_RECRUITING"] * 7
    + ["COMPLETED"] * 12 + ["TERMINATED"] * 5 + ["WITHDRAWN"] * 3 + ["UNKNOWN"] * 4
    + ["ENROLLING_BY_INVITATION"] * 3 + ["SUSPENDED"]
)
WHY_STOPPED = {
    "TERMINATED": ["Enrolment was slower than planned", "The sponsor ended funding early",
                   "Interim review showed the study could not answer its question"],
    "WITHDRAWN": ["No participants were enrolled", "Funding was not obtained",
                  "The lead investigator left the institution"],
    "SUSPENDED": ["Paused while the study drug supply is replaced"],
}
SECONDARY = [
    ("Number of participants with adverse events", "Any unwanted medical event, related or not.",
     "Through study completion"),
    ("Patient Global Impression of Change", "Seven-point scale from very much improved to very "
     "much worse.", "End of treatment"),
    ("Sleep disturbance", "PROMIS Sleep Disturbance short form T-score.", "End of treatment"),
    ("Daytime drowsiness", "Epworth Sleepiness Scale, 0-24.", "Week 2"),
    ("Use of rescue medication", "Doses recorded in the diary.", "Through end of treatment"),
    ("Serum electrolyte levels", "Sodium, potassium, calcium and magnesium.", "End of treatment"),
]
GENERIC_INCLUSION = [
    "Able to give written informed consent",
    "Willing to keep a daily symptom diary",
    "Stable doses of other regular medicines for 4 weeks",
]
GENERIC_EXCLUSION = [
    "Pregnancy or breastfeeding",
    "Known allergy to any study product",
    "Participation in another interventional study within 30 days",
    "Severe liver disease",
]


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    return date(year, month + 1, min(day.day, 28))


def fmt(day: date, month_only: bool) -> str:
    return day.strftime("%Y-%m") if month_only else day.isoformat()


def age_years(text: str | None) -> float | None:
    if text is None:
        return None
    number, unit = text.split()
    return float(number) / (12 if unit.startswith("Month") else 1)


def std_ages(minimum: str | None, maximum: str | None) -> list[str]:
    low = age_years(minimum) or 0.0
    high = age_years(maximum)
    ages: list[str] = []
    if low < 18:
        ages.append("CHILD")
    if (high is None or high >= 18) and low < 65:
        ages.append("ADULT")
    if high is None or high >= 65:
        ages.append("OLDER_ADULT")
    return ages


class Maker:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.phone_seq = 100
        self.people: set[str] = set()

    # -- people -------------------------------------------------------------------------------

    def person(self) -> tuple[str, str]:
        rng = self.rng
        while True:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            if f"{first} {last}" not in self.people or len(self.people) > 300:
                break
        self.people.add(f"{first} {last}")
        email = f"{first.lower()}.{last.lower()}@example.org"
        return f"{first} {last}", email

    def phone(self, country: str) -> str:
        self.phone_seq += 1
        tail = f"{self.phone_seq % 100:02d}"
        if country == "United States":
            area = self.rng.choice(["617", "508", "212", "312", "713", "206", "415"])
            return f"{area}-555-01{tail}"
        prefix = {"Canada": "+1 416", "France": "+33 4", "Germany": "+49 30",
                  "United Kingdom": "+44 20", "Australia": "+61 2"}[country]
        return f"{prefix} 555 01{tail}"

    def contact(self, country: str, role: str = "CONTACT") -> dict[str, Any]:
        name, email = self.person()
        degree = self.rng.choice(DEGREES)
        entry: dict[str, Any] = {"name": f"{name}, {degree}", "role": role,
                                 "phone": self.phone(country)}
        if self.rng.random() < 0.15:
            entry["phoneExt"] = str(self.rng.randint(100, 999))
        entry["email"] = email
        return entry

    def facility(self, country: str) -> str:
        return f"{self.rng.choice(FACILITY_PREFIX)} {self.rng.choice(FACILITY_KIND[country])}"

    # -- places -------------------------------------------------------------------------------

    def pick_places(self, n: int) -> list[Place]:
        rng = self.rng
        style = rng.random()
        if style < 0.35:
            pool = BOSTON_AREA + rng.sample(US_FAR, 3)
        elif style < 0.6:
            pool = US_FAR + BOSTON_AREA[:3]
        elif style < 0.8:
            pool = BOSTON_AREA[:4] + US_FAR + ABROAD
        else:
            pool = ABROAD
        return [rng.choice(pool) for _ in range(n)]

    def location(self, place: Place, status: str | None, contacts: bool) -> dict[str, Any]:
        city, state, zip_code, country, lat, lon = place
        loc: dict[str, Any] = {"facility": self.facility(country)}
        if status is not None:
            loc["status"] = status
        loc["city"] = city
        if state is not None:
            loc["state"] = state
        if zip_code is not None and self.rng.random() > 0.05:
            loc["zip"] = zip_code
        loc["country"] = country
        if contacts:
            loc["contacts"] = [self.contact(country)]
            if self.rng.random() < 0.3:
                loc["contacts"].append(self.contact(country, "PRINCIPAL_INVESTIGATOR"))
        if self.rng.random() >= 0.03:
            loc["geoPoint"] = {"lat": lat, "lon": lon}
        return loc

    # -- dates --------------------------------------------------------------------------------

    def struct(self, day: date, kind: str | None, month_only: bool | None = None) -> dict[str, Any]:
        if month_only is None:
            month_only = self.rng.random() < 0.3
        out: dict[str, Any] = {"date": fmt(day, month_only)}
        if kind is not None:
            out["type"] = kind
        return out

    # -- one study ----------------------------------------------------------------------------

    def study(self, index: int, concept: Concept, population: str, status: str,
              big: bool = False) -> dict[str, Any]:
        rng = self.rng
        nct = f"NCT{FIRST_ID + index:08d}"
        suffix, min_age, max_age, sex, healthy_ok = POPULATIONS[population]
        if population == "adults" and rng.random() < 0.3:
            max_age = rng.choice(["75 Years", "80 Years", "64 Years"])
        title = concept.title if big else f"{concept.title} {suffix}"
        sponsor, sponsor_class = rng.choice(SPONSORS)
        if big:
            sponsor, sponsor_class = "Consortium for Fictional Neuromuscular Trials", "NETWORK"
        interventional = concept.study_type == "INTERVENTIONAL"

        # dates
        legacy = status in ("COMPLETED", "UNKNOWN") and rng.random() < 0.4
        kind_a: str | None = None if legacy else "ACTUAL"
        kind_e: str | None = None if legacy else "ESTIMATED"
        last_known: str | None = None
        if status == "NOT_YET_RECRUITING":
            start = add_months(REF, rng.randint(1, 9))
            start_kind = kind_e
        elif status in ("RECRUITING", "ENROLLING_BY_INVITATION"):
            start = add_months(REF, -rng.randint(1, 36))
            start_kind = kind_a
        elif status in ("ACTIVE_NOT_RECRUITING", "SUSPENDED"):
            start = add_months(REF, -rng.randint(24, 60))
            start_kind = kind_a
        elif status == "UNKNOWN":
            start = add_months(REF, -rng.randint(84, 150))
            start_kind = kind_a
            last_known = rng.choice(["RECRUITING", "NOT_YET_RECRUITING", "ACTIVE_NOT_RECRUITING"])
        elif status == "WITHDRAWN":
            start = add_months(REF, -rng.randint(6, 48))
            start_kind = kind_e
        else:  # COMPLETED, TERMINATED
            start = add_months(REF, -rng.randint(40, 170 if legacy else 110))
            start_kind = kind_a
        start = start.replace(day=rng.randint(1, 28))
        length = rng.randint(10, 48)
        primary = add_months(start, length)
        completion = add_months(primary, rng.randint(0, 8))
        if status == "TERMINATED":
            primary = add_months(start, rng.randint(4, max(5, length // 2)))
            completion = primary
        done = primary <= REF and status not in ("NOT_YET_RECRUITING", "RECRUITING",
                                                 "ENROLLING_BY_INVITATION", "UNKNOWN",
                                                 "WITHDRAWN")
        if status == "ACTIVE_NOT_RECRUITING" and completion <= REF:
            completion = add_months(REF, rng.randint(2, 18))
        if status in ("RECRUITING", "ENROLLING_BY_INVITATION", "NOT_YET_RECRUITING") and \
                primary <= REF:
            primary = add_months(REF, rng.randint(3, 24))
            completion = add_months(primary, rng.randint(0, 6))
        first_post = start - timedelta(days=rng.randint(10, 120))
        if first_post > REF:
            first_post = REF - timedelta(days=rng.randint(5, 60))
        if status in ("COMPLETED", "TERMINATED"):
            last_update = min(REF, completion + timedelta(days=rng.randint(30, 400)))
        elif status == "UNKNOWN":
            last_update = add_months(start, rng.randint(6, 30))
        else:
            last_update = REF - timedelta(days=rng.randint(3, 200))
        last_update = max(last_update, first_post + timedelta(days=1))
        verified = last_update if status != "UNKNOWN" else add_months(last_update, 1)

        status_module: dict[str, Any] = {
            "statusVerifiedDate": verified.strftime("%Y-%m"),
            "overallStatus": status,
        }
        if last_known:
            status_module["lastKnownStatus"] = last_known
        if status in WHY_STOPPED:
            status_module["whyStopped"] = rng.choice(WHY_STOPPED[status])
        status_module["expandedAccessInfo"] = {"hasExpandedAccess": False}
        status_module["startDateStruct"] = self.struct(start, start_kind)
        status_module["primaryCompletionDateStruct"] = self.struct(
            primary, kind_a if done else kind_e)
        status_module["completionDateStruct"] = self.struct(
            completion, kind_a if done and completion <= REF else kind_e)
        status_module["studyFirstSubmitDate"] = (first_post - timedelta(days=3)).isoformat()
        status_module["studyFirstSubmitQcDate"] = (first_post - timedelta(days=2)).isoformat()
        status_module["studyFirstPostDateStruct"] = self.struct(first_post, kind_a, False)
        has_results = status in ("COMPLETED", "TERMINATED") and interventional and \
            rng.random() < 0.35
        if has_results:
            results_post = min(REF, completion + timedelta(days=rng.randint(200, 380)))
            last_update = max(last_update, results_post)
            status_module["resultsFirstSubmitDate"] = (
                results_post - timedelta(days=20)).isoformat()
            status_module["resultsFirstSubmitQcDate"] = (
                results_post - timedelta(days=5)).isoformat()
            status_module["resultsFirstPostDateStruct"] = self.struct(results_post, "ACTUAL",
                                                                       False)
        status_module["lastUpdateSubmitDate"] = (last_update - timedelta(days=1)).isoformat()
        status_module["lastUpdatePostDateStruct"] = self.struct(last_update, kind_a, False)

        # identification and sponsor
        acronym = "".join(w[0] for w in concept.title.split() if w[0].isupper())[:6]
        ident: dict[str, Any] = {
            "nctId": nct,
            "orgStudyIdInfo": {"id": f"{acronym or 'DEMO'}-{start.year}-{index:03d}"},
            "organization": {"fullName": sponsor, "class": sponsor_class},
            "briefTitle": title,
            "officialTitle": self.official_title(concept, title, interventional),
        }
        if rng.random() < 0.3:
            ident["acronym"] = f"{acronym[:4]}-{index}"
        sponsors: dict[str, Any] = {"responsibleParty": {"type": "SPONSOR"},
                                    "leadSponsor": {"name": sponsor, "class": sponsor_class}}
        if rng.random() < 0.3:
            name, _ = self.person()
            sponsors["responsibleParty"] = {
                "type": "PRINCIPAL_INVESTIGATOR", "investigatorFullName": name,
                "investigatorTitle": "Principal Investigator", "investigatorAffiliation": sponsor}
        if rng.random() < 0.35:
            other = rng.choice([s for s in SPONSORS if s[0] != sponsor])
            sponsors["collaborators"] = [{"name": other[0], "class": other[1]}]

        # design, arms
        design: dict[str, Any] = {"studyType": concept.study_type}
        arms_module: dict[str, Any] | None
        if interventional:
            design["phases"] = list(rng.choice(concept.phases))
            design["designInfo"], arms_module = self.arms(concept)
        else:
            design["patientRegistry"] = rng.random() < 0.5
            design["designInfo"] = {"observationalModel": "COHORT",
                                    "timePerspective": "PROSPECTIVE"}
            arms_module = {"armGroups": [{"label": "Cohort", "description":
                                          "People followed at routine clinic visits."}]}
        count = {"RECRUITING": rng.randint(24, 400), "WITHDRAWN": 0}.get(
            status, rng.randint(12, 320))
        if big:
            count = 9000
        design["enrollmentInfo"] = {
            "count": count,
            "type": "ACTUAL" if status in ("COMPLETED", "TERMINATED", "WITHDRAWN",
                                           "ACTIVE_NOT_RECRUITING") else "ESTIMATED"}
        if legacy and rng.random() < 0.5:
            del design["enrollmentInfo"]["type"]

        protocol: dict[str, Any] = {
            "identificationModule": ident,
            "statusModule": status_module,
            "sponsorCollaboratorsModule": sponsors,
            "oversightModule": {"oversightHasDmc": rng.random() < 0.4,
                                "isFdaRegulatedDrug": any(i[0] == "DRUG"
                                                          for i in concept.interventions),
                                "isFdaRegulatedDevice": any(i[0] == "DEVICE"
                                                            for i in concept.interventions)},
            "descriptionModule": {"briefSummary": self.summary(concept, title, status)},
            "conditionsModule": {"conditions": list(concept.conditions)},
            "designModule": design,
        }
        if concept.keywords:
            protocol["conditionsModule"]["keywords"] = list(concept.keywords)
        if arms_module:
            protocol["armsInterventionsModule"] = arms_module
        protocol["outcomesModule"] = self.outcomes(concept)
        protocol["eligibilityModule"] = self.eligibility(concept, min_age, max_age, sex,
                                                         concept.healthy or healthy_ok)
        contacts_module = self.contacts_locations(status, big)
        if contacts_module is not None:
            protocol["contactsLocationsModule"] = contacts_module
        protocol["ipdSharingStatementModule"] = {"ipdSharing": rng.choice(["NO", "UNDECIDED"])}

        record: dict[str, Any] = {"protocolSection": protocol}
        if has_results:
            record["resultsSection"] = self.results(protocol, count)
        record["derivedSection"] = self.derived(concept)
        record["hasResults"] = has_results
        return record

    def official_title(self, concept: Concept, title: str, interventional: bool) -> str:
        rng = self.rng
        if not interventional:
            return f"A Prospective Observational Cohort Study: {title}"
        if concept.comparator == "PLACEBO":
            head = rng.choice(["A Randomized, Double-Blind, Placebo-Controlled Trial",
                               "A Multicenter, Randomized, Placebo-Controlled Study"])
        elif concept.comparator == "ACTIVE":
            head = "A Randomized, Open-Label, Active-Controlled Trial"
        else:
            head = rng.choice(["A Randomized Comparative Study", "An Open-Label Pilot Study"])
        return f"{head} of {title}"

    def summary(self, concept: Concept, title: str, status: str) -> str:
        rng = self.rng
        # lower-case only ordinary words: names such as "THC:CBD" or "Vitamin D3" keep their case
        what = " and ".join(_soften(i[1]) for i in concept.interventions) or "routine follow-up"
        lines = [
            "This is a fictional demo study made up for the trialfinder demo; it does not "
            "describe a real trial and must not be used for medical decisions.",
            "",
            f"It looks at {what} in people with {' or '.join(concept.conditions[:2])}. "
            f"The main measure is {concept.outcome[0][0].lower()}{concept.outcome[0][1:]} "
            f"({concept.outcome[2].lower()}).",
        ]
        if rng.random() < 0.5:
            lines += ["", "Participants will:", "",
                      "* attend a screening visit",
                      f"* take part for about {rng.randint(4, 52)} weeks",
                      "* fill in short questionnaires about their symptoms"]
        if status == "WITHDRAWN":
            lines += ["", "The study was withdrawn before anyone took part."]
        return "\n".join(lines)

    def arms(self, concept: Concept) -> tuple[dict[str, Any], dict[str, Any]]:
        rng = self.rng
        groups: list[dict[str, Any]] = []
        interventions: list[dict[str, Any]] = []
        labels_by_name: dict[str, list[str]] = {}
        if concept.comparator is None and len(concept.interventions) > 1:
            for kind, name, _other, text in concept.interventions:
                label = f"{name} group"
                groups.append({"label": label, "type": "EXPERIMENTAL" if not groups
                               else "ACTIVE_COMPARATOR", "description": text,
                               "interventionNames": [f"{kind.title().replace('_', ' ')}: {name}"]})
                labels_by_name[name] = [label]
            model = rng.choice(["PARALLEL", "CROSSOVER"])
        else:
            label = "Treatment" if rng.random() < 0.5 else f"{concept.interventions[0][1]}"
            groups.append({"label": label, "type": "EXPERIMENTAL",
                           "description": "; ".join(i[3] for i in concept.interventions),
                           "interventionNames": [f"{i[0].title().replace('_', ' ')}: {i[1]}"
                                                 for i in concept.interventions]})
            for i in concept.interventions:
                labels_by_name[i[1]] = [label]
            model = "SINGLE_GROUP"
            if concept.comparator == "PLACEBO":
                groups.append({"label": "Placebo", "type": "PLACEBO_COMPARATOR",
                               "description": "Identical-looking product without active ingredient",
                               "interventionNames": ["Other: Placebo"]})
                model = "PARALLEL"
            elif concept.comparator == "ACTIVE":
                groups.append({"label": "Usual care", "type": "ACTIVE_COMPARATOR",
                               "description": "Advice leaflet and usual care",
                               "interventionNames": ["Other: Usual care"]})
                model = "PARALLEL"
        for kind, name, other, text in concept.interventions:
            item: dict[str, Any] = {"type": kind, "name": name, "description": text,
                                    "armGroupLabels": labels_by_name[name]}
            if other:
                item["otherNames"] = list(other)
            interventions.append(item)
        if concept.comparator == "PLACEBO":
            interventions.append({"type": "OTHER", "name": "Placebo",
                                  "description": "Matching inactive product",
                                  "armGroupLabels": ["Placebo"]})
        elif concept.comparator == "ACTIVE":
            interventions.append({"type": "OTHER", "name": "Usual care",
                                  "description": "Standard advice", "armGroupLabels":
                                  ["Usual care"]})
        masked = concept.comparator == "PLACEBO"
        info: dict[str, Any] = {
            "allocation": "NA" if model == "SINGLE_GROUP" else "RANDOMIZED",
            "interventionModel": model,
            "primaryPurpose": concept.purpose,
            "maskingInfo": {"masking": "QUADRUPLE", "whoMasked": [
                "PARTICIPANT", "CARE_PROVIDER", "INVESTIGATOR", "OUTCOMES_ASSESSOR"]}
            if masked else {"masking": "NONE"},
        }
        return info, {"armGroups": groups, "interventions": interventions}

    def outcomes(self, concept: Concept) -> dict[str, Any]:
        measure, description, frame = concept.outcome
        picks = self.rng.sample(SECONDARY, self.rng.randint(0, 3))
        module: dict[str, Any] = {"primaryOutcomes": [
            {"measure": measure, "description": description, "timeFrame": frame}]}
        if picks:
            module["secondaryOutcomes"] = [
                {"measure": m, "description": d, "timeFrame": t} for m, d, t in picks]
        return module

    def eligibility(self, concept: Concept, min_age: str | None, max_age: str | None,
                    sex: str, healthy: bool) -> dict[str, Any]:
        rng = self.rng
        inclusion = [f"Age {min_age.lower() if min_age else '0 years'}"
                     + (f" to {max_age.lower()}" if max_age else " or older")]
        inclusion += concept.inclusion or [f"Diagnosis of {concept.conditions[0].lower()}"]
        inclusion += rng.sample(GENERIC_INCLUSION, 2)
        exclusion = list(concept.exclusion) + rng.sample(GENERIC_EXCLUSION, 2)
        text = ("Inclusion Criteria:\n\n" + "\n".join(f"* {line}" for line in inclusion)
                + "\n\nExclusion Criteria:\n\n" + "\n".join(f"* {line}" for line in exclusion))
        module: dict[str, Any] = {"eligibilityCriteria": text}
        if rng.random() > 0.05:
            module["healthyVolunteers"] = healthy
        module["sex"] = sex
        if min_age is not None:
            module["minimumAge"] = min_age
        if max_age is not None:
            module["maximumAge"] = max_age
        module["stdAges"] = std_ages(min_age, max_age)
        return module

    def site_statuses(self, status: str) -> list[str]:
        return {
            "RECRUITING": ["RECRUITING"] * 4 + ["NOT_YET_RECRUITING"],
            "NOT_YET_RECRUITING": ["NOT_YET_RECRUITING"],
            "ENROLLING_BY_INVITATION": ["ENROLLING_BY_INVITATION"],
            "ACTIVE_NOT_RECRUITING": ["ACTIVE_NOT_RECRUITING"],
            "COMPLETED": ["COMPLETED"],
            "TERMINATED": ["TERMINATED", "COMPLETED"],
            "WITHDRAWN": ["WITHDRAWN"],
            "SUSPENDED": ["SUSPENDED"],
            "UNKNOWN": ["RECRUITING"],
        }[status]

    def contacts_locations(self, status: str, big: bool) -> dict[str, Any] | None:
        rng = self.rng
        open_ = status in ("RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION")
        if not big and status in ("WITHDRAWN", "UNKNOWN") and rng.random() < 0.45:
            return None  # no contacts or locations module at all
        module: dict[str, Any] = {}
        if open_:
            country = "United States"
            module["centralContacts"] = [self.contact(country)]
            if rng.random() < 0.4:
                module["centralContacts"].append(self.contact(country, "CONTACT"))
        name, _ = self.person()
        module["overallOfficials"] = [{"name": f"{name}, {rng.choice(DEGREES)}",
                                       "affiliation": rng.choice(SPONSORS)[0],
                                       "role": "PRINCIPAL_INVESTIGATOR"}]
        if big:
            places = [(US_FAR + BOSTON_AREA + ABROAD[:4])[i % 37] for i in range(BIG_SITES)]
            module["locations"] = [self.location(p, rng.choice(self.site_statuses(status)),
                                                 False) for p in places]
            return module
        if status == "NOT_YET_RECRUITING" and rng.random() < 0.4:
            return module  # central contacts only, sites not chosen yet
        n = rng.choice([1, 1, 2, 3, 4, 6, 9, 14])
        with_status = rng.random() < 0.5
        module["locations"] = [
            self.location(p, rng.choice(self.site_statuses(status)) if with_status else None,
                          open_ and rng.random() < 0.7)
            for p in self.pick_places(n)]
        return module

    def results(self, protocol: dict[str, Any], count: int) -> dict[str, Any]:
        arms = protocol.get("armsInterventionsModule", {}).get("armGroups", [])
        groups = [{"id": f"FG{i:03d}", "title": a["label"], "description": a.get("description",
                                                                                  "")}
                  for i, a in enumerate(arms)]
        per_group = max(1, count // max(1, len(groups)))
        dropped = [self.rng.randint(0, max(1, per_group // 5)) for _ in groups]
        milestones = [
            {"type": "STARTED", "achievements": [
                {"groupId": g["id"], "numSubjects": str(per_group)} for g in groups]},
            {"type": "COMPLETED", "achievements": [
                {"groupId": g["id"], "numSubjects": str(per_group - d)}
                for g, d in zip(groups, dropped, strict=True)]},
            {"type": "NOT COMPLETED", "achievements": [
                {"groupId": g["id"], "numSubjects": str(d)}
                for g, d in zip(groups, dropped, strict=True)]},
        ]
        return {"participantFlowModule": {
            "recruitmentDetails": "Fictional participants were recruited at fictional clinics.",
            "groups": groups,
            "periods": [{"title": "Overall Study", "milestones": milestones}]}}

    def derived(self, concept: Concept) -> dict[str, Any]:
        def leaves(meshes: list[tuple[str, str]]) -> list[dict[str, Any]]:
            return [{"id": f"M{int(mid[1:]) % 29000 + 1000}", "name": term, "asFound": term,
                     "relevance": "HIGH"} for mid, term in meshes]

        derived: dict[str, Any] = {"miscInfoModule": {"versionHolder": VERSION_HOLDER}}
        if concept.meshes:
            derived["conditionBrowseModule"] = {
                "meshes": [{"id": mid, "term": term} for mid, term in concept.meshes],
                "browseLeaves": leaves(concept.meshes),
                "browseBranches": [{"abbrev": b, "name": BRANCHES[b]} for b in concept.branches]
                + [{"abbrev": "All", "name": "All Conditions"}],
            }
        if concept.drug_meshes:
            derived["interventionBrowseModule"] = {
                "meshes": [{"id": mid, "term": term} for mid, term in concept.drug_meshes],
                "browseLeaves": leaves(concept.drug_meshes),
                "browseBranches": [{"abbrev": "All", "name": "All Drugs and Chemicals"}],
            }
        return derived


def plan(rng: random.Random) -> list[tuple[Concept, str]]:
    """Pick (concept, population) pairs: every concept once, then a second round.

    The first round uses each concept's first population, so the unusual ones (children,
    every age) are always present.
    """
    pairs: list[tuple[Concept, str]] = []
    seen: set[tuple[str, str]] = set()
    for concept in CONCEPTS:
        population = concept.populations[0]
        pairs.append((concept, population))
        seen.add((concept.title, population))
    extra = [c for c in CONCEPTS if len(c.populations) > 1]
    rng.shuffle(extra)
    for concept in extra:
        if len(pairs) >= N_STUDIES - 1:
            break
        options = [p for p in concept.populations if (concept.title, p) not in seen]
        if options:
            population = rng.choice(options)
            seen.add((concept.title, population))
            pairs.append((concept, population))
    while len(pairs) < N_STUDIES - 1:
        concept = rng.choice(CONCEPTS)
        population = rng.choice(list(POPULATIONS))
        if (concept.title, population) not in seen and not (
                population == "children" and concept.topic in ("als", "caffeine")):
            seen.add((concept.title, population))
            pairs.append((concept, population))
    rng.shuffle(pairs)
    return pairs


def build() -> list[dict[str, Any]]:
    maker = Maker()
    rng = maker.rng
    pairs = plan(rng)
    statuses = list(STATUSES)
    rng.shuffle(statuses)
    big_at = 17
    statuses.remove("RECRUITING")
    records: list[dict[str, Any]] = []
    for index in range(1, N_STUDIES + 1):
        if index == big_at:
            records.append(maker.study(index, BIG, "adults", "RECRUITING", big=True))
            continue
        concept, population = pairs.pop()
        records.append(maker.study(index, concept, population, statuses.pop()))
    # one study without enrollment information, as happens in real records
    records[8]["protocolSection"]["designModule"].pop("enrollmentInfo", None)
    return records


def _soften(name: str) -> str:
    """A treatment name inside a sentence: its first word lower-cased unless it looks like a
    proper name or code (any capital after the first letter, or a digit)."""
    first, _, rest = name.partition(" ")
    if any(c.isupper() or c.isdigit() for c in first[1:]):
        return name
    return f"{first.lower()} {rest}".strip() if rest else first.lower()


def main() -> None:
    records = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(records, ensure_ascii=False, separators=(",", ":"))
    # mtime=0: the same records always give the same bytes, so a re-run changes nothing in git.
    OUT.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    print(f"wrote {len(records)} studies, {len(text) / 1e6:.2f} MB -> {OUT}")


if __name__ == "__main__":
    main()
