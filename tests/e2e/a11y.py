"""axe-core in the browser: every page a journey loads is checked against WCAG 2.1 A and AA.

The site's CSP (script-src 'self' 'nonce-…') forbids injected <script> tags, and rightly so. axe is
evaluated through the DevTools protocol instead (page.evaluate), which CSP does not govern: the page's
own policy stays exactly as in production.

Each test's page gets an `Audit`. The navigation helpers call `check_a11y(page)` once a new page has
loaded; the `page` fixture checks the page still open at the end of the test, and fails the test if
any page loaded during it was never checked (a journey that navigated some other way).

A page whose markup (CSRF tokens aside) and viewport are identical to one axe already passed in this
session is not run through axe again: same DOM, same stylesheets, same verdict.
"""

from __future__ import annotations

import weakref
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Runs in the page: marks the document as checked and returns a digest of its markup (without the
# per-request CSRF tokens), so a page identical to one already found clean is not checked again.
_SIGNATURE = """async () => {
  const first = !window.__phxA11yChecked;
  window.__phxA11yChecked = true;
  const html = document.documentElement.outerHTML.replace(
    /(name="csrfmiddlewaretoken" value=")[^"]*"/g, "$1"
  );
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(html));
  const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  return {first, digest: `${hex}@${window.innerWidth}x${window.innerHeight}`};
}"""

# Runs in the page once axe is there: the WCAG 2.1 A/AA rules only.
_RUN_AXE = """async ({tags}) => {
  const results = await window.axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return {
    violations: results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      targets: v.nodes.map((n) => n.target.join(" ")),
      summaries: v.nodes.map((n) => n.failureSummary || ""),
    })),
  };
}"""

_audits: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# Digests of pages (markup and viewport) axe found clean in this test session.
_clean: set[str] = set()


def _document(url: str) -> str:
    """A document's URL without its fragment (the skip link changes the fragment, not the page)."""
    return url.split("#", 1)[0]


def axe_source() -> str:
    if not AXE_PATH.is_file():
        pytest.fail(
            f"{AXE_PATH} is missing: run `npm ci` (axe-core is pinned in package.json) before the "
            "e2e journeys.",
            pytrace=False,
        )
    return AXE_PATH.read_text(encoding="utf-8")


def format_violations(url: str, violations: list[dict], where: str = "") -> str:
    lines = [f"axe found {len(violations)} WCAG 2.1 A/AA violation(s) on {url}{where}:"]
    for v in violations:
        lines.append(f"  - {v['id']} ({v['impact']}): {v['help']}  <{v['helpUrl']}>")
        for target, summary in zip(v["targets"][:8], v["summaries"][:8], strict=False):
            detail = " ".join(summary.split())
            lines.append(f"      {target}  — {detail[:240]}")
        if len(v["targets"]) > 8:
            lines.append(f"      … and {len(v['targets']) - 8} more")
    return "\n".join(lines)


class Audit:
    """Which documents a page loaded, and which of them axe has checked."""

    def __init__(self, page, source: str):
        self.page = page
        self.source = source
        self.loaded: list[str] = []
        self.checked: list[str] = []
        page.on("load", self._on_load)

    def _on_load(self, page) -> None:
        if page.url.startswith("http"):
            self.loaded.append(_document(page.url))

    def check(self, where: str = "") -> None:
        page = self.page
        signature = page.evaluate(_SIGNATURE)
        if signature["first"]:
            self.checked.append(_document(page.url))
        if signature["digest"] in _clean:
            return
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(self.source)
        violations = page.evaluate(_RUN_AXE, {"tags": WCAG_TAGS})["violations"]
        if violations:
            pytest.fail(format_violations(page.url, violations, where), pytrace=False)
        _clean.add(signature["digest"])

    def unchecked(self) -> list[str]:
        """Pages loaded but never checked (each URL counted as often as it was loaded)."""
        missing = Counter(self.loaded) - Counter(self.checked)
        return sorted(missing.elements())


def start_audit(page, source: str) -> Audit:
    audit = Audit(page, source)
    _audits[page] = audit
    return audit


def check_a11y(page, where: str = "") -> None:
    """Run axe on the page as it is now; fail with a readable list of violations."""
    _audits[page].check(where)
