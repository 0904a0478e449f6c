#!/usr/bin/env python3
"""End-to-end check of the HTML report (`screener eval --format html`) in headless Chromium.

usage: check_html.py SCREENER SOURCE_DIR [OUT_DIR] [--large N]

Builds a batch from SOURCE_DIR/examples/proposals plus hostile proposals (a name that is a
<script> element, an id and an enum value that are markup, a file name with markup), writes the
report twice (byte-identical, with SOURCE_DATE_EPOCH) and once more through `eval --format ndjson` and
`rank` (identical again), checks the file itself (UTF-8, self-contained,
escaped), then loads it in headless Chromium and checks the live DOM (--dump-dom): one ranking row
per proposal in rank order, the hostile text shown as text with no injected element, sorting by
the #sort=id and #sort=-score fragments (the same code path as a click on a column heading), and
#p-N opening a proposal's details. Saves OUT_DIR/report.html and a screenshot OUT_DIR/report.png
(OUT_DIR defaults to ./html-check).

--large N instead times a report of N generated proposals (sortable-at and loaded-at in ms).

Only the python3 standard library is used. Exits 0 when every check passes, 1 when any fails, and
77 (ctest SKIP_RETURN_CODE) when no Chromium is installed. Ends with "N passed, M failed".
"""

import datetime
import html.parser
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

EPOCH = "1748736000"  # 2025-06-01T00:00:00Z
EPOCH_DATE = "2025-06-01"
HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_ID = 'BN-XSS-"><img src=x onerror=alert(2)>'
HOSTILE_SECTOR = "<b>bold</b>&amp;"
VIETNAMESE = "Công ty TNHH Samsung Display Việt Nam"

passed = 0
failed = 0


def check(condition, what, detail=""):
    global passed, failed
    if condition:
        passed += 1
        print(f"ok    {what}")
    else:
        failed += 1
        print(f"FAIL  {what}" + (f": {detail}" if detail else ""))
    return condition


def finish():
    print(f"{passed} passed, {failed} failed")
    sys.exit(0 if failed == 0 else 1)


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium(browser, url, *extra, timeout=120):
    """Runs headless Chromium on url with a throwaway profile; returns stdout (text), "" on a timeout.

    A page that opens a dialog (an injected alert(), say) never finishes loading headless: the
    browser's whole process group is killed after `timeout` seconds and the check fails."""
    profile = tempfile.mkdtemp(prefix="screener-chromium-")
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-dev-shm-usage", "--hide-scrollbars", f"--user-data-dir={profile}", *extra, url]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        out, _ = process.communicate(timeout=timeout)
        return out.decode("utf-8", errors="replace")
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        check(False, f"chromium finished loading {url} within {timeout} s (a dialog from injected script blocks it)")
        return ""
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def dump_dom(browser, url):
    return chromium(browser, url, "--run-all-compositor-stages-before-draw", "--virtual-time-budget=2000", "--dump-dom")


class Dom(html.parser.HTMLParser):
    """What the checks need from a serialized DOM: ranking rows, script and details elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows = []            # ranking tbody rows: list of cell texts
        self.table_attrs = {}
        self.heads = []           # ranking th attributes
        self.scripts = []         # attributes of every <script>
        self.details = {}         # id -> attributes
        self.tags = []            # every start tag name
        self.attr_names = set()
        self.text = []
        self.elements = []        # (tag, attrs) of every element
        self.code = ""            # the text of <style> and <script> elements
        self._code = False
        self._in_table = False
        self._in_body = False
        self._row = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.elements.append((tag, attrs))
        self._code = tag in ("style", "script")
        self.tags.append(tag)
        self.attr_names.update(name for name, _ in attrs)
        if tag == "script":
            self.scripts.append(a)
        if tag == "details" and "id" in a:
            self.details[a["id"]] = a
        if tag == "table" and a.get("id") == "ranking":
            self._in_table = True
            self.table_attrs = a
        elif self._in_table:
            if tag == "th":
                self.heads.append(a)
            elif tag == "tbody":
                self._in_body = True
            elif tag == "tr" and self._in_body:
                self._row = []
            elif tag == "td" and self._row is not None:
                self._cell = []

    def handle_endtag(self, tag):
        self._code = False
        if not self._in_table:
            return
        if tag == "td" and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._in_table = False

    def handle_data(self, data):
        self.text.append(data)
        if self._code:
            self.code += data
        if self._cell is not None:
            self._cell.append(data)


def parse(markup):
    dom = Dom()
    dom.feed(markup)
    dom.close()
    return dom


def make_batch(source, into):
    """examples/proposals plus hostile proposals, in a temporary directory."""
    batch = os.path.join(into, "proposals")
    shutil.copytree(os.path.join(source, "examples", "proposals"), batch)
    with open(os.path.join(source, "examples", "proposals", "003-samsung-display-expansion.json"), encoding="utf-8") as f:
        good = json.load(f)
    with open(os.path.join(source, "examples", "proposals", "013-garment-factory.json"), encoding="utf-8") as f:
        garment = json.load(f)
    hostile = dict(good, id="BN-XSS-001", name=HOSTILE_NAME)
    with open(os.path.join(batch, "900-hostile-<img src=x onerror=alert(3)>.json"), "w", encoding="utf-8") as f:
        json.dump(hostile, f, ensure_ascii=False)
    long_name = dict(good, id="BN-LONG-001", name="X" * 300)  # no space to break it at
    with open(os.path.join(batch, "902-long-name.json"), "w", encoding="utf-8") as f:
        json.dump(long_name, f, ensure_ascii=False)
    bad = dict(garment, id=HOSTILE_ID, name="<iframe src=\"javascript:alert(4)\"></iframe>", sector=HOSTILE_SECTOR)
    with open(os.path.join(batch, "901-hostile-invalid.json"), "w", encoding="utf-8") as f:
        json.dump(bad, f, ensure_ascii=False)
    return batch


def run(screener, *args, env=None):
    return subprocess.run([screener, "-q", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=600)


def check_file(report, expected, summary):
    text = report.decode("utf-8", errors="strict") if check(is_utf8(report), "report is valid UTF-8") else ""
    check(text.startswith("<!doctype html>"), "report starts with <!doctype html>")
    check('<meta charset="utf-8">' in text[:400], "report declares <meta charset=\"utf-8\"> at the top")
    dom = parse(text)
    external = [f"{tag} {name}={value}" for tag, attrs in dom.elements for name, value in attrs
                if name in ("src", "srcset", "data", "poster", "action", "formaction", "xlink:href")
                or (name == "href" and not (value or "").startswith("#"))]
    external += re.findall(r"@import|url\(|\b(?:https?|ftp|file):|[\"'(]//", dom.code)
    check(not external and dom.code, "report is self-contained (no src, external href, @import, url() or links)", str(external[:5]))
    check(text.count("<script") == 1, "report has exactly one <script> element (its own)", f"{text.count('<script')} found")
    check("&lt;script&gt;alert(1)&lt;/script&gt;" in text, "hostile name is written escaped")
    check("<img" not in text and "<iframe" not in text and "<b>bold" not in text, "no markup from proposals in the file")
    check(VIETNAMESE in text, "Vietnamese name written as UTF-8 text")
    check(EPOCH_DATE in text, f"date from SOURCE_DATE_EPOCH ({EPOCH_DATE}) shown")
    counts = {k: summary[k] for k in ("total", "pass", "fail", "invalid")}
    cards = dict(re.findall(r'<div class="k">(Proposals|Pass|Fail|Invalid)</div><div class="n">(\d+)</div>', text))
    check(cards == {"Proposals": str(counts["total"]), "Pass": str(counts["pass"]), "Fail": str(counts["fail"]),
                    "Invalid": str(counts["invalid"])}, "summary counts match the JSON report", f"{cards} vs {counts}")
    details = text.count('<details class="p"')
    check(details == len(expected), "one <details> per proposal", f"{details} vs {len(expected)}")
    check(not re.search(r"<details[^>]*\bopen\b", text), "details are collapsed by default")
    check('<span id="sort-hint" hidden>Click a column heading to sort. </span>' in text,
          "the sorting hint is hidden in the file: without the script there is no sorting")
    check(re.search(r"@media print", text) is not None and "break-before:page" in text, "print stylesheet with a page break per proposal")
    scores = re.findall(r'<td class="n sc" style="--s:[0-9.]+">([^<\n]*)', text)
    check(all(re.fullmatch(r"-?\d+\.\d\d", s) for s in scores) and len(scores) == summary["pass"] + summary["fail"],
          "ranking scores have two decimals", str(scores[:5]))


def is_utf8(data):
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def check_width(browser, data, out):
    """The page is no wider than the window, at a phone's width and a laptop's: the ranking scrolls in
    its own box when narrow, and a long name without spaces wraps (it made the page 2995 px wide)."""
    page = os.path.join(out, "width.html")
    probe = b'<script>document.body.setAttribute("data-width", document.documentElement.scrollWidth)</script>'
    with open(page, "wb") as f:
        f.write(data.replace(b"</body>", probe + b"</body>"))
    for width in (500, 1280):  # (headless Chromium lays out no narrower than 500 px)
        dom = chromium(browser, "file://" + page, f"--window-size={width},900", "--run-all-compositor-stages-before-draw",
                       "--virtual-time-budget=2000", "--dump-dom")
        found = re.search(r'data-width="(\d+)"', dom)
        check(found is not None and int(found.group(1)) <= width, f"the page is no wider than a {width} px window",
              found.group(0) if found else "no width found")
    os.remove(page)


def check_dom(browser, url, expected):
    ids = [r["id"] for r in expected]
    dumped = dump_dom(browser, url)
    dom = parse(dumped)
    check(len(dom.rows) == len(expected), "DOM: ranking row count equals proposal count", f"{len(dom.rows)} vs {len(expected)}")
    check([row[1] for row in dom.rows] == ids, "DOM: rows in rank order", str([row[1] for row in dom.rows][:5]))
    names = {row[1]: row[2] for row in dom.rows if len(row) > 2}
    check(names.get("BN-XSS-001") == HOSTILE_NAME, "DOM: hostile name shown as text", repr(names.get("BN-XSS-001")))
    check(HOSTILE_ID in names, "DOM: hostile id shown as text")
    check(any(HOSTILE_SECTOR in row[-1] for row in dom.rows), "DOM: hostile enum value shown as text in the reasons")
    check(len(dom.scripts) == 1 and not dom.scripts[0].get("src"), "DOM: no injected <script> element", str(dom.scripts))
    injected = ({"img", "iframe"} & set(dom.tags)) | (set(n for n in dom.attr_names if n.startswith("on")))
    check(not injected, "DOM: no injected <img>, <iframe> or event-handler attribute", str(injected))
    check(VIETNAMESE in names.values(), "DOM: Vietnamese name renders as text")
    check('<span id="sort-hint">Click a column heading to sort. </span>' in dumped, "DOM: the script shows the sorting hint")
    check(len(dom.details) == len(expected) and not any("open" in d for d in dom.details.values()),
          "DOM: one collapsed <details> per proposal")
    return dom


def check_sorting(browser, url, expected):
    by_id = parse(dump_dom(browser, url + "#sort=id"))
    want = sorted(r["id"] for r in expected)
    got = [row[1] for row in by_id.rows]
    check(got == want, "sort: #sort=id orders rows by id", f"{got[:4]}... vs {want[:4]}...")
    check(by_id.table_attrs.get("data-sorted") == "id", "sort: table records data-sorted=id", str(by_id.table_attrs.get("data-sorted")))
    heads = {h.get("data-key"): h.get("aria-sort") for h in by_id.heads}
    check(heads.get("id") == "ascending" and heads.get("rank") is None, "sort: id heading marked aria-sort=ascending", str(heads))

    by_score = parse(dump_dom(browser, url + "#sort=-score"))
    scores = [row[4] for row in by_score.rows]
    numbers = [float(s) for s in scores if s]
    check(numbers == sorted(numbers, reverse=True) and all(scores[:len(numbers)]) and len(by_score.rows) == len(expected),
          "sort: #sort=-score orders scores descending, unscored last", str(scores))

    opened = parse(dump_dom(browser, url + "#p-3"))
    check("open" in opened.details.get("p-3", {}) and sum("open" in d for d in opened.details.values()) == 1,
          "details: #p-3 opens exactly proposal 3's details")


def large(screener, browser, n, out):
    """Times a report of n generated proposals: sortable-at (script ran) and loaded-at, in ms."""
    global passed
    work = tempfile.mkdtemp(prefix="screener-html-large-")
    try:
        source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
        examples = sorted(os.path.join(source, "examples", "proposals", f) for f in os.listdir(os.path.join(source, "examples", "proposals"))
                          if f.endswith(".json"))
        base = []
        for path in examples:
            with open(path, encoding="utf-8") as f:
                base.append(json.load(f))
        with open(os.path.join(work, "many.ndjson"), "w", encoding="utf-8") as f:
            for i in range(n):
                p = dict(base[i % len(base)], id=f"P-{i:06d}")
                scale = 0.5 + (i * 7919 % 1000) / 666.0
                p["land_ha"] = round(p["land_ha"] * scale, 2)
                p["workers"] = int(p["workers"] * (2.5 - scale))
                f.write(json.dumps(p, ensure_ascii=False) + "\n")
        report = os.path.join(out, f"large-{n}.html")
        check(run(screener, "eval", os.path.join(work, "many.ndjson"), "-o", report).returncode == 0, f"large: report of {n} written")
        with open(report, encoding="utf-8") as f:
            text = f.read()
        marker = "})();\n</script>"
        i = text.index(marker) + len(marker)
        text = (text[:i] + '<script>document.documentElement.setAttribute("data-sortable-ms",performance.now().toFixed(0))</script>'
                + text.replace("</body>", '<script>document.documentElement.setAttribute("data-loaded-ms",performance.now().toFixed(0))'
                               '</script></body>')[i:])
        timed = os.path.join(work, "timed.html")
        with open(timed, "w", encoding="utf-8") as f:
            f.write(text)
        dom = dump_dom(browser, "file://" + timed + "#sort=-score")
        m = re.search(r'data-sortable-ms="(\d+)"[^>]*data-loaded-ms="(\d+)"', dom)
        size = os.path.getsize(report)
        rows = len(parse(dom).rows)
        check(rows == n, f"large: {rows} rows sorted in the DOM")
        print(f"large: {n} proposals, {size / 1e6:.1f} MB; sortable after {m.group(1) if m else '?'} ms, loaded after {m.group(2) if m else '?'} ms")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    args = [a for a in sys.argv[1:]]
    n_large = 0
    if "--large" in args:
        k = args.index("--large")
        n_large = int(args[k + 1])
        del args[k:k + 2]
    if len(args) not in (2, 3):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        sys.exit(2)
    screener, source = os.path.abspath(args[0]), os.path.abspath(args[1])
    out = os.path.abspath(args[2] if len(args) == 3 else "html-check")
    os.makedirs(out, exist_ok=True)
    if not check(os.access(screener, os.X_OK), f"screener binary {screener} exists"):
        finish()
    browser = find_chromium()
    if not browser:
        print("SKIP: no chromium on PATH (Debian: apt-get install chromium)")
        print(f"{passed} passed, {failed} failed")
        sys.exit(77)
    if n_large:
        large(screener, browser, n_large, out)
        finish()

    work = tempfile.mkdtemp(prefix="screener-html-")
    try:
        batch = make_batch(source, work)
        env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH)
        report = os.path.join(out, "report.html")
        first = run(screener, "eval", batch, "-o", report, env=env)
        check(first.returncode == 0, "screener eval -o report.html exits 0", first.stderr.decode(errors="replace"))
        with open(report, "rb") as f:
            data = f.read()
        again = run(screener, "eval", batch, "--format", "html", env=env)
        check(again.returncode == 0 and again.stdout == data, "rerun is byte-identical (--format html on stdout)")
        today = run(screener, "eval", batch, "--format", "html", env={k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"})
        utc_today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
        check(utc_today.encode() in today.stdout, f"without SOURCE_DATE_EPOCH the date is today in UTC ({utc_today})")
        shards = os.path.join(work, "results.ndjson")
        with open(shards, "wb") as f:
            f.write(run(screener, "eval", batch, "--format", "ndjson", env=env).stdout)
        merged = run(screener, "rank", shards, "--format", "html", env=env)
        check(merged.returncode == 0 and merged.stdout == data, "screener rank of the ndjson results writes the same HTML byte for byte",
              merged.stderr.decode(errors="replace"))
        as_json = run(screener, "eval", batch, "--format", "json", env=env)
        parsed = json.loads(as_json.stdout)
        expected, summary = parsed["results"], parsed["summary"]
        check(summary["total"] == len(expected) and summary["invalid"] >= 3, "batch holds the examples and the hostile proposals",
              str(summary))

        check_file(data, expected, summary)
        url = "file://" + report
        check_dom(browser, url, expected)
        check_sorting(browser, url, expected)
        check_width(browser, data, out)

        shot = os.path.join(out, "report.png")
        if os.path.exists(shot):
            os.remove(shot)
        chromium(browser, url, f"--screenshot={shot}", "--window-size=1280,2000")
        ok = os.path.exists(shot) and os.path.getsize(shot) > 10000
        if ok:
            with open(shot, "rb") as f:
                ok = f.read(8) == b"\x89PNG\r\n\x1a\n"
        check(ok, f"screenshot saved to {shot}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    finish()


if __name__ == "__main__":
    main()
