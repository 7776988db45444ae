// The indicator builder: conditions picked from lists (the vocabulary the page gives as JSON),
// the whole form written as the definition's JSON into one hidden field, and the preview.
// Nothing here decides what is valid: the server validates and names the wrong part.
// Nothing typed is lost: leaving with unsaved changes asks first (as static/js/letter-editor.js does);
// a preview after the session ended says so instead of showing the login page; the definition is kept
// in sessionStorage while the form is sent, and offered back if the save went through the login page.
(function () {
  "use strict";
  var form = document.getElementById("indicator-builder");
  if (!form) {
    return;
  }
  var vocab = JSON.parse(document.getElementById("builder-vocabulary").textContent);
  var initial = JSON.parse(document.getElementById("builder-initial").textContent) || {};
  var hidden = document.getElementById("builder-definition");
  var previewBox = document.getElementById("builder-preview");
  var previewButton = document.getElementById("builder-preview-button");
  var byKey = function (key) { return form.querySelector("[data-key='" + key + "']"); };
  var serial = 0;
  var live = false;
  var timer = null;
  var pending = false;  // a preview is on its way: the next one waits for it
  var again = false;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") {
        node.textContent = attrs[k];
      } else {
        node.setAttribute(k, attrs[k]);
      }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(c); } });
    return node;
  }
  function uid(prefix) {
    serial += 1;
    return prefix + "-" + serial;
  }
  function option(value, label, selected) {
    var o = el("option", { value: value, text: label });
    if (selected) { o.selected = true; }
    return o;
  }
  function labelled(labelText, control, extraClass) {
    var id = control.id || uid("c");
    control.id = id;
    return el("div", { "class": "builder-cell " + (extraClass || "") }, [
      el("label", { "class": "form-label small mb-0", "for": id, text: labelText }), control
    ]);
  }
  function population(name) { return vocab.populations[name]; }
  function fieldOf(pop, name) {
    var found = null;
    population(pop).groups.forEach(function (g) {
      g.fields.forEach(function (f) { if (f.name === name) { found = f; } });
    });
    return found;
  }

  // ---- The top of the form: population, start level, measure, breakdown ----
  function fillPopulations() {
    var select = byKey("population");
    var value = select.getAttribute("data-value") || "teachers";
    vocab.countable.forEach(function (name) {
      select.appendChild(option(name, population(name).label, name === value));
    });
  }
  function fillStarts() {
    var select = byKey("start");
    var current = select.value || select.getAttribute("data-value");
    var labels = {};
    vocab.levels.forEach(function (l) { labels[l[0]] = l[1]; });
    select.textContent = "";
    population(byKey("population").value).starts.forEach(function (s) {
      select.appendChild(option(s, labels[s], s === current));
    });
  }
  function fillFieldSelect(select, pop, accept, emptyLabel) {
    var current = select.value || select.getAttribute("data-value") || "";
    select.textContent = "";
    select.appendChild(option("", emptyLabel, current === ""));
    population(pop).groups.forEach(function (g) {
      var group = el("optgroup", { label: g.label });
      g.fields.forEach(function (f) {
        if (accept(f)) { group.appendChild(option(f.name, f.label, f.name === current)); }
      });
      if (group.children.length) { select.appendChild(group); }
    });
  }
  function fillMeasureAndBreakdown() {
    var pop = byKey("population").value;
    fillFieldSelect(byKey("measure"), pop, function (f) { return f.measurable; }, "нет (считаются строки)");
    fillFieldSelect(byKey("breakdown"), pop, function (f) { return f.breakdown; }, "без разреза");
  }
  var HINTS = {
    percent: ["Строки, отвечающие условиям числителя и знаменателя.", "Строки, от которых считается доля (пусто — вся совокупность)."],
    count: ["Строки, которые считаются (или суммируется числовое поле).", "У количества знаменателя нет."],
    average: ["У среднего условий числителя нет: кого учитывать, задает знаменатель.", "Строки, по которым считается среднее числового поля."],
    flag: ["Показатель равен 1, если есть хотя бы одна такая строка.", "У признака наличия знаменателя нет."]
  };
  function showParts() {
    var unit = byKey("unit").value;
    var hints = HINTS[unit] || ["", ""];
    form.querySelector("[data-hint=numerator]").textContent = hints[0];
    form.querySelector("[data-hint=denominator]").textContent = hints[1];
    var measure = form.querySelector("[data-part=measure]");
    measure.hidden = !(unit === "average" || unit === "count");
  }

  // ---- Conditions ----
  function valueWidget(field, op, value) {
    var box = el("div", { "class": "builder-value-cell", "data-role": "value" });
    if (vocab.no_value.indexOf(op) >= 0) {
      return box;
    }
    if (vocab.years.indexOf(op) >= 0) {
      var years = el("input", { type: "number", min: "1", max: "50", step: "1", "class": "form-control form-control-sm", "data-value-kind": "years" });
      years.value = value != null ? value : "";
      box.appendChild(labelled("Лет", years));
      return box;
    }
    if (field.kind === "bool") {
      var yes = el("select", { "class": "form-select form-select-sm", "data-value-kind": "bool" });
      yes.appendChild(option("true", "да", value !== false));
      yes.appendChild(option("false", "нет", value === false));
      box.appendChild(labelled("Значение", yes));
      return box;
    }
    if ((field.kind === "choice" || field.kind === "tag") && field.choices.length) {
      var chosen = Array.isArray(value) ? value : [];
      var set = el("fieldset", { "class": "builder-choices", "data-value-kind": "choices" }, [
        el("legend", { "class": "form-label small mb-0", text: "Значения" })
      ]);
      field.choices.forEach(function (c) {
        var id = uid("v");
        var box2 = el("input", { type: "checkbox", "class": "form-check-input", id: id, value: c[0] });
        box2.checked = chosen.indexOf(c[0]) >= 0;
        set.appendChild(el("div", { "class": "form-check form-check-inline" }, [
          box2, el("label", { "class": "form-check-label", "for": id, text: c[1] })
        ]));
      });
      box.appendChild(set);
      return box;
    }
    var listy = field.kind === "tag" || field.kind === "choice" || (field.kind === "text" && op === "in");
    var input = el("input", {
      type: "text", "class": "form-control form-control-sm", autocomplete: "off",
      "data-value-kind": listy ? "list" : (field.kind === "number" ? "number" : "text")
    });
    if (field.kind === "number") { input.setAttribute("inputmode", "decimal"); }
    input.value = Array.isArray(value) ? value.join("; ") : (value != null ? value : "");
    box.appendChild(labelled(listy ? "Значения через «;»" : "Значение", input));
    return box;
  }

  function fieldCondition(pop, item) {
    var node = el("div", { "class": "builder-condition", "data-type": "field" });
    var fieldSelect = el("select", { "class": "form-select form-select-sm", "data-role": "field" });
    fillFieldSelect(fieldSelect, pop, function () { return true; }, "— выберите поле —");
    fieldSelect.value = item.field || "";
    var opSelect = el("select", { "class": "form-select form-select-sm", "data-role": "op" });
    var row = el("div", { "class": "builder-row" }, [labelled("Поле", fieldSelect, "builder-grow"), labelled("Операция", opSelect)]);
    node.appendChild(row);
    function fillOps(keepValue) {
      var field = fieldOf(pop, fieldSelect.value);
      opSelect.textContent = "";
      var old = node.querySelector("[data-role=value]");
      if (old) { old.remove(); }
      if (!field) { return; }
      var ops = vocab.operators[field.kind];
      Object.keys(ops).forEach(function (op) { opSelect.appendChild(option(op, ops[op], op === item.op)); });
      node.insertBefore(valueWidget(field, opSelect.value, keepValue ? item.value : null), node.querySelector(".builder-remove"));
    }
    fieldSelect.addEventListener("change", function () { item = {}; fillOps(false); });
    opSelect.addEventListener("change", function () {
      var field = fieldOf(pop, fieldSelect.value);
      var old = node.querySelector("[data-role=value]");
      var keep = old ? readValue(old, field) : null;
      if (old) { old.remove(); }
      node.insertBefore(valueWidget(field, opSelect.value, keep), node.querySelector(".builder-remove"));
    });
    node.appendChild(removeButton(node, "условие"));
    fillOps(true);
    return node;
  }

  function relationCondition(pop, item) {
    var node = el("div", { "class": "builder-condition builder-nested", "data-type": "relation" });
    var relSelect = el("select", { "class": "form-select form-select-sm", "data-role": "relation" });
    population(pop).relations.forEach(function (r) { relSelect.appendChild(option(r.name, r.label, r.name === item.relation)); });
    var opSelect = el("select", { "class": "form-select form-select-sm", "data-role": "exists" });
    opSelect.appendChild(option("exists", "есть", item.op !== "not_exists"));
    opSelect.appendChild(option("not_exists", "нет", item.op === "not_exists"));
    node.appendChild(el("div", { "class": "builder-row" }, [labelled("Связь", opSelect), labelled("такая запись", relSelect, "builder-grow")]));
    var inner = el("div", { "class": "builder-list" });
    node.appendChild(el("p", { "class": "small mb-1 builder-such", text: "…такая, что:" }));
    node.appendChild(inner);
    function target() {
      var rel = population(pop).relations.filter(function (r) { return r.name === relSelect.value; })[0];
      return rel ? rel.target : null;
    }
    function build(where) {
      inner.textContent = "";
      if (target()) { mountList(inner, target(), where || []); }
    }
    relSelect.addEventListener("change", function () { build([]); });
    build(item.where);
    node.appendChild(removeButton(node, "связь"));
    return node;
  }

  function anyCondition(pop, item) {
    var node = el("div", { "class": "builder-condition builder-nested", "data-type": "any" });
    node.appendChild(el("p", { "class": "small fw-semibold mb-1", text: "Любое из условий:" }));
    var inner = el("div", { "class": "builder-list" });
    node.appendChild(inner);
    mountList(inner, pop, item.any || [], true);
    node.appendChild(removeButton(node, "группу «любое из»"));
    return node;
  }

  // A select shows its choice on one line: where the operation is cut (a nested condition on a
  // phone), its whole text is written under it.
  var ruler = document.createElement("canvas").getContext("2d");
  function fitOp(select) {
    var cell = select.parentNode;
    var note = cell.querySelector(".builder-op-full");
    var chosen = select.options[select.selectedIndex];
    var cut = false;
    if (chosen && select.clientWidth) {
      var style = getComputedStyle(select);
      ruler.font = style.font;
      var room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      cut = ruler.measureText(chosen.text).width > room;
    }
    if (!cut) {
      if (note) { note.remove(); }
      return;
    }
    if (!note) {
      note = el("div", { "class": "form-text mt-0 builder-op-full", "aria-hidden": "true" });
      cell.appendChild(note);
    }
    note.textContent = chosen.text;
  }
  function fitOps() {
    Array.prototype.forEach.call(form.querySelectorAll("[data-role=op]"), fitOp);
  }

  function removeButton(node, what) {
    var button = el("button", { type: "button", "class": "btn btn-sm btn-link builder-remove", text: "Удалить " + what });
    button.addEventListener("click", function () {
      var list = node.parentNode;
      node.remove();
      var next = list.querySelector("select, input, button");
      if (next) { next.focus(); }
      changed();
    });
    return button;
  }

  function conditionNode(pop, item) {
    if (item && item.any) { return anyCondition(pop, item); }
    if (item && item.relation) { return relationCondition(pop, item); }
    return fieldCondition(pop, item || {});
  }

  // A list of conditions: its items, then the buttons that add one.
  function mountList(container, pop, items, inAny) {
    container.setAttribute("data-population", pop);
    var items_box = el("div", { "class": "builder-items" });
    container.appendChild(items_box);
    items.forEach(function (item) { items_box.appendChild(conditionNode(pop, item)); });
    var buttons = el("div", { "class": "d-flex flex-wrap gap-2 mt-1" });
    function add(label, make) {
      var b = el("button", { type: "button", "class": "btn btn-sm btn-outline-dark", text: label });
      b.addEventListener("click", function () {
        var node = make();
        items_box.appendChild(node);
        var first = node.querySelector("select, input");
        if (first) { first.focus(); }
        changed();
      });
      buttons.appendChild(b);
    }
    add("+ условие", function () { return fieldCondition(pop, {}); });
    if (population(pop).relations.length) {
      add("+ «есть … такая, что»", function () { return relationCondition(pop, {}); });
    }
    if (!inAny) {
      add("+ «любое из»", function () { return anyCondition(pop, { any: [] }); });
    }
    container.appendChild(buttons);
  }

  function mountTop(part, items) {
    var container = form.querySelector("[data-list=" + part + "]");
    container.textContent = "";
    mountList(container, byKey("population").value, items || []);
  }

  // ---- Serialization: the form as the definition ----
  function readValue(box, field) {
    var input = box.querySelector("[data-value-kind]");
    if (!input) { return undefined; }
    var kind = input.getAttribute("data-value-kind");
    if (kind === "bool") { return input.value === "true"; }
    if (kind === "choices") {
      return Array.prototype.map.call(input.querySelectorAll("input:checked"), function (c) { return c.value; });
    }
    if (kind === "list") {
      return input.value.split(";").map(function (s) { return s.trim(); }).filter(Boolean);
    }
    if (kind === "years") { return input.value.trim() === "" ? "" : parseInt(input.value, 10); }
    return input.value.trim();
  }

  function readList(container) {
    var items = container.querySelector(".builder-items");
    var pop = container.getAttribute("data-population");
    return Array.prototype.filter.call(items.children, function (n) { return n.classList.contains("builder-condition"); })
      .map(function (n) { return readCondition(n, pop); });
  }

  function readCondition(node, pop) {
    var type = node.getAttribute("data-type");
    var inner = node.querySelector(":scope > .builder-list");
    if (type === "any") { return { any: readList(inner) }; }
    if (type === "relation") {
      return {
        relation: node.querySelector("[data-role=relation]").value,
        op: node.querySelector("[data-role=exists]").value,
        where: inner && inner.querySelector(".builder-items") ? readList(inner) : []
      };
    }
    var name = node.querySelector("[data-role=field]").value;
    var out = { field: name, op: node.querySelector("[data-role=op]").value };
    var box = node.querySelector(":scope > [data-role=value]");
    var value = box ? readValue(box, fieldOf(pop, name)) : undefined;
    if (value !== undefined) { out.value = value; }
    return out;
  }

  function definition() {
    var text = function (k) { return byKey(k).value.trim(); };
    var unit = byKey("unit").value;
    return {
      code: text("code"),
      title: text("title"),
      direction: parseInt(byKey("direction").value, 10),
      unit: unit,
      population: byKey("population").value,
      start: byKey("start").value,
      numerator: unit === "average" ? [] : readList(form.querySelector("[data-list=numerator]")),
      denominator: unit === "count" || unit === "flag" ? [] : readList(form.querySelector("[data-list=denominator]")),
      measure: unit === "average" || unit === "count" ? byKey("measure").value : "",
      breakdown: byKey("breakdown").value,
      target: text("target"),
      threshold: text("threshold"),
      higher_is_better: byKey("higher_is_better").checked,
      note: text("note")
    };
  }

  // ---- Session: the CSRF token, a lost session ----
  var SESSION_ENDED = "Сессия истекла или вы вышли: войдите в портал в другой вкладке и нажмите " +
    "«Предварительный расчет» снова — определение на этой странице не потеряно.";
  // Logging in again (in another tab) rotates the CSRF token: the cookie holds the current one.
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : form.querySelector("[name=csrfmiddlewaretoken]").value;
  }

  // ---- Preview ----
  function preview(event) {
    live = true;
    // Asked for by the button on a phone, where the panel is below the form: bring it into view.
    if (event && event.type === "click") {
      var box = previewBox.getBoundingClientRect();
      if (box.top > window.innerHeight || box.bottom < 0) {
        previewBox.closest("section").scrollIntoView({ block: "start" });
      }
    }
    var body = new FormData();
    body.append("definition", JSON.stringify(definition()));
    body.append("csrfmiddlewaretoken", csrfToken());
    if (pending) {
      again = true;
      return;
    }
    pending = true;
    previewBox.setAttribute("aria-busy", "true");
    fetch(previewButton.getAttribute("data-url"), { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        // Logged out (or the session expired): the request was redirected to the login page.
        if (response.redirected || response.status === 401 || response.status === 403) {
          throw new Error(SESSION_ENDED);
        }
        if (!response.ok && response.status !== 422) { throw new Error("Расчет не выполнен: повторите."); }
        return response.text();
      })
      .then(function (html) {
        // The preview is a fragment: a whole page (a login form) is never embedded.
        if (/<html[\s>]|name=["']?password/i.test(html)) { throw new Error(SESSION_ENDED); }
        previewBox.innerHTML = html;
      })
      .catch(function (error) {
        previewBox.textContent = "";
        previewBox.appendChild(el("p", { "class": "alert alert-danger", role: "alert", text: error.message || "Расчет не выполнен: повторите." }));
      })
      .finally(function () {
        previewBox.removeAttribute("aria-busy");
        pending = false;
        if (again) {
          again = false;
          preview();
        }
      });
  }
  function changed() {
    if (!live) { return; }
    clearTimeout(timer);
    timer = setTimeout(preview, 900);
  }

  // ---- A definition put back into the form (a kept draft) ----
  function restore(d, catalogSlug) {
    var set = function (k, v) { if (v != null && !byKey(k).readOnly) { byKey(k).value = v; } };
    set("code", d.code);
    set("title", d.title);
    set("direction", d.direction);
    set("unit", d.unit);
    set("target", d.target);
    set("threshold", d.threshold);
    set("note", d.note);
    byKey("higher_is_better").checked = d.higher_is_better !== false;
    if (d.population && population(d.population)) { byKey("population").value = d.population; }
    ["start", "measure", "breakdown"].forEach(function (k) {
      byKey(k).setAttribute("data-value", d[k] || "");
      byKey(k).textContent = "";  // refilled from data-value
    });
    fillStarts();
    fillMeasureAndBreakdown();
    var catalogSelect = form.querySelector("[name=catalog]");
    if (catalogSlug != null && catalogSelect.querySelector("option[value='" + catalogSlug + "']")) {
      catalogSelect.value = catalogSlug;
    }
    showParts();
    mountTop("numerator", d.numerator);
    mountTop("denominator", d.denominator);
    fitOps();
  }

  // ---- Drafts: kept while the form is sent, offered back after a trip through the login page ----
  var DRAFT_PREFIX = "indicator-builder:";
  var draftKey = DRAFT_PREFIX + location.pathname;
  function state() {
    return JSON.stringify(definition()) + "|" + form.querySelector("[name=catalog]").value;
  }
  function readDraft(key) {
    try {
      return JSON.parse(window.sessionStorage.getItem(key) || "null");
    } catch (e) {
      return null;  // storage disabled or a garbled entry: nothing to offer
    }
  }
  function dropDraft(key) {
    try { window.sessionStorage.removeItem(key); } catch (e) { /* storage disabled */ }
  }
  function keepDraft() {
    try {
      window.sessionStorage.setItem(draftKey, JSON.stringify({
        definition: definition(), catalog: form.querySelector("[name=catalog]").value,
        revision: form.querySelector("[name=revision]").value, at: Date.now()
      }));
    } catch (e) { /* storage full or disabled: the save itself still goes */ }
  }
  function dropSavedDrafts() {
    // The page after a save says so: the drafts of this indicator (its edit page, the «new» page) are stored.
    var code = byKey("code").value.trim();
    var keys = [];
    try {
      for (var i = 0; i < window.sessionStorage.length; i += 1) { keys.push(window.sessionStorage.key(i)); }
    } catch (e) { return; }
    keys.forEach(function (key) {
      if (key.indexOf(DRAFT_PREFIX) !== 0) { return; }
      var draft = readDraft(key);
      if (key === draftKey || !draft || !draft.definition || draft.definition.code === code) { dropDraft(key); }
    });
  }
  function offerDraft(draft) {
    var when = new Date(draft.at);
    var hhmm = ("0" + when.getHours()).slice(-2) + ":" + ("0" + when.getMinutes()).slice(-2);
    var yes = el("button", { type: "button", "class": "btn btn-sm btn-primary", text: "Восстановить" });
    var no = el("button", { type: "button", "class": "btn btn-sm btn-outline-dark", text: "Не нужно" });
    var box = el("div", { "class": "alert alert-warning d-flex flex-wrap align-items-center gap-2", role: "alert", id: "builder-draft" }, [
      el("span", { "class": "me-auto", text: "Восстановить несохраненное определение от " + hhmm + "?" }), yes, no
    ]);
    yes.addEventListener("click", function () {
      restore(draft.definition, draft.catalog);
      // The draft edits the version it was opened on: a save made meanwhile refuses it (409), never lost.
      var revision = form.querySelector("[name=revision]");
      if (revision.value !== "" && draft.revision) { revision.value = draft.revision; }
      box.remove();
      byKey("title").focus();
    });
    no.addEventListener("click", function () {
      dropDraft(draftKey);
      box.remove();
    });
    form.parentNode.insertBefore(box, form);
  }

  // ---- Wiring ----
  fillPopulations();
  fillStarts();
  fillMeasureAndBreakdown();
  showParts();
  mountTop("numerator", initial.numerator);
  mountTop("denominator", initial.denominator);

  var savedState = form.hasAttribute("data-unsaved") ? null : state();
  var submitting = false;
  if (document.querySelector(".alert-success")) {
    dropSavedDrafts();
  } else {
    var draft = readDraft(draftKey);
    if (draft && draft.definition && typeof draft.at === "number") {
      if (JSON.stringify(draft.definition) + "|" + draft.catalog === state()) {
        dropDraft(draftKey);  // the form shows it already (a refused save came back with it)
      } else {
        offerDraft(draft);
      }
    }
  }

  byKey("population").addEventListener("change", function () {
    // The fields of another population mean other things: its conditions start empty.
    fillStarts();
    fillMeasureAndBreakdown();
    mountTop("numerator", []);
    mountTop("denominator", []);
  });
  byKey("unit").addEventListener("change", showParts);
  form.addEventListener("change", changed);
  form.addEventListener("change", fitOps);
  window.addEventListener("resize", fitOps);
  fitOps();
  form.addEventListener("input", changed);
  previewButton.addEventListener("click", preview);
  form.addEventListener("submit", function () {
    submitting = true;
    hidden.value = JSON.stringify(definition());
    form.querySelector("[name=csrfmiddlewaretoken]").value = csrfToken();
    keepDraft();
  });
  // Leaving with changes not saved asks first; sending the form never does.
  window.addEventListener("beforeunload", function (event) {
    if (submitting || state() === savedState) {
      return;
    }
    event.preventDefault();
    event.returnValue = "";  // older Chromium asks only when returnValue is set
  });
  // Back from a page that refused the post (bfcache): the form may be sent again.
  window.addEventListener("pageshow", function () { submitting = false; });
})();
