/*
** report_style.c: the inline CSS of report.html and its drawing check.
**
** The page loads nothing: system fonts only, no stylesheet link, no script
** source. The one script is inline and only reads the page: on load it counts,
** in every figure.tw-fig, the data marks (class tw-mark) whose bounding box is
** not empty and lies in its SVG, and sets data-marks (all marks) and
** data-drawn (those drawn) on the figure. tests/trial/report_chromium.sh
** renders the page in headless Chromium and checks data-drawn > 0 and
** data-drawn == data-marks for every figure (docs/report.md).
*/
#include "trial/report_internal.h"

const char tw_rep_css[] =
    "body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:#222;background:#fff;"
    "max-width:1000px;margin:2em auto;padding:0 1.5em;line-height:1.45;font-size:15px}\n"
    "h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;border-bottom:1px solid #ccc;"
    "padding-bottom:.2em;margin-top:2em}h3{font-size:1.05em;margin-top:1.4em}\n"
    ".sub{color:#555;margin-top:0}\n"
    "table{border-collapse:collapse;margin:.6em 0 1em;font-size:.9em}\n"
    "th,td{padding:.25em .7em;border-bottom:1px solid #e3e3e3;text-align:right;vertical-align:top}\n"
    "th{background:#f4f4f4;font-weight:600}th:first-child,td:first-child,td.l{text-align:left}\n"
    "tr.grp td{background:#fafafa;font-weight:600;text-align:left}\n"
    "td{white-space:nowrap}td.ne{color:#8a5a00;font-style:italic;text-align:left;white-space:normal;max-width:26em}\n"
    "pre{background:#f7f7f7;border:1px solid #e3e3e3;padding:.8em;overflow:auto;font-size:.85em}\n"
    "details summary{cursor:pointer;color:#333}\n"
    "figure.tw-fig{margin:1.2em 0 2em}figure.tw-fig svg{max-width:100%;height:auto;display:block}\n"
    "figcaption{font-size:.88em;color:#444;margin-top:.4em}\n"
    "svg text{font-family:inherit;fill:#333}svg .tick{font-size:11px}svg .title{font-size:12px}\n"
    "svg .legend{font-size:12px}svg .panel{font-size:13px;font-weight:600}svg .note{font-size:11px;fill:#8a5a00}\n"
    "svg .axis{stroke:#555;stroke-width:1}svg .grid{stroke:#e6e6e6;stroke-width:1}\n"
    "svg .zero{stroke:#888;stroke-dasharray:4 3}svg .warm{fill:#efefef}\n"
    "p.note{color:#8a5a00}\n";

const char tw_rep_script[] =
    "window.addEventListener('load', function () {\n"
    "  document.querySelectorAll('figure.tw-fig').forEach(function (fig) {\n"
    "    var svg = fig.querySelector('svg'), box = svg.getBoundingClientRect(), marks = 0, drawn = 0;\n"
    "    svg.querySelectorAll('.tw-mark').forEach(function (m) {\n"
    "      var r = m.getBoundingClientRect();\n"
    "      marks++;\n"
    "      if ((r.width > 0 || r.height > 0) && r.left >= box.left - 1 && r.right <= box.right + 1 &&\n"
    "          r.top >= box.top - 1 && r.bottom <= box.bottom + 1) drawn++;\n"
    "    });\n"
    "    fig.setAttribute('data-marks', String(marks));\n"
    "    fig.setAttribute('data-drawn', String(drawn));\n"
    "  });\n"
    "});\n";
