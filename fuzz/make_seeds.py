#!/usr/bin/env python3
"""Adds the seed inputs of the fuzz targets to fuzz/corpus/<target>/ (named by SHA-1).

Run from the repository root: python3 fuzz/make_seeds.py. Sources: data/pestrechinsky
trimmed to a few schools and rows, tests/cases/*, tests/bad_inputs/* (each case laid
over its _base/ or _plan/, byte-level [[edit]]s left out) and fuzz/plan_network/plan/
(a plan the solver wrote for fuzz/plan_network/). The input formats are described in
fuzz/src/lib.rs (split_bundle, split_plan).
"""
import csv
import hashlib
import io
import os

SEP = b"\x1e"
BUNDLE = ["network.toml", "schools.csv", "links.csv", "rooms.csv", "courses.csv",
          "teachers.csv", "students.csv", "vehicles.csv"]
PLAN = ["groups.csv", "assignments.csv", "routes.csv", "transport.csv"]
OUT = "fuzz/corpus"


def join_bundle(files):
    mask, parts = 0, []
    for i, name in enumerate(BUNDLE):
        if name in files:
            parts.append(files[name])
        else:
            mask |= 1 << i
    return bytes([mask]) + SEP.join(parts)


def join_plan(files):
    parts = [files.get("groups.csv", b""), files.get("assignments.csv", b"")]
    if "routes.csv" in files or "transport.csv" in files:
        parts.append(files.get("routes.csv", b""))
    if "transport.csv" in files:
        parts.append(files["transport.csv"])
    return SEP.join(parts)


def save(target, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def read_dir(path, names):
    out = {}
    for n in names:
        p = os.path.join(path, n)
        if os.path.isfile(p):
            out[n] = open(p, "rb").read()
    return out


def trim(src, keep, per_school):
    """data/pestrechinsky cut down to the schools `keep` and a few students each."""
    def rows(f):
        return list(csv.reader(io.StringIO(open(os.path.join(src, f), encoding="utf-8").read())))

    def text(rs):
        b = io.StringIO()
        csv.writer(b, lineterminator="\n").writerows(rs)
        return b.getvalue().encode()

    files = {"network.toml": open(os.path.join(src, "network.toml"), "rb").read()}
    s = rows("schools.csv")
    files["schools.csv"] = text([s[0]] + [r for r in s[1:] if r[0] in keep])
    link = rows("links.csv")
    files["links.csv"] = text([link[0]] + [r for r in link[1:] if r[0] in keep and r[1] in keep])
    r = rows("rooms.csv")
    files["rooms.csv"] = text([r[0]] + [x for x in r[1:] if x[0] in keep][: 3 * len(keep)])
    t = rows("teachers.csv")
    tt = [x for x in t[1:] if x[2] in keep][: 3 * len(keep)]
    files["teachers.csv"] = text([t[0]] + tt)
    used = {c for x in tt for c in x[3].split()}
    c = rows("courses.csv")
    files["courses.csv"] = text([c[0]] + [x for x in c[1:] if x[0] in used])
    st = rows("students.csv")
    out, count = [], {}
    for x in st[1:]:
        if x[1] in keep and count.get(x[1], 0) < per_school:
            count[x[1]] = count.get(x[1], 0) + 1
            out.append([v if i < 4 or v in used else "" for i, v in enumerate(x)])
    files["students.csv"] = text([st[0]] + out)
    v = rows("vehicles.csv")
    files["vehicles.csv"] = text([v[0]] + [x for x in v[1:] if x[1] in keep])
    return files


def variants(files):
    """The same bundle as Excel might save it: semicolons, CRLF, BOM, Windows-1251."""
    yield files
    excel = {}
    for n, b in files.items():
        if n.endswith(".csv"):
            t = b.decode("utf-8")
            rs = list(csv.reader(io.StringIO(t)))
            buf = io.StringIO()
            csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows(rs)
            excel[n] = buf.getvalue().encode("cp1251", errors="replace")
        else:
            excel[n] = b"\xef\xbb\xbf" + b
    yield excel


def main():
    bundles = []
    for keep, n in [(["PES1", "KUL", "NADEZH"], 3), (["PES1", "SHALI"], 2)]:
        bundles.extend(variants(trim("data/pestrechinsky", keep, n)))
    bundles.append(read_dir("fuzz/plan_network", BUNDLE))
    for case in sorted(os.listdir("tests/cases")):
        bundles.append(read_dir(os.path.join("tests/cases", case), BUNDLE))
    plans = [read_dir("fuzz/plan_network/plan", PLAN)]
    plans.append(read_dir("fuzz/plan_network/plan", PLAN[:2]))
    bad = "tests/bad_inputs"
    if os.path.isdir(bad):
        base = read_dir(os.path.join(bad, "_base"), BUNDLE)
        plan = read_dir(os.path.join(bad, "_plan"), PLAN)
        for case in sorted(os.listdir(bad)):
            d = os.path.join(bad, case)
            if case.startswith("_") or not os.path.isdir(d):
                continue
            expect = open(os.path.join(d, "expect.toml")).read() if os.path.isfile(os.path.join(d, "expect.toml")) else ""
            if 'target = "plan"' in expect:
                plans.append({**plan, **read_dir(d, PLAN)})
            else:
                bundles.append({**base, **read_dir(d, BUNDLE)})
    for b in bundles:
        save("bundle", join_bundle(b))
        for n, data in b.items():
            if n.endswith(".csv"):
                save("table", data)
    for p in plans:
        save("plan", join_plan(p))
        for data in p.values():
            save("table", data)


if __name__ == "__main__":
    main()
