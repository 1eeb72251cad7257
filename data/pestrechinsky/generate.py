#!/usr/bin/env python3
"""Regenerate the sample network bundle `data/pestrechinsky/`.

What it makes (every file of SPEC section 1, UTF-8 without BOM, comma-separated,
"\\n" line endings), in the directory this script lives in:

    network.toml   day, periods, default group sizes and `wants`
    schools.csv    14 schools and 1 college of Pestrechinsky district (Tatarstan)
    links.csv      road links between them (minutes by school bus)
    rooms.csv      rooms open on the profile day (general, lab, computer, workshop)
    courses.csv    24 elective profile courses in four profiles
    teachers.csv   teachers of those courses (synthetic people)
    students.csv   grade 10-11 students with ranked choices (synthetic people)
    vehicles.csv   school buses

How to rerun (Python 3.11+, standard library only, no network):

    python3 data/pestrechinsky/generate.py           # write the bundle, then check it
    python3 data/pestrechinsky/generate.py --check   # only check the files already there

The output is deterministic: the random generator has a fixed seed (SEED below),
so rerunning gives byte-identical files. After writing, the script reads the files
back and checks them (unique ids, references, a connected road graph, a teacher and
a room for every course) and prints row counts and the demand for each course.

The place data (schools, coordinates, road links, rooms, vehicles) is hand-written
in the tables below. People (teachers, students), their names, qualifications and
choices are drawn at random from the distributions below. See data/README.md for
what is real and what is synthetic.
"""

import csv
import heapq
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

SEED = 20240901
OUT = Path(__file__).resolve().parent

# --------------------------------------------------------------------------------------
# Network settings (network.toml)
# --------------------------------------------------------------------------------------

NETWORK_TOML = """\
name = "Pestrechinsky district network"
day_start = "08:00"   # every student and teacher is at their home school
day_end = "17:00"     # ... and must be back there by this time
periods = ["09:00-09:45", "09:55-10:40", "11:00-11:45", "11:55-12:40",
           "13:00-13:45", "13:55-14:40", "14:50-15:35"]
min_group = 10        # default smallest group (a course may override)
max_group = 25        # default largest group
wants = 2             # default number of electives a student takes
"""
N_PERIODS = 7

# --------------------------------------------------------------------------------------
# Schools (hand-written). Coordinates are approximate (see data/README.md); the ones
# marked "rough" are placed by the district's general layout only.
# --------------------------------------------------------------------------------------

# id, name, kind, lat, lon, students in grades 10-11
SCHOOLS = [
    ("PES1", "Пестречинская средняя школа № 1", "school", 55.7500, 49.6500, 120),
    ("PES2", "Пестречинская средняя школа № 2", "school", 55.7565, 49.6385, 105),
    ("COLL", "Аграрный колледж, филиал в Пестрецах", "college", 55.7440, 49.6610, 0),
    ("SHALI", "Шалинская средняя школа (ресурсный центр)", "school", 55.6825, 49.6597, 65),
    ("KUL", "Кулаевская средняя школа", "school", 55.7080, 49.5750, 42),
    ("LKOK", "Ленино-Кокушкинская средняя школа", "school", 55.8275, 49.6869, 48),
    ("KRS", "Кряш-Сердинская средняя школа", "school", 55.7039, 49.9339, 30),
    ("PIM", "Пимерская средняя школа", "school", 55.7750, 49.8503, 20),
    ("PAN", "Пановская средняя школа", "school", 55.8250, 49.9411, 22),
    ("KOSH", "Кощаковская средняя школа", "school", 55.7994, 49.4064, 35),
    ("BOG", "Богородская средняя школа", "school", 55.7400, 49.4600, 25),      # rough
    ("SSHIG", "Старошигалеевская средняя школа", "school", 55.8000, 49.5100, 35),  # rough
    ("YANTS", "Янцеварская средняя школа", "school", 55.6600, 49.5400, 18),    # rough
    ("OTAR", "Отар-Дубровская средняя школа", "school", 55.6500, 49.7800, 15),  # rough
    ("NADEZH", "Надеждинская средняя школа", "school", 55.8100, 49.8000, 12),  # rough
]

# --------------------------------------------------------------------------------------
# Road links (hand-written): a tree around Pestretsy plus four cross links.
# Minutes ~ road distance (1.3 x straight line) at 45 km/h plus 3 min, rounded, with
# a few minutes added on minor roads. The three Pestretsy sites are 5 min apart.
# --------------------------------------------------------------------------------------

LINKS = [
    # Pestretsy (district centre)
    ("PES1", "PES2", 5),
    ("PES1", "COLL", 5),
    # main roads out of Pestretsy
    ("PES1", "SHALI", 15),    # south, towards the M7 and Shali
    ("PES1", "KUL", 14),      # south-west, old Kazan road
    ("PES1", "PIM", 24),      # east
    ("PES2", "LKOK", 18),     # north, Lenino-Kokushkino
    ("PES2", "SSHIG", 20),    # north-west
    # second-level roads
    ("KUL", "BOG", 17),
    ("SSHIG", "KOSH", 15),
    ("SHALI", "YANTS", 18),
    ("SHALI", "OTAR", 19),
    ("PIM", "KRS", 20),
    ("PIM", "PAN", 17),
    ("PIM", "NADEZH", 13),
    # cross links (minor roads)
    ("BOG", "KOSH", 18),
    ("KUL", "YANTS", 14),
    ("LKOK", "NADEZH", 18),
    ("OTAR", "KRS", 28),
]

# --------------------------------------------------------------------------------------
# Rooms (hand-written): school -> list of (suffix, capacity, kind, periods).
# `periods` empty = available all day. Room ids are "<school>-<suffix>".
# --------------------------------------------------------------------------------------

ALL = ""
ROOMS = {
    "PES1": [
        ("R1", 30, "general", ALL), ("R2", 28, "general", ALL), ("R3", 26, "general", ALL),
        ("R4", 25, "general", "3 4 5 6 7"), ("R5", 25, "general", "3 4 5 6 7"),
        ("R6", 20, "general", "1 2 3 4"),
        ("LAB1", 24, "lab", ALL), ("LAB2", 20, "lab", "3 4 5 6 7"),
        ("PC1", 15, "computer", ALL), ("PC2", 14, "computer", "4 5 6 7"),
        ("WS1", 16, "workshop", ALL),
    ],
    "PES2": [
        ("R1", 30, "general", ALL), ("R2", 28, "general", ALL), ("R3", 25, "general", ALL),
        ("R4", 24, "general", "3 4 5 6 7"), ("R5", 20, "general", "1 2 3"),
        ("LAB1", 24, "lab", ALL),
        ("PC1", 15, "computer", ALL),
    ],
    "COLL": [
        ("R1", 30, "general", ALL), ("R2", 25, "general", ALL), ("R3", 25, "general", "1 2 3 4"),
        ("WS1", 16, "workshop", ALL), ("WS2", 16, "workshop", ALL),
        ("WS3", 12, "workshop", "3 4 5 6 7"),
        ("PC1", 15, "computer", ALL), ("PC2", 12, "computer", ALL),
    ],
    "SHALI": [
        ("R1", 28, "general", ALL), ("R2", 25, "general", ALL), ("R3", 25, "general", ALL),
        ("R4", 20, "general", "3 4 5 6 7"),
        ("LAB1", 22, "lab", ALL), ("LAB2", 18, "lab", ALL),
        ("PC1", 14, "computer", ALL),
        ("WS1", 14, "workshop", "3 4 5 6 7"),
    ],
    "KUL": [
        ("R1", 25, "general", ALL), ("R2", 22, "general", ALL), ("R3", 20, "general", "3 4 5 6 7"),
        ("LAB1", 20, "lab", ALL),
        ("PC1", 12, "computer", ALL),
    ],
    "LKOK": [
        ("R1", 25, "general", ALL), ("R2", 24, "general", ALL), ("R3", 20, "general", "2 3 4 5 6"),
        ("LAB1", 20, "lab", "3 4 5 6 7"),
        ("PC1", 14, "computer", ALL),
    ],
    "KRS": [
        ("R1", 20, "general", ALL), ("R2", 18, "general", "3 4 5 6 7"),
        ("PC1", 12, "computer", "1 2 3 4"),
    ],
    "PIM": [
        ("R1", 18, "general", ALL), ("R2", 15, "general", "4 5 6 7"),
    ],
    "PAN": [
        ("R1", 20, "general", ALL), ("R2", 16, "general", ALL),
        ("PC1", 12, "computer", "3 4 5 6 7"),
    ],
    "KOSH": [
        ("R1", 25, "general", ALL), ("R2", 22, "general", ALL), ("R3", 18, "general", "1 2 3 4"),
        ("PC1", 14, "computer", ALL),
    ],
    "BOG": [
        ("R1", 22, "general", ALL), ("R2", 18, "general", "3 4 5 6 7"),
        ("PC1", 12, "computer", "1 2 3 4 5"),
    ],
    "SSHIG": [
        ("R1", 25, "general", ALL), ("R2", 22, "general", ALL), ("R3", 18, "general", "4 5 6 7"),
        ("PC1", 14, "computer", ALL),
    ],
    "YANTS": [
        ("R1", 18, "general", ALL), ("R2", 15, "general", "3 4 5 6 7"),
    ],
    "OTAR": [
        ("R1", 16, "general", ALL), ("R2", 15, "general", "1 2 3 4"),
    ],
    "NADEZH": [
        ("R1", 15, "general", ALL),
    ],
}

# --------------------------------------------------------------------------------------
# Vehicles (hand-written): one 22-seat bus per village school, two in Pestretsy.
# --------------------------------------------------------------------------------------

VEHICLES = [("BUS-PES-1", "PES1", 22), ("BUS-PES-2", "PES2", 22)] + [
    (f"BUS-{s}-1", s, 22)
    for s, *_ in SCHOOLS
    if s not in ("PES1", "PES2", "COLL")
]

# --------------------------------------------------------------------------------------
# Courses: id, name, periods, room_kind, min_group, max_group, distance, grades, profile.
# `profile` is used only by this script (it is not a bundle column).
# --------------------------------------------------------------------------------------

COURSES = [
    # science
    ("PHYS", "Физика (углублённый курс)", 1, "lab", "", "", "no", "", "SCI"),
    ("CHEM", "Химия: лабораторный практикум", 2, "lab", "", "", "no", "", "SCI"),
    ("BIO", "Биология: лабораторный практикум", 2, "lab", "", "", "no", "", "SCI"),
    ("MATHOL", "Решение олимпиадных задач по математике", 1, "general", "", "", "no", "", "SCI"),
    ("MED", "Основы медицинских знаний", 1, "general", "", "", "no", "", "SCI"),
    ("ASTRO", "Астрофизика", 1, "general", "", "", "yes", "11", "SCI"),
    # humanities
    ("LIT", "Литература (углублённый курс)", 1, "general", "", "", "no", "", "HUM"),
    ("HIST", "История (углублённый курс)", 1, "general", "", "", "yes", "", "HUM"),
    ("SOCST", "Обществознание (углублённый курс)", 1, "general", "", "", "no", "", "HUM"),
    ("ENG", "Английский язык (углублённый курс)", 1, "general", "", "", "yes", "", "HUM"),
    ("TATLIT", "Татарская литература", 1, "general", "", "", "yes", "", "HUM"),
    ("JOURN", "Основы журналистики", 1, "general", "", "", "no", "11", "HUM"),
    # socio-economic
    ("MATHADV", "Математика (углублённый курс)", 2, "general", "", "", "no", "", "SOC"),
    ("ECON", "Экономика", 1, "general", "", "", "yes", "", "SOC"),
    ("LAW", "Право", 1, "general", "", "", "yes", "", "SOC"),
    ("GEO", "География (углублённый курс)", 1, "general", "", "", "no", "", "SOC"),
    ("FINLIT", "Финансовая грамотность", 1, "general", "", "", "yes", "10", "SOC"),
    ("PSY", "Основы психологии", 1, "general", "", "", "no", "", "SOC"),
    # technology
    ("INF", "Информатика (углублённый курс)", 1, "computer", "", "", "no", "", "TECH"),
    ("PROG", "Программирование на Python", 2, "computer", "", "", "yes", "", "TECH"),
    ("ROBO", "Робототехника", 2, "workshop", "", "16", "no", "", "TECH"),
    ("ENGGR", "Инженерная графика и 3D-моделирование", 1, "computer", "", "", "no", "", "TECH"),
    ("AGRO", "Агротехнологии (мастерские колледжа)", 2, "workshop", "8", "", "no", "", "TECH"),
    ("UAV", "Беспилотные авиационные системы", 2, "workshop", "", "", "no", "10", "TECH"),
]
COURSE = {c[0]: c for c in COURSES}

# --------------------------------------------------------------------------------------
# Student choice model
# --------------------------------------------------------------------------------------

PROFILE_SHARE = {"SCI": 0.35, "SOC": 0.30, "TECH": 0.20, "HUM": 0.15}

# popularity within a profile (relative weights)
PROFILE_POP = {
    "SCI": {"BIO": 27, "CHEM": 24, "PHYS": 20, "MED": 14, "MATHOL": 9, "ASTRO": 3},
    "SOC": {"MATHADV": 22, "ECON": 20, "LAW": 20, "GEO": 11, "FINLIT": 10, "PSY": 5},
    "TECH": {"INF": 38, "PROG": 20, "ROBO": 16, "ENGGR": 12, "AGRO": 9, "UAV": 4},
    "HUM": {"SOCST": 28, "ENG": 26, "HIST": 20, "LIT": 16, "TATLIT": 5, "JOURN": 5},
}
# picks outside the student's profile come from courses everybody wants
CROSS_POP = {"ENG": 24, "MATHADV": 14, "INF": 12, "SOCST": 14, "BIO": 8, "ECON": 8,
             "LAW": 6}
P_CROSS_FIRST = 0.06   # chance that the first choice is outside the profile
P_CROSS_LATER = 0.25   # ... and each later choice
P_GRADE_RESPECT = 0.9  # chance that a grade-restricted course is skipped by the wrong grade
N_CHOICES = {4: 0.55, 3: 0.30, 2: 0.15}
WANTS = {"": 0.94, "1": 0.03, "3": 0.03}
P_GRADE_10 = 0.52

# --------------------------------------------------------------------------------------
# Teachers: specialty -> (courses always taught, optional extra courses)
# --------------------------------------------------------------------------------------

SPECIALTY = {
    "math": (["MATHADV"], ["MATHOL", "FINLIT"]),
    "phys": (["PHYS"], ["ASTRO", "ENGGR", "MATHOL"]),
    "chem": (["CHEM"], ["BIO", "MED"]),
    "bio": (["BIO"], ["MED", "CHEM"]),
    "inf": (["INF"], ["PROG", "ENGGR", "ROBO"]),
    "hist": (["HIST"], ["SOCST", "LAW"]),
    "soc": (["SOCST", "LAW"], ["ECON", "PSY"]),
    "econ": (["ECON"], ["LAW", "FINLIT", "GEO"]),
    "lit": (["LIT"], ["JOURN"]),
    "eng": (["ENG"], []),
    "tat": (["TATLIT"], ["LIT"]),
    "geo": (["GEO"], ["ECON", "BIO"]),
    "psy": (["PSY"], ["SOCST"]),
    "tech": (["ROBO"], ["ENGGR", "UAV"]),
    "agro": (["AGRO"], ["BIO"]),
    "uav": (["UAV"], ["ROBO", "ENGGR"]),
    "journ": (["JOURN", "LIT"], []),
}

# school -> specialties of the teachers there who teach profile electives
STAFF = {
    "PES1": ["math", "math", "phys", "chem", "bio", "inf", "soc", "econ", "eng", "psy"],
    "PES2": ["math", "phys", "bio", "inf", "hist", "journ", "eng", "geo"],
    "COLL": ["agro", "agro", "uav", "tech"],
    "SHALI": ["math", "chem", "bio", "inf", "tat", "eng", "tech"],
    "KUL": ["math", "phys", "soc", "eng"],
    "LKOK": ["math", "bio", "inf", "lit", "econ"],
    "KRS": ["math", "hist", "lit"],
    "PIM": ["tat", "chem"],
    "PAN": ["math", "soc"],
    "KOSH": ["math", "inf", "eng"],
    "BOG": ["bio", "geo"],
    "SSHIG": ["phys", "tat", "econ"],
    "YANTS": ["math"],
    "OTAR": ["hist"],
    "NADEZH": ["inf"],
}
MAX_PERIODS = {3: 0.2, 4: 0.35, 5: 0.3, 6: 0.15}
P_NO_TRAVEL = 0.2
TEACHER_PERIODS = {"": 0.86, "1 2 3 4": 0.05, "3 4 5 6 7": 0.05, "4 5 6 7": 0.04}

# synthetic names: (male, female) surname forms
SURNAMES = [
    ("Иванов", "Иванова"), ("Смирнов", "Смирнова"), ("Кузнецов", "Кузнецова"),
    ("Морозов", "Морозова"), ("Волков", "Волкова"), ("Соколов", "Соколова"),
    ("Лебедев", "Лебедева"), ("Козлов", "Козлова"), ("Новиков", "Новикова"),
    ("Павлов", "Павлова"), ("Семёнов", "Семёнова"), ("Голубев", "Голубева"),
    ("Виноградов", "Виноградова"), ("Богданов", "Богданова"), ("Фёдоров", "Фёдорова"),
    ("Михайлов", "Михайлова"), ("Орлов", "Орлова"), ("Никитин", "Никитина"),
    ("Захаров", "Захарова"), ("Тихонов", "Тихонова"), ("Белов", "Белова"),
    ("Хабибуллин", "Хабибуллина"), ("Гарипов", "Гарипова"), ("Мухаметзянов", "Мухаметзянова"),
    ("Галиев", "Галиева"), ("Зарипов", "Зарипова"), ("Хуснутдинов", "Хуснутдинова"),
    ("Валиев", "Валиева"), ("Шарипов", "Шарипова"), ("Ахметов", "Ахметова"),
    ("Гильманов", "Гильманова"), ("Нуриев", "Нуриева"), ("Сабиров", "Сабирова"),
    ("Латыпов", "Латыпова"), ("Файзуллин", "Файзуллина"), ("Хайруллин", "Хайруллина"),
    ("Мингазов", "Мингазова"), ("Исмагилов", "Исмагилова"), ("Закиров", "Закирова"),
    ("Камалов", "Камалова"), ("Шайхутдинов", "Шайхутдинова"), ("Яруллин", "Яруллина"),
    ("Гайнуллин", "Гайнуллина"), ("Юсупов", "Юсупова"), ("Садыков", "Садыкова"),
]
INITIALS_M = "АВГДИКМНРСТЭЮ"   # Айдар, Владимир, Гусман, Дмитрий, Ильдар, ...
INITIALS_F = "АГДЕИЛМНОРСТЭ"   # Алсу, Гульнара, Дина, Елена, Ирина, Лилия, ...
PATRONYMIC = "АВГДИМНРСФЮ"
P_FEMALE = 0.75


def pick(rng, weights):
    """One key of `weights` (dict key -> weight), drawn proportionally."""
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def admits(course_id, grade):
    g = COURSE[course_id][7]
    return not g or str(grade) in g.split()


# --------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------


def make_teachers(rng):
    rows, names = [], set()
    n = 0
    for school, specs in STAFF.items():
        for spec in specs:
            n += 1
            core, extra = SPECIALTY[spec]
            k = rng.choices([0, 1, 2], weights=[0.35, 0.45, 0.20])[0]
            k = min(k, len(extra), 3 - len(core))
            courses = core + rng.sample(extra, k)
            while True:
                female = rng.random() < P_FEMALE
                sur = rng.choice(SURNAMES)[1 if female else 0]
                ini = rng.choice(INITIALS_F if female else INITIALS_M)
                name = f"{sur} {ini}. {rng.choice(PATRONYMIC)}."
                if name not in names:
                    names.add(name)
                    break
            rows.append({
                "id": f"T{n:04d}",
                "name": name,
                "school": school,
                "courses": " ".join(courses),
                "max_periods": pick(rng, MAX_PERIODS),
                "travels": "no" if rng.random() < P_NO_TRAVEL else "yes",
                "periods": pick(rng, TEACHER_PERIODS),
            })
    return rows


def draw_choices(rng, profile, grade, n):
    chosen = []
    tries = 0
    while len(chosen) < n and tries < 200:
        tries += 1
        p_cross = P_CROSS_FIRST if not chosen else P_CROSS_LATER
        pool = CROSS_POP if rng.random() < p_cross else PROFILE_POP[profile]
        c = pick(rng, pool)
        if c in chosen:
            continue
        if not admits(c, grade) and rng.random() < P_GRADE_RESPECT:
            continue
        chosen.append(c)
    return chosen


def make_students(rng):
    rows = []
    n = 0
    for school, _name, kind, _lat, _lon, count in SCHOOLS:
        for _ in range(count):
            n += 1
            grade = 10 if rng.random() < P_GRADE_10 else 11
            profile = pick(rng, PROFILE_SHARE)
            k = pick(rng, N_CHOICES)
            choices = draw_choices(rng, profile, grade, k)
            choices += [""] * (4 - len(choices))
            rows.append({
                "id": f"P{n:04d}",
                "school": school,
                "grade": grade,
                "wants": pick(rng, WANTS),
                "choice_1": choices[0], "choice_2": choices[1],
                "choice_3": choices[2], "choice_4": choices[3],
            })
    return rows


def write_csv(name, header, rows):
    with open(OUT / name, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow([r[h] if isinstance(r, dict) else r[i] for i, h in enumerate(header)])


def generate():
    rng = random.Random(SEED)
    (OUT / "network.toml").write_text(NETWORK_TOML, encoding="utf-8")
    write_csv("schools.csv", ["id", "name", "kind", "lat", "lon"],
              [(s, nm, k, f"{la:.4f}", f"{lo:.4f}") for s, nm, k, la, lo, _ in SCHOOLS])
    write_csv("links.csv", ["from", "to", "minutes", "mode"],
              [(a, b, m, "road") for a, b, m in LINKS])
    write_csv("rooms.csv", ["school", "id", "capacity", "kind", "periods"],
              [(s, f"{s}-{suf}", cap, kind, per)
               for s, rooms in ROOMS.items() for suf, cap, kind, per in rooms])
    write_csv("courses.csv",
              ["id", "name", "periods", "room_kind", "min_group", "max_group", "distance",
               "grades"],
              [c[:8] for c in COURSES])
    teachers = make_teachers(rng)
    write_csv("teachers.csv",
              ["id", "name", "school", "courses", "max_periods", "travels", "periods"],
              teachers)
    students = make_students(rng)
    write_csv("students.csv",
              ["id", "school", "grade", "wants", "choice_1", "choice_2", "choice_3",
               "choice_4"],
              students)
    write_csv("vehicles.csv", ["id", "school", "seats"], VEHICLES)


# --------------------------------------------------------------------------------------
# Checks (read the written files back)
# --------------------------------------------------------------------------------------


def read(name):
    with open(OUT / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def check():
    errors = []

    def need(cond, msg):
        if not cond:
            errors.append(msg)

    schools, links, rooms = read("schools.csv"), read("links.csv"), read("rooms.csv")
    courses, teachers = read("courses.csv"), read("teachers.csv")
    students, vehicles = read("students.csv"), read("vehicles.csv")
    tables = {"schools": schools, "rooms": rooms, "courses": courses,
              "teachers": teachers, "students": students, "vehicles": vehicles}
    for t, rows in tables.items():
        ids = [r["id"] for r in rows]
        dup = [i for i, c in Counter(ids).items() if c > 1]
        need(not dup, f"{t}: duplicate ids {dup}")
        need(all(i and i.isascii() for i in ids), f"{t}: empty or non-ASCII id")
    S = {r["id"] for r in schools}
    C = {r["id"]: r for r in courses}

    # references
    for r in links:
        need(r["from"] in S and r["to"] in S, f"link {r['from']}-{r['to']}: unknown school")
        need(int(r["minutes"]) > 0, f"link {r['from']}-{r['to']}: minutes")
    pairs = [frozenset((r["from"], r["to"])) for r in links]
    need(len(pairs) == len(set(pairs)), "links: duplicate pair")
    for t in ("rooms", "teachers", "students", "vehicles"):
        for r in tables[t]:
            need(r["school"] in S, f"{t} {r['id']}: unknown school {r['school']}")
    for r in teachers:
        for c in r["courses"].split():
            need(c in C, f"teacher {r['id']}: unknown course {c}")
    for r in students:
        ch = [r[f"choice_{i}"] for i in range(1, 5) if r[f"choice_{i}"]]
        need(len(ch) == len(set(ch)), f"student {r['id']}: repeated choice")
        for c in ch:
            need(c in C, f"student {r['id']}: unknown course {c}")
    for r in rooms:
        for p in r["periods"].split():
            need(1 <= int(p) <= N_PERIODS, f"room {r['id']}: period {p}")

    # travel times (all-pairs shortest paths) and connectivity
    adj = defaultdict(list)
    for r in links:
        adj[r["from"]].append((r["to"], int(r["minutes"])))
        adj[r["to"]].append((r["from"], int(r["minutes"])))

    def dijkstra(src):
        dist, pq = {src: 0}, [(0, src)]
        while pq:
            d, u = heapq.heappop(pq)
            if d > dist[u]:
                continue
            for v, w in adj[u]:
                if d + w < dist.get(v, 1e9):
                    dist[v] = d + w
                    heapq.heappush(pq, (d + w, v))
        return dist

    dist = {s: dijkstra(s) for s in S}
    need(len(dist["PES1"]) == len(S), f"road graph not connected: {S - set(dist['PES1'])}")
    far = max(dist[a][b] for a in S for b in S if b in dist[a])

    # every course: a room of its kind, a qualified teacher, and a feasible pairing
    def avail(periods):
        return set(map(int, periods.split())) if periods.strip() else set(range(1, N_PERIODS + 1))

    for cid, c in C.items():
        kind, length = c["room_kind"], int(c["periods"])
        krooms = [r for r in rooms if r["kind"] == kind]
        need(krooms, f"course {cid}: no room of kind {kind}")
        qual = [t for t in teachers if cid in t["courses"].split()]
        need(qual, f"course {cid}: no qualified teacher")
        ok = False
        for t in qual:
            for r in krooms:
                if t["travels"] == "no" and t["school"] != r["school"]:
                    continue
                if r["school"] not in dist[t["school"]]:
                    continue
                free = avail(t["periods"]) & avail(r["periods"])
                if any(all(p + i in free for i in range(length))
                       for p in range(1, N_PERIODS - length + 2)) \
                        and int(t["max_periods"] or N_PERIODS) >= length:
                    ok = True
        need(ok, f"course {cid}: no teacher can reach a free {kind} room for {length} period(s)")

    # report
    print(f"schools {len(schools)} ({Counter(r['kind'] for r in schools)}), links {len(links)}, "
          f"longest shortest path {far} min")
    print(f"rooms {len(rooms)}: " + ", ".join(
        f"{k} {n}" for k, n in sorted(Counter(r['kind'] for r in rooms).items())))
    print(f"courses {len(courses)}: {sum(c['distance'] == 'yes' for c in courses)} distance, "
          f"{sum(c['periods'] == '2' for c in courses)} two-period, "
          f"{sum(bool(c['grades']) for c in courses)} grade-restricted")
    print(f"teachers {len(teachers)}: {sum(t['travels'] == 'no' for t in teachers)} do not travel, "
          f"{sum(bool(t['periods']) for t in teachers)} with restricted periods")
    print(f"students {len(students)}: grades {dict(sorted(Counter(r['grade'] for r in students).items()))}, "
          f"wants {dict(sorted(Counter(r['wants'] or '(2)' for r in students).items()))}, "
          f"choices {dict(sorted(Counter(sum(bool(r[f'choice_{i}']) for i in range(1, 5)) for r in students).items()))}")
    print("students per school: " + ", ".join(
        f"{s} {n}" for s, n in Counter(r["school"] for r in students).items()))
    print(f"vehicles {len(vehicles)}, seats {sum(int(v['seats']) for v in vehicles)}")
    teach = Counter(c for t in teachers for c in t["courses"].split())
    print()
    print(f"{'course':8} {'1st':>4} {'2nd':>4} {'1st+2nd':>7} {'any':>4} {'wrong grade':>11} {'teachers':>8}")
    demand = {}
    for cid, c in C.items():
        r1 = sum(r["choice_1"] == cid for r in students)
        r2 = sum(r["choice_2"] == cid for r in students)
        anyr = sum(cid in (r["choice_1"], r["choice_2"], r["choice_3"], r["choice_4"])
                   for r in students)
        bad = sum(bool(cid in (r["choice_1"], r["choice_2"], r["choice_3"], r["choice_4"])
                       and c["grades"] and r["grade"] not in c["grades"].split())
                  for r in students)
        demand[cid] = r1 + r2
        print(f"{cid:8} {r1:4} {r2:4} {r1 + r2:7} {anyr:4} {bad:11} {teach[cid]:8}")
    print()
    if errors:
        print("PROBLEMS:")
        for e in errors:
            print("  " + e)
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    if "--check" not in sys.argv[1:]:
        generate()
    sys.exit(check())
