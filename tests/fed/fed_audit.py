#!/usr/bin/env python3
"""fed_audit.py: the checks of fed_audit.sh on what crossed between sites.

  plant SITE.h5                   writes the canary into one site's records: a twin
                                  named CANARY-q7Zx and two state values (gp of that
                                  twin at steps 100, 101) set to 271.8281828459045
                                  and 314.1592653589793
  opens TRACE_PREFIX SITES...     strace logs of rank r = site r: each opened its own
                                  file and the reference set, and no other site's file
  audit RUN                       RUN.h5.audit/ and RUN.h5.json: every message no larger than
                                  one update, each payload's size is its log line's,
                                  every send logged by its receiver; no payload holds
                                  the canary (name, float64 values, the float32 pair)
                                  nor any nonzero float64 record value of the canary
                                  site; the scanner flags a planted leaky buffer
  view A A2 B P                   the leader's view: A and A2 (same data, fresh keys)
                                  the same model while every masked update differs in
                                  >= 99.9% of its 64-bit words; B (one site's records
                                  all changed) another model, its masked updates as
                                  different; every masked update's bytes uniform
                                  (chi-square < 400, 255 dof), the plain updates of P
                                  (no secure aggregation) not
"""
import glob, json, os, re, struct, sys

import h5py

CANARY_NAME = b"CANARY-q7Zx"
C1, C2 = 271.8281828459045, 314.1592653589793


def plant(path):
    with h5py.File(path, "r+") as f:
        names = f["/twins/name"]
        names[1] = CANARY_NAME
        gp = f["/states/gp"]
        row = gp[1, :]
        row[100], row[101] = C1, C2
        gp[1, :] = row
    print("planted the canary in", path)


def record_values(path):
    """Every nonzero float64 value of the site's states and inputs, as 8 bytes."""
    out = set()
    with h5py.File(path, "r") as f:
        for group in ("/states", "/inputs"):
            for name in f[group]:
                for v in f[group][name][()].ravel():
                    if v != 0:
                        out.add(struct.pack("<d", float(v)))
    return out


def leaks(buf, values):
    needles = [CANARY_NAME, struct.pack("<d", C1), struct.pack("<d", C2), struct.pack("<ff", C1, C2)]
    found = [n for n in needles if n in buf]
    found += [buf[i:i + 8] for i in range(len(buf) - 7) if buf[i:i + 8] in values][:1]
    return found


def opens(prefix, sites):
    bad = 0
    for r, site in enumerate(sites):
        lines = [l for l in open("%s.%d" % (prefix, r)) if "open" in l and "ENOENT" not in l]
        opened = set(re.findall(r'"([^"]*\.h5)"', "".join(lines)))
        own, others = "site-%s.h5" % site, ["site-%s.h5" % s for s in sites if s != site]
        mine = any(p.endswith(own) for p in opened)
        ref = any(p.endswith("ref.h5") for p in opened)
        foreign = [p for p in opened if any(p.endswith(o) for o in others)]
        if not mine or not ref or foreign:
            print("FAIL: rank %d (site %s) opened %s" % (r, site, sorted(opened)))
            bad = 1
        else:
            print("ok: site %s opened its own file and the reference set, no other site's (%d .h5 opens)"
                  % (site, len(opened)))
    return bad


def audit(run, canary_site):
    report = json.load(open(run + ".h5.json"))
    limit = report["update_bytes"]
    lines = []
    for path in glob.glob(run + ".h5.audit/*.jsonl"):
        lines += [json.loads(l) for l in open(path)]
    sends = [l for l in lines if l["dir"] == "send"]
    recvs = {(l["round"], l["from"], l["to"], l["kind"], l["bytes"]) for l in lines if l["dir"] == "recv"}
    bad = 0
    for l in sends:
        key = (l["round"], l["from"], l["to"], l["kind"], l["bytes"])
        if key not in recvs:
            print("FAIL: sent but not received:", l); bad = 1
        if l["bytes"] > limit:
            print("FAIL: a message larger than an update (%d bytes):" % limit, l); bad = 1
    if len(recvs) != len(sends):
        print("FAIL: %d sends, %d receives" % (len(sends), len(recvs))); bad = 1
    values = record_values(canary_site)
    payloads = glob.glob(run + ".h5.audit/payloads/*.bin")
    if len(payloads) != len(sends):
        print("FAIL: %d payloads for %d messages" % (len(payloads), len(sends))); bad = 1
    scanned = 0
    for p in payloads:
        buf = open(p, "rb").read()
        m = re.match(r"r(-?\d+)-([^-]+)-([^-]+)-(.+)\.bin$", os.path.basename(p))
        size = [l["bytes"] for l in sends if (l["round"], l["from"], l["to"], l["kind"]) ==
                (int(m.group(1)), m.group(2), m.group(3), m.group(4))]
        if size != [len(buf)]:
            print("FAIL: %s holds %d bytes, the log says %s" % (p, len(buf), size)); bad = 1
        found = leaks(buf, values)
        if found:
            print("FAIL: %s carries record data: %r" % (p, found[:3])); bad = 1
        scanned += len(buf)
    leaky = os.urandom(1000) + sorted(values)[len(values) // 2] + os.urandom(1000)
    if not leaks(leaky, values) or not leaks(b"xx" + struct.pack("<ff", C1, C2), values):
        print("FAIL: the scanner misses a planted record value"); bad = 1
    if not bad:
        print("ok: %d messages (%d bytes) no larger than an update (%d bytes), each logged by both ends; none "
              "carries the canary or any of the site's %d record values (the scanner finds a planted one)"
              % (len(sends), scanned, limit, len(values)))
    return bad


def updates(run):
    out = {}
    for p in glob.glob(run + ".h5.audit/payloads/*update.bin"):
        out[os.path.basename(p)] = open(p, "rb").read()
    return out


def chi_square(buf):
    count = [0] * 256
    for b in buf:
        count[b] += 1
    e = len(buf) / 256.0
    return sum((c - e) ** 2 / e for c in count)


def differing_words(a, b):
    words = len(a) // 8
    return sum(a[i * 8:i * 8 + 8] != b[i * 8:i * 8 + 8] for i in range(words)) / words


def same_file_weights(a, b):
    with h5py.File(a + ".h5", "r") as fa, h5py.File(b + ".h5", "r") as fb:
        names = []
        fa.visit(lambda n: names.append(n) if isinstance(fa[n], h5py.Dataset) else None)
        return all(n in fb and (fa[n][()] == fb[n][()]).all() for n in names)


def view(a, a2, b, p):
    bad = 0
    ua, ua2, ub, up = updates(a), updates(a2), updates(b), updates(p)
    if not ua or set(ua) != set(ua2) or set(ua) != set(ub):
        print("FAIL: masked updates missing or unmatched:", len(ua), len(ua2), len(ub)); return 1
    if not same_file_weights(a, a2):
        print("FAIL: the same data with fresh keys gave another model"); bad = 1
    if same_file_weights(a, b):
        print("FAIL: one site's records changed, the model did not"); bad = 1
    worst_same = min(differing_words(ua[k], ua2[k]) for k in ua)
    worst_changed = min(differing_words(ua[k], ub[k]) for k in ua)
    chi = max(chi_square(u[k]) for u in (ua, ua2, ub) for k in u)
    chi_plain = min(chi_square(v) for v in up.values())
    print("masked updates: %d per run; words differing, same data: >= %.5f, one site changed: >= %.5f; "
          "chi-square over bytes: masked <= %.1f, plain >= %.0f" % (len(ua), worst_same, worst_changed, chi, chi_plain))
    if worst_same < 0.999 or worst_changed < 0.999:
        print("FAIL: masked updates repeat between runs"); bad = 1
    if chi >= 400:
        print("FAIL: a masked update is not uniform"); bad = 1
    if chi_plain < 400:
        print("FAIL: the control (plain updates) looks uniform: the uniformity check cannot fail"); bad = 1
    if not bad:
        print("ok: the leader's view: per-site messages uniform and fresh each run; the model moves only with the data")
    return bad


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "plant":
        plant(sys.argv[2])
        sys.exit(0)
    if cmd == "opens":
        sys.exit(opens(sys.argv[2], sys.argv[3:]))
    if cmd == "audit":
        sys.exit(audit(sys.argv[2], sys.argv[3]))
    if cmd == "view":
        sys.exit(view(*sys.argv[2:6]))
    sys.exit("usage: fed_audit.py plant|opens|audit|view ...")
