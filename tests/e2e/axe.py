"""axe-core in every document a journey loads, and the page checks every journey shares.

How no page escapes the check (the sync Playwright API cannot evaluate from inside an event
handler, so nothing is run "on navigation" from Python):

- The vendored axe-core (tests/e2e/vendor/) is an init script of the browser context: it is in
  every document before the document's own scripts, whatever the Content-Security-Policy says.
- A second init script starts ``axe.run`` in the top document once it has loaded, and tells the
  test through an exposed binding when a document started and what its check found.
- The journey's ``page`` is a proxy: before any use of it, the document loaded last is waited for
  until its check has reported (an evaluate in the test's own flow, never in a handler). A test
  therefore cannot act on a page, or leave it, with the page unchecked.
- At the end of a journey every document that started must have reported: one left while its
  check was still running fails the journey by its address.

Only violations of impact "serious" or "critical" fail; each is listed with the rule id, impact,
the element's selector and the page's address.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")
BINDING = "__e2eAxeReport"

# Runs in every frame of every document, after axe.min.js. Only the top document is checked
# (axe-core looks into same-origin frames itself). window.__e2eAxeCheck() re-runs the check on the
# document as it is now (content htmx swapped in after the load); runs are chained because
# axe-core refuses to start while a run is going.
AUTORUN = """
(() => {
  if (window.top !== window || !window.axe || location.protocol === "about:") { return; }
  const doc = "%(token)s-" + Math.random().toString(36).slice(2) + Date.now().toString(36);
  const report = (payload) => {
    try { return window.%(binding)s(payload); } catch (error) { return null; }
  };
  const check = (why) => window.axe.run(document, {resultTypes: ["violations"]}).then((results) => {
    const violations = [];
    for (const rule of results.violations) {
      for (const node of rule.nodes) {
        violations.push({id: rule.id, impact: node.impact || rule.impact, help: rule.help,
                         target: node.target.map(String).join(" "), html: node.html.slice(0, 160)});
      }
    }
    const payload = {event: "checked", why, doc, url: location.href, violations};
    return Promise.resolve(report(payload)).then(() => payload);
  }, (error) => {
    const payload = {event: "checked", why, doc, url: location.href,
                     violations: [{id: "axe-error", impact: "critical", help: String(error), target: "", html: ""}]};
    return Promise.resolve(report(payload)).then(() => payload);
  });
  let chain = null;
  const loaded = new Promise((resolve) => {
    if (document.readyState === "complete") { resolve(); }
    else { window.addEventListener("load", () => resolve(), {once: true}); }
  });
  const started = () => report({event: "started", doc, url: location.href});
  document.addEventListener("DOMContentLoaded", started, {once: true});
  // A tick after the load: htmx's hx-trigger="load" requests have been sent by then.
  chain = loaded.then(() => new Promise((resolve) => setTimeout(resolve, 50))).then(() => check("load"));
  window.__e2eAxeDone = () => chain;
  window.__e2eAxeCheck = (why) => { chain = chain.then(() => check(why || "again")); return chain; };
})();
"""


@dataclass
class Finding:
    rule: str
    impact: str
    target: str
    url: str
    help: str

    def line(self) -> str:
        return f"{self.rule} [{self.impact}] {self.target} — {self.url} ({self.help})"


@dataclass
class AxeLog:
    """What the documents of one browser context reported."""

    started: dict[str, str] = field(default_factory=dict)  # doc -> url
    checked: dict[str, str] = field(default_factory=dict)  # doc -> url
    findings: list[Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # rule id -> nodes, every impact (for the notes)

    def record(self, payload: dict) -> None:
        doc, url = payload["doc"], payload["url"]
        if payload["event"] == "started":
            self.started[doc] = url
            return
        self.started.setdefault(doc, url)
        self.checked[doc] = url
        seen = {(f.rule, f.target, f.url) for f in self.findings}
        for v in payload["violations"]:
            key = (v["id"], v["target"], url)
            if v["impact"] in FAILING_IMPACTS and key not in seen:
                seen.add(key)
                self.findings.append(Finding(v["id"], v["impact"], v["target"], url, v["help"]))
                self.counts[v["id"]] = self.counts.get(v["id"], 0) + 1

    def unchecked(self) -> list[str]:
        return [url for doc, url in self.started.items() if doc not in self.checked]

    def problems(self) -> list[str]:
        lines = [f.line() for f in self.findings]
        lines += [f"unchecked: the journey left {url} before axe-core had checked it" for url in self.unchecked()]
        return lines


def install(context) -> AxeLog:
    """axe-core and its autorun in every document of ``context``; the log its reports go to."""
    log = AxeLog()
    context.expose_binding(BINDING, lambda source, payload: log.record(payload))
    context.add_init_script(path=str(AXE_JS))
    context.add_init_script(script=AUTORUN % {"token": uuid.uuid4().hex[:8], "binding": BINDING})
    return log


def wait_checked(page, log: AxeLog, *, again: bool = False) -> None:
    """Until the current document's check (a fresh one with ``again``) has reported to ``log``."""
    from playwright.sync_api import Error  # imported on use: playwright comes with `make e2e` only

    script = (
        "why => window.__e2eAxeCheck ? window.__e2eAxeCheck(why) : null"
        if again
        else ("() => window.__e2eAxeDone ? window.__e2eAxeDone() : null")
    )
    for _attempt in range(5):
        try:
            page.wait_for_load_state("load")
            payload = page.evaluate(script, "shot") if again else page.evaluate(script)
        except Error as error:
            # The document went away under the evaluate (a navigation was under way): its
            # successor is the one to wait for.
            if "context was destroyed" in str(error) or "navigat" in str(error).lower():
                continue
            raise
        if payload:
            log.record(payload)
        return
    raise AssertionError(f"axe-core could not check {page.url}: the page kept navigating")


def page_width(page) -> tuple[int, int]:
    """(document width, window width) in CSS pixels; the first larger means sideways scrolling."""
    return tuple(page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]"))


def overflowing(page, limit: int = 5) -> list[str]:
    """The widest elements sticking out of the window, for a failure message."""
    return page.evaluate(
        """limit => {
          const w = window.innerWidth, out = [];
          for (const el of document.querySelectorAll("body *")) {
            const r = el.getBoundingClientRect();
            // Inside a scrolling box an element widens the box, not the page; a positioned one
            // (absolute, fixed) may escape the box, so it is listed whatever its ancestors.
            const position = getComputedStyle(el).position;
            let clipped = false;
            for (let a = el.parentElement; a && a !== document.body && position !== "absolute" && position !== "fixed";
                 a = a.parentElement) {
              if (getComputedStyle(a).overflowX !== "visible") { clipped = true; break; }
            }
            if (r.right > w + 1 && r.width > 0 && !clipped) {
              const classes = typeof el.className === "string" ? el.className.trim().split(/\\s+/) : [];
              const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "");
              out.push([Math.round(r.right), name + classes.filter(Boolean).map((c) => "." + c).join("")]);
            }
          }
          out.sort((a, b) => b[0] - a[0]);
          return out.slice(0, limit).map(([r, d]) => d + " ends at " + r + " px");
        }""",
        limit,
    )
