// The standalone HTML report (`eval --format html`): one self-contained UTF-8 file with inline CSS,
// inline SVG charts and a little script that sorts the ranking table, opens linked details and
// expands every detail for printing. Nothing is fetched: no fonts, images or external scripts.
// Without script the page is complete: a static ranking, and every detail opens with a click.
//
// Everything that comes from a proposal or the rule set goes through `escape_to` (markup
// characters escaped, control characters dropped, invalid UTF-8 replaced by U+FFFD); the script is
// a constant that reads the page only through the DOM, so proposal text is never code.
//
// Size (10,000 proposals): a ranking row is one line of light markup; each detail is a collapsed
// <details> that the browser parses but never lays out, with optional end tags left out and styling
// in the one style sheet. The script sits right after the ranking, so sorting works while the
// details are still loading.
//
// Output depends only on the results and the date (SOURCE_DATE_EPOCH when set, else today in UTC),
// so reruns on a day are byte-identical.
#include "report_html.hpp"
#include "utf8.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <optional>
#include <string>
#include <utility>

#include <fmt/compile.h>
#include <fmt/format.h>

namespace screener {

using detail::replacement_character;
using detail::utf8_length;

namespace {

// --- text ---------------------------------------------------------------------------------------

// Appends `text` as HTML text or as a quoted attribute value.
void escape_to(std::string& out, std::string_view text) {
    const auto plain = [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u >= 0x20 && u < 0x7F && c != '<' && c != '>' && c != '&' && c != '"' && c != '\'';
    };
    for (std::size_t i = 0; i < text.size();) {
        // A run of printable ASCII that needs no escaping, appended at once.
        const std::size_t run = static_cast<std::size_t>(std::find_if_not(text.begin() + i, text.end(), plain) - text.begin()) - i;
        out.append(text.substr(i, run));
        if ((i += run) == text.size()) break;
        const char c = text[i];
        switch (c) {
            case '<': out += "&lt;"; ++i; continue;
            case '>': out += "&gt;"; ++i; continue;
            case '&': out += "&amp;"; ++i; continue;
            case '"': out += "&quot;"; ++i; continue;
            case '\'': out += "&#39;"; ++i; continue;
            default: break;
        }
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F) {  // control characters: line breaks and tabs become spaces, the rest go
            if (c == '\n' || c == '\t' || c == '\r') out += ' ';
            ++i;
            continue;
        }
        const std::size_t n = utf8_length(text, i);
        if (n == 0) {
            out += replacement_character;
            ++i;
            continue;
        }
        if (detail::c1_control(text, i)) {  // C1 controls go too
            i += 2;
            continue;
        }
        out.append(text.substr(i, n));
        i += n;
    }
}

std::string esc(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 8);
    escape_to(out, text);
    return out;
}

// Coordinates and scores: fixed two decimals, locale independent, no "-0.00".
std::string num(double v) { return two_decimals(v); }
std::string pct(double v) { return two_decimals(std::clamp(v, 0.0, 100.0)); }

const std::string& label_of(const std::string& title, const std::string& id) { return title.empty() ? id : title; }

// "2025-06-01": SOURCE_DATE_EPOCH (seconds since 1970, UTC) when set and a valid integer, else today in UTC.
std::string report_date() {
    using namespace std::chrono;
    sys_seconds when = floor<seconds>(system_clock::now());
    if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH"); epoch != nullptr && *epoch != '\0') {
        char* end = nullptr;
        const long long value = std::strtoll(epoch, &end, 10);
        if (end != nullptr && *end == '\0') when = sys_seconds{seconds{value}};
    }
    const year_month_day date{floor<days>(when)};
    return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                       static_cast<unsigned>(date.day()));
}

// A proposal's id as shown; a proposal whose JSON could not be read may have none.
std::string shown_id(const Result& r) { return r.id.empty() ? "(no id)" : esc(r.id); }

const char* verdict_class(Verdict v) { return v == Verdict::pass ? "pass" : v == Verdict::fail ? "fail" : "invalid"; }

bool below_minimum(const GroupOutcome& g) { return g.minimum && !g.skipped && g.score < *g.minimum; }

// --- summary statistics -------------------------------------------------------------------------

// What the head shows: the counts, and the charts with their most common pass score.
struct Summary {
    std::size_t total = 0, pass = 0, fail = 0, invalid = 0;
    const ScoreSummary& charts;
    double pass_score = 0;  // the most common pass score among scored results
    // Why proposals fail, in rule-set order: each failed gate, each missed group minimum, the total.
    std::vector<std::pair<std::string, std::size_t>> causes;
};

Summary summarize(std::size_t pass, std::size_t fail, std::size_t invalid, const ScoreSummary& charts) {
    Summary s{pass + fail + invalid, pass, fail, invalid, charts, 0, {}};
    for (const auto& [label, n] : charts.gates_failed)
        if (n > 0) s.causes.emplace_back("Gate not met: " + label, n);  // a gate's title says what it requires
    for (const auto& [label, n] : charts.groups_below_minimum)
        if (n > 0) s.causes.emplace_back("Below the group minimum: " + label, n);
    if (charts.below_pass_score > 0) s.causes.emplace_back("Total below the pass score", charts.below_pass_score);
    std::size_t best = 0;
    for (const auto& [score, n] : charts.pass_scores)  // ascending, so a tie goes to the lower pass score
        if (n > best) best = n, s.pass_score = score;
    return s;
}

// A "nice" axis maximum (a multiple of a 1, 2 or 5 x 10^k step) at or above `n`, and that step.
std::pair<double, double> nice_axis(std::size_t n) {
    if (n == 0) return {1, 1};
    const double raw = static_cast<double>(n) / 4;
    const double magnitude = std::pow(10, std::floor(std::log10(raw)));
    double step = 10 * magnitude;
    for (double f : {1.0, 2.0, 5.0})
        if (f * magnitude >= raw) {
            step = f * magnitude;
            break;
        }
    step = std::max(step, 1.0);
    return {std::ceil(static_cast<double>(n) / step) * step, step};
}

// --- style and script ---------------------------------------------------------------------------

constexpr const char* style = R"CSS(
:root{--ink:#1f2328;--muted:#59636e;--line:#d1d9e0;--rule:#e6eaef;--soft:#f6f8fa;--pass:#1a7f37;--pass-bg:#dafbe1;--pass-bar:#2da44e;--fail:#cf222e;--fail-bg:#ffebe9;--fail-bar:#e5534b;--invalid:#9a6700;--invalid-bg:#fff8c5;--accent:#0969da}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0 auto;max-width:1240px;padding:28px 32px 48px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#fff}
h1{font-size:26px;margin:0 0 4px;font-weight:650;letter-spacing:-.01em}
h2{font-size:18px;margin:32px 0 12px;padding-bottom:6px;border-bottom:1px solid var(--line);font-weight:600}
h3{font-size:13px;margin:0 0 8px;font-weight:600;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
code{font-family:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono",monospace;font-size:12px}
a{color:var(--accent);text-decoration:none}
a:hover{text-decoration:underline}
.meta{color:var(--muted);margin:0}
.meta b{color:var(--ink);font-weight:600}
.sha code{word-break:break-all}
.cards{display:grid;grid-template-columns:repeat(5,1fr);gap:12px;margin:22px 0 0}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 14px;background:var(--soft)}
.card .k{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.card .n{font-size:28px;font-weight:650;font-variant-numeric:tabular-nums;line-height:1.25}
.card .d{font-size:12px;color:var(--muted)}
.card.pass{border-color:#aceebb;background:var(--pass-bg)}.card.pass .n{color:var(--pass)}
.card.fail{border-color:#ffcecb;background:var(--fail-bg)}.card.fail .n{color:var(--fail)}
.card.invalid{border-color:#f0dc9a;background:var(--invalid-bg)}.card.invalid .n{color:var(--invalid)}
.note{color:var(--muted);font-size:13px;margin:8px 0 0}
.overview{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:32px;align-items:start}
figure{margin:0}
svg text{font-family:inherit}
.hist svg{width:100%;height:auto;display:block}
.hist .grid{stroke:var(--rule)}.hist .axis{stroke:#8c959f}
.hist .lbl{font-size:11px;fill:var(--muted)}.hist .cnt{font-size:11px;font-weight:600;fill:var(--ink)}
.hist .pass{fill:var(--pass-bar)}.hist .fail{fill:var(--fail-bar)}
.hist .line{stroke:var(--ink);stroke-width:1.5;stroke-dasharray:5 3}.hist .mark{font-size:11px;font-weight:600;fill:var(--ink)}
.causes{width:100%;border-collapse:collapse;font-size:13px}
.causes td{padding:5px 0;border-bottom:1px solid var(--rule);vertical-align:top}
.causes td:last-child{text-align:right;font-weight:600;font-variant-numeric:tabular-nums;padding-left:12px;white-space:nowrap}
.causes i{display:block;height:5px;margin-top:4px;border-radius:3px;background:var(--fail-bar);width:calc(var(--w)*1%)}
table{border-collapse:collapse;width:100%}
th,td{padding:5px 8px;text-align:left;vertical-align:top;border-bottom:1px solid var(--rule)}
th{font-size:12px;font-weight:600;color:var(--muted);background:var(--soft);border-bottom:1px solid var(--line)}
#ranking{font-size:13px}
#ranking th{position:sticky;top:0;z-index:1;vertical-align:bottom}
#ranking tbody tr:hover{background:var(--soft)}
#ranking td:first-child,#ranking th:first-child,#ranking .n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
#ranking td:nth-child(2){min-width:8em;overflow-wrap:anywhere}
#ranking td:nth-child(3){min-width:12em;overflow-wrap:anywhere}
#ranking th.n{white-space:normal;min-width:6.5em}
#ranking td.rs{color:var(--muted);font-size:12px;min-width:12em;overflow-wrap:break-word}
#ranking td.sc{font-weight:600;background:linear-gradient(var(--bar),var(--bar)) no-repeat left 8px top 25px/calc((100% - 16px)*var(--s)/100) 3px}
tr.pass{--bar:var(--pass-bar)}tr.fail{--bar:var(--fail-bar)}
.bad{color:var(--fail);font-weight:600}
th.sortable{cursor:pointer;user-select:none}
th.sortable:hover{color:var(--ink)}
th.sortable::after{content:"\2195";opacity:.35;margin-left:3px;font-size:11px}
th[aria-sort=ascending]::after{content:"\25B2";opacity:.8}
th[aria-sort=descending]::after{content:"\25BC";opacity:.8}
th.sortable:focus-visible{outline:2px solid var(--accent);outline-offset:-2px}
.b{display:inline-block;padding:0 8px;border-radius:10px;font-size:12px;font-weight:600;line-height:19px;white-space:nowrap}
.b.pass{background:var(--pass-bg);color:var(--pass)}
.b.fail{background:var(--fail-bg);color:var(--fail)}
.b.invalid{background:var(--invalid-bg);color:var(--invalid)}
.invalid-list{padding-left:20px}
.invalid-list>li{margin:8px 0}
.invalid-list ul{margin:2px 0 0;padding-left:20px}
.tools{margin:0 0 10px}
.tools button{font:inherit;font-size:12px;padding:3px 10px;border:1px solid var(--line);border-radius:6px;background:var(--soft);cursor:pointer;margin-right:6px}
.tools button:hover{background:#eef1f4}
details.p{border:1px solid var(--line);border-radius:8px;margin:6px 0;content-visibility:auto;contain-intrinsic-size:auto 40px}
details.p>summary{cursor:pointer;padding:8px 12px;display:flex;gap:12px;align-items:baseline}
details.p>summary::before{content:"\25B8";color:var(--muted);width:.8em}
details.p[open]>summary::before{content:"\25BE"}
details.p>summary::-webkit-details-marker{display:none}
details.p>summary .rk{color:var(--muted);font-variant-numeric:tabular-nums;min-width:3em}
details.p>summary .nm{flex:1;min-width:0;overflow-wrap:anywhere}
details.p>summary .sc{font-weight:600;font-variant-numeric:tabular-nums;min-width:3.5em;text-align:right}
details.p[open]>summary{border-bottom:1px solid var(--line);background:var(--soft);border-radius:8px 8px 0 0}
details.p>div{padding:10px 14px 14px}
.why,.invalid-list,table.gates td,table.crit td{overflow-wrap:break-word}
.why{border-left:3px solid var(--fail);background:var(--fail-bg);padding:6px 12px;margin:10px 0;border-radius:0 6px 6px 0}
.why.invalid{border-color:var(--invalid);background:var(--invalid-bg)}
.why ul{margin:2px 0;padding-left:18px}
table.gates,table.crit{margin-top:12px;font-size:13px}
table.gates td:first-child{width:34%}table.gates td:nth-child(2){width:12%;white-space:nowrap;font-weight:600}
table.gates td.ok{color:var(--pass)}table.gates td.no{color:var(--fail)}
table.crit th:nth-child(2),table.crit th:nth-child(4),table.crit th:nth-child(5),table.crit tr:not(.g,.t) td:nth-child(2),table.crit tr:not(.g,.t) td:nth-child(4),table.crit tr:not(.g,.t) td:nth-child(5),table.crit tr.g td:nth-child(3),table.crit tr.g td:nth-child(4),table.crit tr.t td:nth-child(3){text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.crit td:first-child{padding-left:24px;width:34%}
table.crit tr.g td,table.crit tr.t td{background:var(--soft);font-weight:600;padding-left:8px}
table.crit tr.g td:nth-child(2){padding-top:9px}
table.crit td:last-child{color:var(--muted);font-size:12px}
table.crit tr.g td:last-child,table.crit tr.t td:last-child{font-weight:400}
svg.gb{display:block;width:100%;height:14px}
svg.gb .tr{fill:#dfe4ea}svg.gb .ok{fill:var(--pass-bar)}svg.gb .no{fill:var(--fail-bar)}
svg.gb line{stroke:var(--ink);stroke-width:2}
footer{margin-top:36px;color:var(--muted);font-size:12px;border-top:1px solid var(--line);padding-top:10px}
@media (max-width:900px){.cards{grid-template-columns:repeat(2,1fr)}.overview{grid-template-columns:1fr}body{padding:16px}}
@media screen and (max-width:900px){.wide{overflow:auto;max-height:calc(100vh - 32px)}}
@media print{
@page{size:A4;margin:14mm 12mm}
body{max-width:none;padding:0;font-size:10pt}
.tools,.hint{display:none}
h2{break-after:avoid}
#ranking th{position:static;white-space:normal}
#ranking{font-size:8pt}#ranking td,#ranking th{padding:3px 4px}#ranking td:nth-child(3){min-width:9em}#ranking td.rs{min-width:0}#ranking td.sc{background-position:left 4px top 19px}
th.sortable::after{content:none}
.cards{grid-template-columns:repeat(5,1fr);gap:6px}.card{padding:6px 8px}.card .n{font-size:18pt}
.overview{grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:16px}
#details>h2{break-before:page}
#tools+details.p{break-before:auto}
details.p{break-before:page;border:0;margin:0;content-visibility:visible}
details.p>summary{padding:0 0 6px;font-size:13pt;border-bottom:2px solid var(--ink)!important;background:none!important;border-radius:0}
details.p>summary::before,details.p[open]>summary::before{content:none}
details.p>div{padding:8px 0 0}
thead{display:table-header-group}
tr,.why,figure{break-inside:avoid}
a{color:inherit}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
)CSS";

// Closed details print expanded where the browser can style the details content (Chrome 131+,
// Firefox 143+); elsewhere the script opens them before printing. A separate sheet, so browsers
// that do not know the selector drop only this rule.
constexpr const char* print_details_style = R"CSS(
@media print{details.p::details-content{content-visibility:visible;display:block}}
)CSS";

// Sorting: click a column heading (again to reverse). The URL fragment #sort=KEY (ascending) or
// #sort=-KEY (descending) sorts on load, so a sorted view can be shared and tested headless; the
// table records the order in data-sorted. Rows are moved, never rebuilt, and a column's keys are
// read once. #p-N opens proposal N's details; every detail opens before printing.
constexpr const char* script = R"JS(
(function () {
  "use strict";
  var table = document.getElementById("ranking");
  var hint = document.getElementById("sort-hint");  // (none without proposals)
  if (hint) hint.hidden = false;
  var heads = table.tHead.rows[0].cells, body = table.tBodies[0];
  var rows = null, keys = {}, verdicts = { pass: 0, fail: 1, invalid: 2 };
  var collator = new Intl.Collator("en", { numeric: true });
  function column(i) {
    if (!rows) {
      rows = Array.prototype.slice.call(body.rows);
      rows.forEach(function (tr, n) { tr.n = n; });
    }
    if (!keys[i]) {
      var type = heads[i].getAttribute("data-type");
      keys[i] = rows.map(function (tr) {
        var text = tr.cells[i].textContent.trim();
        if (type === "num") { var v = parseFloat(text); return isNaN(v) ? null : v; }
        if (type === "verdict") return text in verdicts ? verdicts[text] : 3;
        return text === "" ? null : text;
      });
    }
    return keys[i];
  }
  function sort(i, descending) {
    var k = column(i), text = heads[i].getAttribute("data-type") === "str";
    var order = rows.slice().sort(function (a, b) {
      var x = k[a.n], y = k[b.n];
      if (x === y) return a.n - b.n;
      if (x === null) return 1;
      if (y === null) return -1;
      var c = text ? collator.compare(x, y) : x - y;
      return c === 0 ? a.n - b.n : descending ? -c : c;
    });
    var fragment = document.createDocumentFragment();
    order.forEach(function (tr) { fragment.appendChild(tr); });
    body.appendChild(fragment);
    for (var j = 0; j < heads.length; j++) heads[j].removeAttribute("aria-sort");
    heads[i].setAttribute("aria-sort", descending ? "descending" : "ascending");
    table.setAttribute("data-sorted", (descending ? "-" : "") + heads[i].getAttribute("data-key"));
  }
  function follow() {
    var m = /^#sort=(-?)(.+)$/.exec(location.hash);
    if (m) {
      var key = m[2];
      try { key = decodeURIComponent(key); } catch (e) {}
      for (var i = 0; i < heads.length; i++) if (heads[i].getAttribute("data-key") === key) return sort(i, m[1] === "-");
    }
    m = /^#(p-[0-9]+)$/.exec(location.hash);
    var target = m && document.getElementById(m[1]);
    if (target) { target.open = true; target.scrollIntoView(); }
  }
  Array.prototype.forEach.call(heads, function (th, i) {
    th.classList.add("sortable");
    th.tabIndex = 0;
    if (!th.title) th.title = "Sort by " + th.textContent.trim();
    function activate() {
      var now = th.getAttribute("aria-sort");
      var descending = now === "ascending" ? true : now === "descending" ? false : th.hasAttribute("data-desc");
      sort(i, descending);
      try { history.replaceState(null, "", "#sort=" + (descending ? "-" : "") + encodeURIComponent(th.getAttribute("data-key"))); } catch (e) {}
    }
    th.addEventListener("click", activate);
    th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); activate(); } });
  });
  function expand(open) {
    var all = document.querySelectorAll("details.p");
    for (var j = 0; j < all.length; j++) all[j].open = open;
  }
  var reopen = [];
  window.addEventListener("beforeprint", function () {
    reopen = Array.prototype.slice.call(document.querySelectorAll("details.p:not([open])"));
    reopen.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () { reopen.forEach(function (d) { d.open = false; }); reopen = []; });
  window.addEventListener("hashchange", follow);
  document.addEventListener("DOMContentLoaded", function () {
    var tools = document.getElementById("tools");  // (none without proposals)
    if (tools) {
      tools.hidden = false;
      tools.querySelector("[data-act=open]").addEventListener("click", function () { expand(true); });
      tools.querySelector("[data-act=close]").addEventListener("click", function () { expand(false); });
    }
    if (/^#p-/.test(location.hash)) follow();
  });
  follow();
})();
)JS";

// --- sections -----------------------------------------------------------------------------------

using Out = std::string;

// Appends formatted text. Formats are compiled at build time (FMT_COMPILE): rows are written
// millions of times, and parsing their formats each time cost a tenth of the report's time.
template <typename Compiled, typename... Args>
void put(Out& out, const Compiled& format, Args&&... args) {
    fmt::format_to(std::back_inserter(out), format, std::forward<Args>(args)...);
}

void write_head(Out& o, const RulesInfo& rules, const Summary& s, const std::string& date) {
    o += "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    o += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    o += "<meta name=\"generator\" content=\"screener\">\n";
    put(o, FMT_COMPILE("<title>Screening report: {} {} ({})</title>\n"), esc(rules.id), esc(rules.version), date);
    put(o, FMT_COMPILE("<style>{}</style>\n<style>{}</style>\n</head>\n<body>\n"), style, print_details_style);
    o += "<header>\n<h1>Screening report</h1>\n";
    put(o, FMT_COMPILE("<p class=\"meta\">Rule set <b>{}</b> version <b>{}</b> &middot; {} proposal{} &middot; {}</p>\n"), esc(rules.id),
        esc(rules.version), s.total, s.total == 1 ? "" : "s", date);
    put(o, FMT_COMPILE("<p class=\"meta sha\">Rule-set sha256 <code>{}</code></p>\n</header>\n"), esc(rules.sha256));
}

std::string percent(std::size_t n, std::size_t of) {
    return of == 0 ? std::string("0.00") : two_decimals(100.0 * static_cast<double>(n) / static_cast<double>(of));
}

void write_cards(Out& o, const Summary& s) {
    const std::size_t scored = s.pass + s.fail;
    // Each share says what it is of: the pass card's of all proposals, the pass rate's of those scored.
    const auto share = [&](std::size_t n) { return s.total == 0 ? std::string("no proposals") : percent(n, s.total) + "% of all " + std::to_string(s.total); };
    o += "<section class=\"cards\" aria-label=\"Summary\">\n";
    put(o, FMT_COMPILE("<div class=\"card\"><div class=\"k\">Proposals</div><div class=\"n\">{}</div><div class=\"d\">{} scored, {} invalid</div></div>\n"),
        s.total, scored, s.invalid);
    put(o, FMT_COMPILE("<div class=\"card pass\"><div class=\"k\">Pass</div><div class=\"n\">{}</div><div class=\"d\">{}</div></div>\n"), s.pass, share(s.pass));
    put(o, FMT_COMPILE("<div class=\"card fail\"><div class=\"k\">Fail</div><div class=\"n\">{}</div><div class=\"d\">{}</div></div>\n"), s.fail, share(s.fail));
    put(o, FMT_COMPILE("<div class=\"card invalid\"><div class=\"k\">Invalid</div><div class=\"n\">{}</div><div class=\"d\">{}</div></div>\n"),
        s.invalid, share(s.invalid));
    put(o, FMT_COMPILE("<div class=\"card\"><div class=\"k\">Pass rate</div><div class=\"n\">{}</div><div class=\"d\">{} of the {} scored pass</div></div>\n"),
        scored == 0 ? std::string("&ndash;") : percent(s.pass, scored) + "%", s.pass, scored);
    o += "</section>\n";
}

// Stacked pass/fail histogram of total scores in 10-point bins, with the pass score marked.
void write_histogram(Out& o, const Summary& s) {
    const std::size_t scored = s.pass + s.fail;
    o += "<figure class=\"hist\">\n";
    if (scored == 0) {
        o += "<p class=\"note\">No proposal could be scored.</p>\n</figure>\n";
        return;
    }
    std::size_t peak = 0;
    for (int b = 0; b < 10; ++b) peak = std::max(peak, s.charts.bins_pass[b] + s.charts.bins_fail[b]);
    const auto [top, step] = nice_axis(peak);
    constexpr double W = 700, H = 280, left = 44, right = 12, up = 34, down = 38;
    const double pw = W - left - right, ph = H - up - down, bw = pw / 10;
    const auto y_of = [&, top = top](double count) { return up + ph - ph * count / top; };
    put(o, FMT_COMPILE("<svg viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" role=\"img\" aria-labelledby=\"hist-title\">\n"), num(W), num(H));
    put(o, FMT_COMPILE("<title id=\"hist-title\">Distribution of the total scores of {} scored proposals in 10-point bins; pass score {}</title>\n"), scored,
        two_decimals(s.pass_score));
    for (double t = 0; t <= top + 1e-9; t += step) {
        put(o, FMT_COMPILE("<path class=\"{}\" d=\"M{} {}H{}\"/><text class=\"lbl\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n"), t == 0 ? "axis" : "grid",
            num(left), num(y_of(t)), num(W - right), num(left - 6), num(y_of(t) + 4), static_cast<long long>(t));
    }
    put(o, FMT_COMPILE("<text class=\"lbl\" transform=\"translate(12 {}) rotate(-90)\" text-anchor=\"middle\">proposals</text>\n"), num(up + ph / 2));
    for (int b = 0; b < 10; ++b) {
        const double x = left + bw * b + 5, w = bw - 10;
        const std::size_t np = s.charts.bins_pass[b], nf = s.charts.bins_fail[b];
        put(o, FMT_COMPILE("<g><title>{} to {}{}: {} pass, {} fail</title>"), b * 10, b == 9 ? "" : "under ", b == 9 ? 100 : b * 10 + 10, np, nf);
        if (np > 0)
            put(o, FMT_COMPILE("<rect class=\"pass\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>"), num(x), num(y_of(static_cast<double>(np))), num(w),
                num(ph * static_cast<double>(np) / top));
        if (nf > 0)
            put(o, FMT_COMPILE("<rect class=\"fail\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>"), num(x), num(y_of(static_cast<double>(np + nf))), num(w),
                num(ph * static_cast<double>(nf) / top));
        if (np + nf > 0)
            put(o, FMT_COMPILE("<text class=\"cnt\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>"), num(x + w / 2), num(y_of(static_cast<double>(np + nf)) - 4),
                np + nf);
        o += "</g>\n";
    }
    for (int b = 0; b <= 10; ++b)
        put(o, FMT_COMPILE("<text class=\"lbl\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>"), num(left + bw * b), num(up + ph + 15), b * 10);
    put(o, FMT_COMPILE("\n<text class=\"lbl\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">total score</text>\n"), num(left + pw / 2), num(H - 4));
    const double px = left + pw * std::clamp(s.pass_score, 0.0, 100.0) / 100;
    const bool flip = s.pass_score > 75;
    put(o, FMT_COMPILE("<path class=\"line\" d=\"M{} {}V{}\"/><text class=\"mark\" x=\"{}\" y=\"{}\" text-anchor=\"{}\">pass score {}</text>\n"), num(px), num(up - 10),
        num(up + ph), num(px + (flip ? -5 : 5)), num(up - 12), flip ? "end" : "start", two_decimals(s.pass_score));
    put(o, FMT_COMPILE("<rect class=\"pass\" x=\"{}\" y=\"6\" width=\"11\" height=\"11\"/><text class=\"lbl\" x=\"{}\" y=\"15\">pass</text>"), num(left), num(left + 15));
    put(o, FMT_COMPILE("<rect class=\"fail\" x=\"{}\" y=\"6\" width=\"11\" height=\"11\"/><text class=\"lbl\" x=\"{}\" y=\"15\">fail</text>\n"), num(left + 54),
        num(left + 69));
    o += "</svg>\n";
    put(o, FMT_COMPILE("<figcaption class=\"note\">{} scored proposal{} by total score, in 10-point bins (each bin includes its lower bound; the last also "
           "includes 100). The dashed line is the pass score, {}"),
        scored, scored == 1 ? "" : "s", two_decimals(s.pass_score));
    if (s.charts.pass_scores.size() > 1) {
        put(o, FMT_COMPILE(", the most common one ({} of {} proposals); profiles set a different pass score for the others ("), s.charts.pass_scores.at(s.pass_score),
            scored);
        bool first = true;
        for (const auto& [score, count] : s.charts.pass_scores) {
            if (score == s.pass_score) continue;
            put(o, FMT_COMPILE("{}{} for {}"), first ? "" : ", ", two_decimals(score), count);
            first = false;
        }
        o += ")";
    }
    o += ". A proposal at or above it still fails when a gate fails or a group is below its minimum.</figcaption>\n</figure>\n";
}

void write_causes(Out& o, const Summary& s) {
    o += "<div>\n<h3>Why proposals fail</h3>\n";
    if (s.fail == 0) {
        o += "<p class=\"note\">No scored proposal fails.</p>\n</div>\n";
        return;
    }
    o += "<table class=\"causes\"><tbody>\n";
    for (const auto& [label, n] : s.causes)
        put(o, FMT_COMPILE("<tr><td>{}<i style=\"--w:{}\"></i></td><td>{}</td></tr>\n"), esc(label), pct(100.0 * static_cast<double>(n) / static_cast<double>(s.fail)),
            n);
    put(o, FMT_COMPILE("</tbody></table>\n<p class=\"note\">Counts of the {} failing proposals; one proposal can fail for several reasons.</p>\n</div>\n"), s.fail);
}

const GroupOutcome* find_group(const Result& r, std::size_t index, const std::string& id) {
    if (index < r.groups.size() && r.groups[index].id == id) return &r.groups[index];
    for (const auto& g : r.groups)
        if (g.id == id) return &g;
    return nullptr;
}

// One line per proposal; optional end tags left out. The script follows the table directly.
void write_ranking_head(Out& o, const Result* shape, bool empty) {
    // Sorting needs the script: its hint is shown by it. The order is said in print too.
    o += "<section>\n<h2>Ranking</h2>\n";
    if (!empty)
        o += "<p class=\"note\">Passes come first, then fails, each by score from the highest (equal scores by id), then invalid proposals "
             "in input order.</p>\n<p class=\"note hint\"><span id=\"sort-hint\" hidden>Click a column heading to sort. </span>"
             "Click an id for the proposal's detail. Group scores in red are below the proposal's group minimum.</p>\n";
    o += empty ? "<div class=\"wide\" hidden>" : "<div class=\"wide\">";  // (the script sorts it all the same)
    o += "<table id=\"ranking\">\n<thead><tr><th data-key=\"rank\" data-type=\"num\" aria-sort=\"ascending\">Rank</th>"
         "<th data-key=\"id\" data-type=\"str\">ID</th><th data-key=\"name\" data-type=\"str\">Name</th>"
         "<th data-key=\"verdict\" data-type=\"verdict\">Verdict</th><th class=\"n\" data-key=\"score\" data-type=\"num\" data-desc>Score</th>";
    if (shape)
        for (const auto& g : shape->groups) {
            // No minimum here: a profile may set each proposal's own (the details show it).
            put(o, FMT_COMPILE("<th class=\"n\" data-key=\"group:{}\" data-type=\"num\" data-desc title=\"{}\">{}</th>"), esc(g.id),
                esc(label_of(g.title, g.id)), esc(g.id));
        }
    o += "<th data-key=\"reasons\" data-type=\"str\">Why it fails</th></tr></thead>\n<tbody>\n";
}

void write_ranking_row(Out& o, const Result& r, std::size_t rank, const Result* shape) {
    const bool scored = r.verdict != Verdict::invalid;
    const char* v = verdict_class(r.verdict);
    put(o, FMT_COMPILE("<tr class=\"{}\"><td>{}<td><a href=\"#p-{}\">{}</a><td>"), v, rank, rank, shown_id(r));
    escape_to(o, r.name);
    put(o, FMT_COMPILE("<td><span class=\"b {0}\">{0}</span>"), v);
    if (scored) put(o, FMT_COMPILE("<td class=\"n sc\" style=\"--s:{}\">{}"), pct(r.score), score_text(r.score, r.pass_score));
    else o += "<td class=\"n\">";
    if (shape)
        for (std::size_t k = 0; k < shape->groups.size(); ++k) {
            const GroupOutcome* g = scored ? find_group(r, k, shape->groups[k].id) : nullptr;
            if (!g) o += "<td class=\"n\">";
            else if (g->skipped) o += "<td class=\"n\">skipped";
            else put(o, FMT_COMPILE("<td class=\"n{}\">{}"), below_minimum(*g) ? " bad" : "", score_text(g->score, g->minimum.value_or(0)));
        }
    o += "<td class=\"rs\">";
    for (std::size_t k = 0; k < r.reasons.size(); ++k) {
        if (k) o += "; ";
        escape_to(o, r.reasons[k]);
    }
    o += "\n";
}

void write_invalid_head(Out& o, std::size_t invalid) {
    put(o, FMT_COMPILE("<section>\n<h2>Invalid proposals ({})</h2>\n<p class=\"note\">These cannot be scored until every reason listed is fixed.</p>\n"
           "<ul class=\"invalid-list\">\n"), invalid);
}

void write_invalid_row(Out& o, const Result& r, std::size_t rank) {
    put(o, FMT_COMPILE("<li><a href=\"#p-{}\"><b>{}</b></a> {} &middot; <code>{}</code><ul>"), rank, shown_id(r), esc(r.name), esc(r.source));
    for (const auto& reason : r.reasons) put(o, FMT_COMPILE("<li>{}</li>"), esc(reason));
    o += "</ul></li>\n";
}

// A score bar on 0..100 with a marker (pass score or group minimum): green, or red when short of it.
// Percentages of the cell width, so the bar needs no viewBox and stays a few dozen bytes.
void write_bar(Out& o, double score, bool skipped, std::optional<double> mark, bool short_of) {
    o += "<svg class=\"gb\" aria-hidden=\"true\"><rect class=\"tr\" y=\"2\" width=\"100%\" height=\"10\"/>";
    if (!skipped) put(o, FMT_COMPILE("<rect class=\"{}\" y=\"2\" width=\"{}%\" height=\"10\"/>"), short_of ? "no" : "ok", pct(score));
    if (mark) put(o, FMT_COMPILE("<line x1=\"{0}%\" x2=\"{0}%\" y2=\"14\"/>"), pct(*mark));
    o += "</svg>";
}

// One proposal as `check` explains it: verdict, reasons, every gate, every group and criterion.
void write_detail(Out& o, const Result& r, std::size_t rank) {
    const char* v = verdict_class(r.verdict);
    const bool scored = r.verdict != Verdict::invalid;
    put(o, FMT_COMPILE("<details class=\"p\" id=\"p-{0}\"><summary><span class=\"rk\">#{0}</span><span class=\"nm\"><b>{1}</b>{2}{3}</span>"
                       "<span class=\"b {4}\">{4}</span><span class=\"sc\">{5}</span></summary>\n<div>"),
        rank, shown_id(r), r.name.empty() ? "" : " &middot; ", esc(r.name), v, scored ? score_text(r.score, r.pass_score) : "");
    put(o, FMT_COMPILE("<p class=\"meta\">Verdict <b>{}</b>"), v);
    // as many decimals as tell a failing score from its threshold (59.996, 60.000)
    const auto [score, pass_score] = texts_apart(r.score, r.pass_score);
    if (scored) put(o, FMT_COMPILE(" &middot; score <b>{}</b>, pass score {}"), score, pass_score);
    put(o, FMT_COMPILE(" &middot; source <code>{}</code>"), esc(r.source));
    if (!r.profiles.empty()) {
        o += " &middot; profile";
        o += r.profiles.size() == 1 ? " applied: " : "s applied: ";
        for (std::size_t k = 0; k < r.profiles.size(); ++k) {
            if (k) o += "; ";
            put(o, FMT_COMPILE("<b>{}</b>"), esc(r.profiles[k]));
        }
    }
    o += "</p>\n";
    if (!r.reasons.empty()) {
        put(o, FMT_COMPILE("<div class=\"why{}\"><b>{}</b><ul>"), scored ? "" : " invalid",
            scored ? "Why it fails" : "This proposal cannot be scored until these are fixed");
        for (const auto& reason : r.reasons) put(o, FMT_COMPILE("<li>{}"), esc(reason));
        o += "</ul></div>\n";
    }
    if (!scored) {
        o += "</div></details>\n";
        return;
    }
    o += "<table class=\"gates\"><thead><tr><th>Gate<th>Result<th>Message</thead><tbody>\n";
    for (const auto& g : r.gates)
        put(o, FMT_COMPILE("<tr><td>{}{}<td>{}\n"), esc(label_of(g.title, g.id)), g.passed ? "<td class=\"ok\">passed" : "<td class=\"no\">FAILED", esc(g.message));
    if (r.gates.empty()) o += "<tr><td colspan=\"3\">This rule set has no gates.\n";
    o += "</tbody></table>\n";
    o += "<table class=\"crit\"><thead><tr><th>Group / criterion<th>Value<th>Band (0 → 100 points)<th>Points<th>Weight<th>Note</thead><tbody>\n";
    o += "<tr class=\"t\"><td>Total score<td colspan=\"2\">";
    write_bar(o, r.score, false, r.pass_score, r.score < r.pass_score);
    put(o, FMT_COMPILE("<td{}>{}<td><td>pass score {}\n"), r.score < r.pass_score ? " class=\"bad\"" : "", score, pass_score);
    for (const auto& g : r.groups) {
        const bool short_of = below_minimum(g);
        put(o, FMT_COMPILE("<tr class=\"g\"><td>{}<td colspan=\"2\">"), esc(label_of(g.title, g.id)));
        write_bar(o, g.score, g.skipped, g.minimum, short_of);
        const auto [group_score, minimum] = texts_apart(g.score, g.minimum.value_or(g.score));
        put(o, FMT_COMPILE("<td{}>{}<td>{}<td>"), short_of ? " class=\"bad\"" : "", g.skipped ? "skipped" : group_score, format_number(g.weight));
        if (g.minimum) put(o, FMT_COMPILE("minimum {}{}"), minimum, short_of ? ": <span class=\"bad\">NOT MET</span>" : "");
        o += "\n";
        for (const auto& c : g.criteria) {
            o += "<tr><td>";
            escape_to(o, label_of(c.title, c.id));
            o += "<td>";
            if (c.skipped) o += "–";
            else {
                escape_to(o, format_number(c.value));
                if (!std::isnan(c.value) && !c.unit.empty()) o += ' ', escape_to(o, c.unit);
            }
            if (c.has_metric) put(o, FMT_COMPILE("<td>{} → {}"), esc(format_number(c.band.zero_at)), esc(format_number(c.band.full_at)));
            else o += "<td>by formula";
            put(o, FMT_COMPILE("<td>{}<td>{}<td>{}"), c.skipped ? "skipped" : two_decimals(c.points), format_number(c.weight), c.skipped && !c.reason.empty() ? "skipped: " : "");
            escape_to(o, c.reason);
            o += "\n";
        }
    }
    o += "</tbody></table>\n</div></details>\n";
}

}  // namespace

void ScoreSummary::add(const Result& r) {
    if (r.verdict == Verdict::invalid) return;
    if (gates_failed.empty() && groups_below_minimum.empty()) {
        for (const auto& g : r.gates) gates_failed.emplace_back(label_of(g.title, g.id), 0);
        for (const auto& g : r.groups) groups_below_minimum.emplace_back(label_of(g.title, g.id), 0);
    }
    ++pass_scores[r.pass_score];
    const int bin = std::clamp(static_cast<int>(std::floor(r.score / 10)), 0, 9);
    (r.verdict == Verdict::pass ? bins_pass : bins_fail)[bin]++;
    if (r.verdict != Verdict::fail) return;
    for (std::size_t k = 0; k < r.gates.size() && k < gates_failed.size(); ++k) gates_failed[k].second += !r.gates[k].passed;
    for (std::size_t k = 0; k < r.groups.size() && k < groups_below_minimum.size(); ++k)
        groups_below_minimum[k].second += below_minimum(r.groups[k]);
    below_pass_score += r.score < r.pass_score;
}

void ScoreSummary::add(const ScoreSummary& other) {
    for (std::size_t b = 0; b < 10; ++b) bins_pass[b] += other.bins_pass[b], bins_fail[b] += other.bins_fail[b];
    for (const auto& [score, n] : other.pass_scores) pass_scores[score] += n;
    below_pass_score += other.below_pass_score;
    const auto sum = [](auto& into, const auto& from) {
        if (into.empty()) into = from;  // the labels too, as add() takes them from the first result
        else
            for (std::size_t k = 0; k < into.size() && k < from.size(); ++k) into[k].second += from[k].second;
    };
    sum(gates_failed, other.gates_failed);
    sum(groups_below_minimum, other.groups_below_minimum);
}

namespace detail {

HtmlFrame html_frame(const RulesInfo& rules, std::size_t pass, std::size_t fail, std::size_t invalid, const Result* shape,
                     const ScoreSummary& charts) {
    const Summary summary = summarize(pass, fail, invalid, charts);
    const std::string date = report_date();
    HtmlFrame frame;
    Out o;
    write_head(o, rules, summary, date);
    write_cards(o, summary);
    o += "<section>\n<h2>Score distribution</h2>\n<div class=\"overview\">\n";
    write_histogram(o, summary);
    write_causes(o, summary);
    o += "</div>\n</section>\n";
    write_ranking_head(o, shape, summary.total == 0);
    frame.heads.push_back(std::move(o));

    o = "</tbody>\n</table></div>\n";
    if (summary.total == 0) o += "<p class=\"note\">No proposals were given.</p>\n";
    o += "</section>\n";
    put(o, FMT_COMPILE("<script>{}</script>\n"), script);
    if (invalid > 0) write_invalid_head(o, invalid);
    frame.heads.push_back(std::move(o));

    o = invalid > 0 ? "</ul>\n</section>\n" : "";
    o += "<section id=\"details\">\n<h2>Proposal details</h2>\n";
    if (summary.total > 0)
        o += "<p class=\"tools\" id=\"tools\" hidden><button type=\"button\" data-act=\"open\">Expand all</button>"
             "<button type=\"button\" data-act=\"close\">Collapse all</button></p>\n";
    frame.heads.push_back(std::move(o));

    frame.tail = fmt::format("</section>\n<footer>Generated by screener on {} with rule set {} version {} (sha256 {}). Scores are rounded to two "
                             "decimals, or more where two would show a score equal to the threshold it misses.</footer>\n</body>\n</html>\n",
                             date, esc(rules.id), esc(rules.version), esc(rules.sha256));
    return frame;
}

void append_html_row(std::string& out, std::size_t section, const Result& result, std::size_t rank, const Result* shape) {
    switch (section) {
        case 0: return write_ranking_row(out, result, rank, shape);
        case 1:
            if (result.verdict == Verdict::invalid) write_invalid_row(out, result, rank);
            return;
        default: return write_detail(out, result, rank);
    }
}

}  // namespace detail
}  // namespace screener
