// A questionnaire page answered through a personal link: shows and hides its items as the
// person answers, by the same skip-logic rules the server applies (deficits/questionnaire/
// logic.py). The expressions come parsed, as JSON (no eval); the server decides again on
// every POST, so the page works the same without this script.
(function () {
  "use strict";
  const form = document.getElementById("survey-form");
  const data = document.getElementById("survey-logic");
  if (!form || !data) return;
  const logic = JSON.parse(data.textContent);
  const shownInput = document.getElementById("survey-shown");
  const NUMBER = /^-?\d+(\.\d+)?$/;

  function blank(v) {
    return v === undefined || v === null ? "" : v;
  }
  function asNumber(v) {
    if (typeof v === "number") return v;
    if (typeof v === "string" && NUMBER.test(v.trim())) return Number(v.trim());
    return null;
  }
  function truthy(v) {
    if (Array.isArray(v)) return v.length > 0;
    if (typeof v === "number") return v !== 0;
    if (typeof v === "boolean") return v;
    return v !== "";
  }
  function compare(op, left, right) {
    let a = asNumber(left);
    let b = asNumber(right);
    if (a === null || b === null || Array.isArray(left) || Array.isArray(right)) {
      a = String(left);
      b = String(right);
      if ((op === "<" || op === "<=" || op === ">" || op === ">=") && (a === "" || b === "")) return false;
    }
    switch (op) {
      case "=": return a === b;
      case "!=": return a !== b;
      case "<": return a < b;
      case "<=": return a <= b;
      case ">": return a > b;
      case ">=": return a >= b;
    }
    return false;
  }
  function value(node, answers) {
    switch (node.k) {
      case "ref": return blank(answers[node.v]);
      case "self": return "";
      case "literal": return node.v !== null && typeof node.v === "object" ? Number(node.v.n) : node.v;
      case "not": return !truthy(value(node.a[0], answers));
      case "and": return node.a.every((arg) => truthy(value(arg, answers)));
      case "or": return node.a.some((arg) => truthy(value(arg, answers)));
      case "call": {
        let chosen = value(node.a[0], answers);
        chosen = Array.isArray(chosen) ? chosen : chosen === "" ? [] : [chosen];
        if (node.v === "count-selected") return chosen.length;
        const wanted = String(value(node.a[1], answers));
        return chosen.some((c) => String(c) === wanted);
      }
    }
    return compare(node.k, value(node.a[0], answers), value(node.a[1], answers));
  }
  function read(name) {
    const type = logic.types[name];
    const inputs = form.querySelectorAll('[name="' + CSS.escape(name) + '"]');
    if (type === "multiple") {
      return Array.from(inputs).filter((i) => i.checked).map((i) => i.value);
    }
    let raw = "";
    inputs.forEach((i) => {
      if (i.type === "radio" || i.type === "checkbox") {
        if (i.checked) raw = i.value;
      } else {
        raw = i.value.trim();
      }
    });
    if ((type === "scale" || type === "number") && raw !== "") {
      // Not a number: the server refuses it and keeps no answer, so it reads as unanswered.
      const n = asNumber(raw.replace(/[\s\u00a0]/g, "").replace(",", "."));
      return n === null ? "" : n;
    }
    return raw;
  }
  function update() {
    // In the page's order: an item hidden here counts as unanswered for the items after it.
    const answers = Object.assign({}, logic.answers);
    const shown = [];
    form.querySelectorAll(".survey-item").forEach((block) => {
      const name = block.dataset.item;
      const rule = logic.items[name];
      const visible = !rule || truthy(value(rule, answers));
      block.hidden = !visible;
      block.querySelectorAll("input, textarea, select").forEach((input) => {
        input.disabled = !visible;
      });
      if (visible) {
        shown.push(name);
        const v = read(name);
        if (!(v === "" || (Array.isArray(v) && v.length === 0))) answers[name] = v;
      }
    });
    if (shownInput) shownInput.value = shown.join(" ");
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
