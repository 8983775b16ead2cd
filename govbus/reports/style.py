"""The agreement report's stylesheet, inline so the page is one self-contained file."""

STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2733;margin:0;background:#f6f7f9}
header{background:#1f3a5f;color:#fff;padding:18px 28px}header h1{margin:0 0 4px;font-size:24px}
header a{color:#cfe3ff}.meta{color:#5b6776;margin:4px 0 10px}header .meta{color:#dbe5f1}
main{padding:8px 28px 40px;max-width:1400px}
section{background:#fff;border:1px solid #dfe3e8;border-radius:6px;padding:14px 18px;margin:16px 0}
h2{font-size:19px;margin:0 0 6px}table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid #eceff3}
th{font-size:13px;color:#5b6776;font-weight:600;background:#fafbfc}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0 12px}dt{color:#5b6776}dd{margin:0}
.badge{display:inline-block;white-space:nowrap;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff;vertical-align:middle}
.badge.passed{background:#2e7d32}.badge.warning{background:#ef8f00}.badge.failed{background:#c62828}
.badge.error{background:#6a1b9a}.badge.none{background:#9aa5b1}.failed-text{color:#c62828}
tbody.clause.failed>tr:first-child,tbody.clause.error>tr:first-child{background:#fff5f5}
tbody.clause.warning>tr:first-child{background:#fffaf0}
ul.levels{list-style:none;padding:0;display:flex;gap:22px;flex-wrap:wrap;margin:6px 0 12px}
ul.rules{margin:4px 0 0;padding-left:18px;font-size:13px;color:#3d4a59}ul.rules li.failed,ul.rules li.error{color:#b71c1c}
ul.rules li.warning{color:#a86300}code{background:#f1f3f5;padding:0 4px;border-radius:3px;font-size:12.5px}
td:last-child a{white-space:nowrap}tr.history td{border-bottom:1px solid #dfe3e8;padding-top:0}details summary{cursor:pointer;color:#1f5aa6;font-size:13px}
details table{margin:6px 0;font-size:13px}.muted{color:#9aa5b1;font-size:12px}svg.trend{vertical-align:middle}
"""
