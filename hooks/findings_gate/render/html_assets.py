"""What the HTML report carries besides the decision: its style sheet, its filter
script, and the Content-Security-Policy that lets only these two run.

The policy allows nothing from the network and no inline code but these two,
each named by its SHA-256 hash (CSP Level 2), so text a report brings into the
page cannot run or restyle it even if it escaped its element.
"""
from __future__ import annotations

import base64
import hashlib

STYLE = '''
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:78rem;padding:1rem 1.5rem;color:#1f2328}
h1{font-size:1.6rem;margin:.2rem 0}h2{border-bottom:1px solid #d0d7de;margin-top:2rem}
#summary{border-left:.5rem solid #1a7f37;padding:.3rem 1rem;background:#f6f8fa}
#summary.verdict-block{border-color:#cf222e}#summary.verdict-warn{border-color:#bf8700}
table.counts{border-collapse:collapse;margin:.5rem 0}
table.counts td,table.counts th{border:1px solid #d0d7de;padding:.1rem .6rem;text-align:right}
table.counts td:first-child,table.counts th:first-child{text-align:left}
.condition{margin:.3rem 0}.problems{margin:.2rem 0 .5rem 1.5rem;font-family:monospace}
form#filters{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;position:sticky;top:0;background:#fff;
padding:.4rem 0;border-bottom:1px solid #d0d7de;z-index:1}
fieldset{border:1px solid #d0d7de;padding:.1rem .6rem}label{margin-right:.6rem;white-space:nowrap}
section.file{margin:1.2rem 0}h3{font-family:monospace;font-size:1rem;background:#f6f8fa;padding:.3rem .5rem;margin:0}
table.diff{border-collapse:collapse;width:100%;font:12px/1.4 ui-monospace,monospace}
table.diff td{padding:0 .4rem;vertical-align:top}
td.num{color:#6e7781;text-align:right;width:3.5rem;user-select:none}td.code{white-space:pre-wrap;word-break:break-all}
tr.add td.code{background:#e6ffec}tr.del td.code{background:#ffebe9}tr.hunk td{background:#ddf4ff;color:#57606a}
tr.flagged td.num{background:#fff8c5}
.finding{font:13px/1.4 system-ui,sans-serif}
article.finding,tr.finding>td>div{border:1px solid #d0d7de;border-left:.35rem solid #6e7781;margin:.3rem 0;padding:.3rem .6rem;background:#fff}
tr.finding.block>td>div,article.finding.block{border-left-color:#cf222e}
tr.finding.warn>td>div,article.finding.warn{border-left-color:#bf8700}
.action{font-weight:700}.block .action{color:#cf222e}.warn .action{color:#9a6700}
.facts{color:#57606a}.message,.suggestion{margin:.2rem 0;overflow-wrap:anywhere}
.suggestion{font-family:monospace;background:#f6f8fa}pre.lines{margin:.2rem 0;background:#f6f8fa;overflow-x:auto}
[hidden]{display:none!important}
'''

# Filters: a finding is shown when its action, placement, reviewer and severity are all
# ticked. The URL's fragment can preselect them: `#action=block&severity=critical,high`.
SCRIPT = '''
(function () {
  var form = document.getElementById('filters');
  var dims = ['action', 'placement', 'reviewer', 'severity'];
  var findings = document.querySelectorAll('.finding');
  function apply() {
    var wanted = {};
    dims.forEach(function (d) { wanted[d] = []; });
    form.querySelectorAll('input[type=checkbox]').forEach(function (box) {
      if (box.checked) { wanted[box.name].push(box.value); }
    });
    var shown = 0;
    findings.forEach(function (el) {
      var keep = dims.every(function (d) { return wanted[d].indexOf(el.dataset[d]) >= 0; });
      el.hidden = !keep;
      if (keep) { shown += 1; }
    });
    document.getElementById('shown').textContent = shown + ' of ' + findings.length + ' findings shown';
  }
  var chosen = new URLSearchParams(location.hash.slice(1));
  dims.forEach(function (d) {
    if (!chosen.has(d)) { return; }
    var keep = chosen.get(d).split(',');
    form.querySelectorAll('input[type=checkbox]').forEach(function (box) {
      if (box.name === d) { box.checked = keep.indexOf(box.value) >= 0; }
    });
  });
  form.addEventListener('change', apply);
  apply();
  document.body.dataset.filters = 'on';
})();
'''


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


CSP = (f"default-src 'none'; script-src {_hash(SCRIPT)}; style-src {_hash(STYLE)}; "
       "img-src 'none'; base-uri 'none'; form-action 'none'")
