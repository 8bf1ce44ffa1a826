#!/usr/bin/env python3
"""The benchmark harness: starts the suite (release build) on generated data at Tuscany and at
national scale, drives the endpoints users hit with wrk, measures the ceiling of each endpoint's
own SQL with pgbench at the same concurrency, samples each service's peak RSS, times the
Applicativo Intese sync job's first full pull of the feed, and writes BENCHMARKS.md. Each run's
figures are kept in deploy/bench/results.json, so a run of one scale or one part (--only) updates
its own figures and BENCHMARKS.md is written from all of them. Run it through ./deploy/bench/run
(which readies PostgreSQL and the build)."""

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.path.join(os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target"), "release")
SERVICES = {"agreements": 9181, "catalogue": 9182, "adhesion": 9183, "monitoring": 9184}
ADMIN_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def db_url(name):
    base = ADMIN_URL.split("?")[0].rsplit("/", 1)[0]
    return f"{base}/{name}?sslmode=disable"


def psql(url, sql=None, file=None, variables=None):
    cmd = ["psql", url, "-v", "ON_ERROR_STOP=1", "-qAt"]
    for k, v in (variables or {}).items():
        cmd += ["-v", f"{k}={v}"]
    cmd += ["-f", file] if file else ["-c", sql]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip()


def env_for(service, scale):
    env = dict(os.environ)
    env.update({
        "APQ_DATABASE__URL": db_url(f"apq_bench_{scale}_{service}"),
        "APQ_SERVER__PORT": str(SERVICES[service]),
        "APQ_SERVER__WORKERS": "2",
        "APQ_DATABASE__POOL_SIZE": "16",
        "APQ_DATABASE__MIN_IDLE": "16",
        "APQ_AUTH__PUBLIC_KEY_PATH": os.path.join(REPO, ".data", "keys", "public.pem"),
        "APQ_RATE_LIMIT__REQUESTS_PER_WINDOW": "0",
        "APQ_LOG__FILTER": "error",
    })
    for peer, port in SERVICES.items():
        if peer != service:
            env[f"APQ_PEERS__{peer.upper()}__BASE_URL"] = f"http://127.0.0.1:{port}"
    return env


def prepare(scale):
    for service in SERVICES:
        name = f"apq_bench_{scale}_{service}"
        psql(ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        psql(ADMIN_URL, f'CREATE DATABASE "{name}"')
        subprocess.run([os.path.join(BIN, f"apq-{service}"), "load-dataset"], env=env_for(service, scale), check=True,
                       capture_output=True)
        started = time.time()
        psql(db_url(name), file=os.path.join(REPO, "deploy", "bench", f"generate-{service}.sql"), variables={"scale": scale})
        psql(db_url(name), "VACUUM ANALYZE")  # as autovacuum would have, so index-only scans apply
        if service == "monitoring" and scale == "tuscany":
            # 20 semesters of schede for the IV Atto's three interventi (their ids are the register's).
            rows = psql(db_url(f"apq_bench_{scale}_agreements"), "SELECT id || ' ' || code FROM interventi").split("\n")
            values = ",".join(f"('{r.split()[0]}'::uuid, '{r.split()[1]}')" for r in rows if r)
            psql(db_url(name), f"""INSERT INTO schede (id, intervento_id, intervento_code, semester, state, sal, planned_sal,
                commitments, payments, intervento)
              SELECT md5(i.code || s)::uuid, i.id, i.code, (2000 + s / 2) || '-S' || (1 + s % 2),
                     CASE WHEN s % 3 = 0 THEN 'submitted' ELSE 'validated' END, least(100, s * 5), least(100, s * 5 + 5),
                     100000.00 * s, 50000.00 * s, jsonb_build_object('code', i.code)
              FROM (VALUES {values}) AS i(id, code), generate_series(0, 19) s ON CONFLICT DO NOTHING""")
        print(f"  {service}: data ready in {time.time() - started:.1f} s", flush=True)


def start(scale):
    procs = {}
    for service in SERVICES:
        procs[service] = subprocess.Popen([os.path.join(BIN, f"apq-{service}"), "serve"], env=env_for(service, scale),
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for service, port in SERVICES.items():
        for _ in range(200):
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=1).status == 200:
                    break
            except Exception:
                time.sleep(0.1)
        else:
            raise SystemExit(f"{service} did not become ready")
    return procs


def token(*args):
    return subprocess.run([os.path.join(BIN, "apq"), "--keys", os.path.join(REPO, ".data", "keys"), "token", *args],
                          check=True, capture_output=True, text=True).stdout.strip()


def wrk(port, paths, bearer, duration, connections, warmup=2):
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write("paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n")
    script.write(f'wrk.headers["Authorization"] = "Bearer {bearer}"\n')
    script.write("request = function()\n  return wrk.format(nil, paths[math.random(#paths)])\nend\n")
    script.close()
    # A short run first, not measured: every pooled connection prepares its statements and every
    # peer connection opens, as they would have long before in a service that has been up a while.
    subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{warmup}s", "-s", script.name, f"http://127.0.0.1:{port}"],
                   check=True, capture_output=True)
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s", script.name,
                          f"http://127.0.0.1:{port}"], check=True, capture_output=True, text=True).stdout
    os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": pct(50), "p99": pct(99), "non2xx": int(errors.group(1)) if errors else 0}


def pgbench(dbname, script, duration, connections):
    f = tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False)
    f.write(script)
    f.close()
    out = subprocess.run(["pgbench", "-n", "-M", "prepared", f"-c{connections}", "-j2", f"-T{duration}", "-f", f.name,
                          db_url(dbname)], check=True, capture_output=True, text=True).stdout
    os.unlink(f.name)
    return float(re.search(r"tps = ([\d.]+)", out).group(1))


def peak_rss(procs):
    rss = {}
    for service, proc in procs.items():
        with open(f"/proc/{proc.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    rss[service] = int(line.split()[1]) / 1024
    return rss


def sync_pull(scale):
    """The sync job's first full pull of the feed into an empty directory, as a fresh install
    runs it: every scheda written and flushed, acknowledged a page at a time. Its JSON progress
    lines (one per page) give the rate at the start and at the end of the pull."""
    with tempfile.TemporaryDirectory(prefix=f"apq-bench-sync-{scale}-") as target:
        env = dict(os.environ, APQ_SYNC_TOKEN=token("--role", "sync"))
        started = time.time()
        done = subprocess.run([os.path.join(BIN, "apq-intese-sync"), "--feed", f"http://127.0.0.1:{SERVICES['monitoring']}",
                               "--target-dir", target, "--batch", "200"], env=env, capture_output=True, text=True)
        elapsed = time.time() - started
        if done.returncode != 0:
            raise SystemExit(f"the sync job failed: {done.stderr[-2000:]}")
        pages = []
        for line in done.stderr.splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            fields = event.get("fields", {})
            if "page" in fields:
                # chrono's RFC 3339 has nanoseconds; Python reads microseconds.
                stamp = re.sub(r"(\.\d{6})\d+", r"\1", event["timestamp"])
                pages.append((datetime.datetime.fromisoformat(stamp).timestamp(), fields["delivered"]))
        files = sum(1 for name in os.listdir(target) if name.endswith(".json"))
    delivered = pages[-1][1] if pages else 0

    def rate(chunk):
        (t0, n0), (t1, n1) = chunk[0], chunk[-1]
        return (n1 - n0) / (t1 - t0) if t1 > t0 else None

    tenth = max(2, len(pages) // 10)
    return {"delivered": delivered, "files": files, "seconds": elapsed, "rate": delivered / elapsed if elapsed else None,
            "first": rate(pages[:tenth]) if len(pages) > 2 else None,
            "last": rate(pages[-tenth:]) if len(pages) > 2 else None, "batch": 200}


def puc_file(scale, procs, semester="2010-S1"):
    """The national file of a semester as the Region downloads it (`GET /v1/puc/{semester}?format=file`,
    streamed): seconds to the last byte, its records and bytes (the FF trailer's count checked
    against the records read), and the monitoring service's resident memory before and its peak
    while it writes the file (VmHWM reset through /proc/PID/clear_refs just before)."""
    pid = procs["monitoring"].pid
    with open(f"/proc/{pid}/clear_refs", "w") as clear:
        clear.write("5")
    with open(f"/proc/{pid}/status") as status:
        before = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024
    request = urllib.request.Request(f"http://127.0.0.1:{SERVICES['monitoring']}/v1/puc/{semester}?format=file")
    started = time.time()
    size, lines, last = 0, 0, b""
    with urllib.request.urlopen(request, timeout=600) as answer:
        for line in answer:
            size += len(line)
            lines += 1
            last = line
    elapsed = time.time() - started
    trailer = last.decode().rstrip("\r\n").split("#")
    records = lines - 2
    if trailer[0] != "FF" or int(trailer[2]) != records:
        raise SystemExit(f"the PUC file of {semester} does not end with its trailer: {last[:80]!r}")
    projects = psql(db_url(f"apq_bench_{scale}_monitoring"), "SELECT count(*) FROM puc_projects WHERE cancelled_on IS NULL")
    return {"semester": semester, "seconds": elapsed, "records": records, "bytes": size, "projects": int(projects),
            "rss_before": before, "rss_peak": peak_rss(procs)["monitoring"]}


PARTS = ("endpoints", "sync", "puc")


def parts(raw):
    chosen = set(raw.split(","))
    if not chosen <= {"all", *PARTS}:
        raise argparse.ArgumentTypeError(f"parts are {', '.join(PARTS)} or all")
    return chosen


def wants(only, part):
    return "all" in only or part in only


def run_scale(scale, duration, connections, only):
    print(f"== {scale} scale", flush=True)
    prepare(scale)
    procs = start(scale)
    try:
        a_db, g_db, m_db = (f"apq_bench_{scale}_{s}" for s in ("adhesion", "agreements", "monitoring"))
        region = "" if scale == "national" else "AND region_code = '09'"
        codes = psql(db_url(a_db), f"SELECT code FROM enti WHERE kind = 'comune' {region} ORDER BY code").split("\n")
        psql(db_url(a_db), "DROP TABLE IF EXISTS bench_codes; CREATE TABLE bench_codes AS SELECT row_number() OVER (ORDER BY code) AS i, code::text AS code "
             f"FROM enti WHERE kind = 'comune' {region}; ALTER TABLE bench_codes ADD PRIMARY KEY (i)")
        interventi = psql(db_url(g_db), "SELECT id || ' ' || code FROM interventi ORDER BY code").split("\n")
        ids = [i.split()[0] for i in interventi]
        icodes = [i.split()[1] for i in interventi]
        psql(db_url(g_db), "DROP TABLE IF EXISTS bench_ids; CREATE TABLE bench_ids AS SELECT row_number() OVER (ORDER BY code) AS i, id, code "
             "FROM interventi; ALTER TABLE bench_ids ADD PRIMARY KEY (i)")
        # The intervento codes again in monitoring's database, for its share of the eligibility SQL.
        with tempfile.NamedTemporaryFile("w", suffix=".sql") as f:
            f.write("DROP TABLE IF EXISTS bench_icodes; CREATE TABLE bench_icodes (i bigint PRIMARY KEY, code text NOT NULL);\n"
                    "INSERT INTO bench_icodes VALUES " + ",".join(f"({n + 1}, '{c}')" for n, c in enumerate(icodes)) + ";\n")
            f.flush()
            psql(db_url(m_db), file=f.name)
        max_seq = int(psql(db_url(m_db), "SELECT coalesce(max(change_seq), 1) FROM schede"))
        admin, sync = token("--role", "admin"), token("--role", "sync")
        n_codes, n_ids = len(codes), len(ids)
        endpoints = [
            ("A comune's activated services", "adhesion", [f"/v1/enti/{c}/adhesions?state=active" for c in codes], admin,
             [(a_db, f"""\\set r random(1, {n_codes})
SELECT a.*, e.code, e.name, v.code FROM adhesions a JOIN enti e ON e.id = a.ente_id LEFT JOIN enti v ON v.id = a.via_aggregation_id
WHERE e.code = (SELECT code FROM bench_codes WHERE i = :r) AND a.state = 'active' ORDER BY a.service_number, a.sub_service, a.requested_on;
""")]),
            ("A service's adhering bodies", "adhesion", [f"/v1/services/{n}/adhesions?state=active&limit=50" for n in range(1, 20)], admin,
             [(a_db, """\\set n random(1, 19)
SELECT * FROM adhesions WHERE state = 'active' AND service_number = :n ORDER BY id LIMIT 51;
SELECT id, code, name FROM enti WHERE id IN (SELECT ente_id FROM adhesions WHERE state = 'active' AND service_number = :n ORDER BY id LIMIT 51);
""")]),
            ("An intervento's financial summary", "agreements", [f"/v1/interventi/{i}/financial-summary" for i in ids], admin,
             [(g_db, f"""\\set r random(1, {n_ids})
SELECT * FROM interventi WHERE id = (SELECT id FROM bench_ids WHERE i = :r);
SELECT * FROM financing_sources WHERE intervento_id = (SELECT id FROM bench_ids WHERE i = :r) ORDER BY position;
SELECT * FROM tranches WHERE intervento_id = (SELECT id FROM bench_ids WHERE i = :r) ORDER BY seq;
""")]),
            ("Tranche eligibility (three services)", "monitoring", [f"/v1/interventi/{c}/eligibility" for c in icodes], admin, [
                # agreements: the tranche plan by the intervento's code
                (g_db, f"""\\set r random(1, {n_ids})
SELECT * FROM interventi WHERE code = (SELECT code FROM bench_ids WHERE i = :r);
SELECT * FROM tranches WHERE intervento_id = (SELECT id FROM bench_ids WHERE i = :r) ORDER BY seq;
"""),
                # adhesion: the region's figures, kept for today
                (a_db, """SELECT figures FROM figures_summaries WHERE as_of = current_date AND service_number = 0
  AND region_code = '09' AND generation = (SELECT generation FROM figures_generation);
"""),
                # monitoring: the Piano's approval, the validated SALs, the verified operation
                (m_db, f"""\\set r random(1, {n_ids})
SELECT done_on FROM obligations_done WHERE kind = 'piano_approved' AND done_on <= current_date LIMIT 1;
SELECT sal FROM schede WHERE intervento_code = (SELECT code FROM bench_icodes WHERE i = :r) AND state = 'validated' ORDER BY semester;
SELECT verified_from, verified_to FROM operation_periods WHERE intervento_code = (SELECT code FROM bench_icodes WHERE i = :r);
"""),
            ]),
            ("The semester feed page", "monitoring", [f"/v1/feed?cursor={c}&limit=50" for c in range(0, max_seq, max(1, max_seq // 200))], sync,
             [(m_db, f"""\\set c random(0, {max_seq})
SELECT * FROM schede WHERE change_seq > :c AND state IN ('submitted', 'validated') ORDER BY change_seq LIMIT 51;
SELECT * FROM indicators ORDER BY code;
""")]),
        ]
        puc = None
        if wants(only, "puc"):
            puc = puc_file(scale, procs)
            print(f"  PUC file: {puc['records']} records of {puc['projects']} projects in {puc['seconds']:.1f} s, "
                  f"monitoring {puc['rss_before']:.1f} MB before, {puc['rss_peak']:.1f} MB at its peak", flush=True)
        results = []
        for title, service, paths, bearer, parts in (endpoints if wants(only, "endpoints") else []):
            http = wrk(SERVICES[service], paths, bearer, duration, connections)
            # Each part of the endpoint's SQL (one per database it touches) runs alone at the same
            # concurrency; the ceiling is the rate of running them one after the other.
            ceiling = 1 / sum(1 / pgbench(dbname, script, duration, connections) for dbname, script in parts)
            results.append({"endpoint": title, **http, "ceiling": ceiling})
            print(f"  {title}: {http['rps']:.0f} req/s, p50 {http['p50']:.2f} ms, p99 {http['p99']:.2f} ms, "
                  f"ceiling {ceiling:.0f}/s, non-2xx {http['non2xx']}", flush=True)
        rss = peak_rss(procs)
        sync = None
        if wants(only, "sync"):
            sync = sync_pull(scale)
            print(f"  sync job: {sync['delivered']} schede in {sync['seconds']:.1f} s", flush=True)
        counts = {
            "comuni": psql(db_url(a_db), "SELECT count(*) FROM enti WHERE kind = 'comune'"),
            "adhesions": psql(db_url(a_db), "SELECT count(*) FROM adhesions"),
            "interventi": psql(db_url(g_db), "SELECT count(*) FROM interventi"),
            "services": psql(db_url(f"apq_bench_{scale}_catalogue"), "SELECT count(*) FROM services"),
            "schede": psql(db_url(m_db), "SELECT count(*) FROM schede"),
        }
        run = {"scale": scale, "counts": counts}
        if wants(only, "endpoints"):
            run.update(results=results, rss=rss)
        if sync:
            run["sync"] = sync
        if puc:
            run["puc"] = puc
        return run
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            proc.wait()


def report(runs, duration, connections):
    lines = [
        "# Benchmarks", "",
        "Measured by the committed harness on this project's 2-core machine, client and server on the same host:", "",
        f"    ./deploy/bench/run            # {duration} s per endpoint, {connections} connections, both scales", "",
        "Each endpoint is driven by `wrk` (2 threads, keep-alive, random path from the data set) against the release",
        "build (2 actix workers, a warm pool of 16 per service, rate limit off); its ceiling is `pgbench -M prepared` running",
        "the endpoint's own SQL at the same concurrency on the same database. The ratio is HTTP throughput over the",
        "ceiling. Tranche eligibility spans three services and three databases: each service's share of its SQL",
        "(agreements: the tranche plan by the intervento's code; adhesion: the region's figures as kept for today;",
        "monitoring: the Piano, the validated SALs, the verified operation) runs alone at the same concurrency, and",
        "the ceiling is the rate of running the three one after the other. Each measurement follows a 2 s warm-up.", "",
    ]
    for run in runs:
        if "results" not in run:
            continue
        c = run["counts"]
        puc = run.get("puc")
        lines += [f"## {run['scale'].capitalize()} scale", "",
                  f"Data: {c['comuni']} comuni, {c['adhesions']} adhesions, {c['services']} catalogue services, "
                  f"{c['interventi']} interventi, {c['schede']} schede.", "",
                  "| endpoint | req/s | p50 ms | p99 ms | pgbench ceiling /s | ratio | non-2xx |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for r in run["results"]:
            lines.append(f"| {r['endpoint']} | {r['rps']:.0f} | {r['p50']:.2f} | {r['p99']:.2f} | {r['ceiling']:.0f} | "
                         f"{r['rps'] / r['ceiling']:.0%} | {r['non2xx']} |")
        lines += ["", "Peak RSS (VmHWM) per service: " + ", ".join(f"{s} {v:.1f} MB" for s, v in run["rss"].items()), ""]
        sync = run.get("sync")
        if sync:
            def per_s(v):
                return "n/a" if v is None else f"{v:.0f}/s"
            lines += ["The Applicativo Intese sync job's first full pull (`apq-intese-sync --target-dir`, pages of "
                      f"{sync['batch']}, each file flushed to disk, one acknowledgement per page): {sync['delivered']} schede "
                      f"({sync['files']} files) in {sync['seconds']:.1f} s, {per_s(sync['rate'])} on average, "
                      f"{per_s(sync['first'])} in the first tenth of the pull and {per_s(sync['last'])} in the last.", ""]
        if puc:
            lines += [f"The PUC file of {puc['semester']} (`GET /v1/puc/{puc['semester']}?format=file`, streamed a page of "
                      f"projects at a time): {puc['records']} records of {puc['projects']} projects "
                      f"({puc['bytes'] / 1e6:.1f} MB) in {puc['seconds']:.1f} s; the monitoring service's resident memory "
                      f"was {puc['rss_before']:.1f} MB before and {puc['rss_peak']:.1f} MB at its peak while writing it.", ""]
    lines += ["## Targets", "",
              "- A comune's activated services: >= 50% of the pgbench ceiling, p99 <= 20 ms at 32 connections, national",
              "  within 10% of Tuscany.",
              "- Tranche eligibility: p99 <= 50 ms.",
              "- Every service under 100 MB RSS under load.",
              "- The national PUC file of a semester in under a minute, its memory flat in the number of records",
              "  (the peak at national scale close to the Tuscan one); the sync job's first full pull in minutes.", ""]
    return "\n".join(lines)


RESULTS = os.path.join(REPO, "deploy", "bench", "results.json")
ANALYSIS = "## Targets, and what bounds the ones missed"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=["tuscany", "national", "both"], default="both")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--only", type=parts, default={"all"},
                        help="measure only some of endpoints, sync, puc, comma-separated (the other figures are kept)")
    args = parser.parse_args()
    scales = ["tuscany", "national"] if args.scale == "both" else [args.scale]
    kept = {"runs": {}}
    if os.path.exists(RESULTS):
        with open(RESULTS) as f:
            kept = json.load(f)
    for scale in scales:
        measured = run_scale(scale, args.duration, args.connections, args.only)
        kept["runs"][scale] = {**kept["runs"].get(scale, {}), **measured}
    if wants(args.only, "endpoints"):
        kept.update(duration=args.duration, connections=args.connections)
    with open(RESULTS, "w") as f:
        json.dump(kept, f, indent=1)
    runs = [kept["runs"][s] for s in ("tuscany", "national") if s in kept["runs"]]
    text = report(runs, kept.get("duration", args.duration), kept.get("connections", args.connections))
    path = os.path.join(REPO, "BENCHMARKS.md")
    if os.path.exists(path):
        # The analysis written by hand after the figures (from ANALYSIS on) is kept as it is.
        with open(path) as old:
            written = old.read()
        if ANALYSIS in written:
            text = text.split("## Targets", 1)[0] + written[written.index(ANALYSIS):]
    with open(path, "w") as out:
        out.write(text)
    print(text)


if __name__ == "__main__":
    sys.exit(main())
