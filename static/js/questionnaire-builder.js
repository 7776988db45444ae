// The questionnaire builder: sections, items, choice lists and scoring edited in the browser, the
// whole definition and scoring written as JSON into two hidden fields when the form is sent.
// Nothing here decides what is valid: the server checks (by the XLSForm reader's rules) and names
// the section and item that is wrong; a refused save comes back with what was sent.
// Leaving with unsaved changes asks first (as static/js/indicator-builder.js does).
(function () {
  "use strict";
  var form = document.getElementById("questionnaire-builder");
  if (!form) {
    return;
  }
  var def = JSON.parse(document.getElementById("qb-initial").textContent) || {};
  var scoring = JSON.parse(document.getElementById("qb-initial-scoring").textContent) || {};
  var types = JSON.parse(document.getElementById("qb-types").textContent);
  var sectionsBox = document.getElementById("qb-sections");
  var groupsBox = document.getElementById("qb-groups");
  var commonBox = document.getElementById("qb-common-bands");
  var serial = 0;
  var dirty = form.hasAttribute("data-unsaved");

  def.sections = Array.isArray(def.sections) ? def.sections : [];
  def.choice_lists = def.choice_lists && typeof def.choice_lists === "object" ? def.choice_lists : {};
  scoring.groups = Array.isArray(scoring.groups) ? scoring.groups : [];
  scoring.bands = Array.isArray(scoring.bands) ? scoring.bands : [];

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
  function uid() { serial += 1; return "qb-f" + serial; }
  function changed() { dirty = true; }
  // A labelled control bound to obj[key]; ``kind``: text, textarea, number, checkbox, select.
  function field(label, obj, key, kind, options, cls) {
    var id = uid();
    var control;
    if (kind === "checkbox") {
      control = el("input", { type: "checkbox", "class": "form-check-input", id: id });
      control.checked = obj[key] === true;
      control.addEventListener("change", function () { obj[key] = control.checked; changed(); });
      return el("div", { "class": "form-check " + (cls || "qb-cell") }, [
        control, el("label", { "class": "form-check-label", "for": id, text: label })
      ]);
    }
    if (kind === "select") {
      control = el("select", { "class": "form-select form-select-sm", id: id });
      options.forEach(function (o) {
        var opt = el("option", { value: o[0], text: o[1] });
        if (o[0] === obj[key]) { opt.selected = true; }
        control.appendChild(opt);
      });
    } else if (kind === "textarea") {
      control = el("textarea", { "class": "form-control form-control-sm", id: id, rows: "2" });
      control.value = obj[key] == null ? "" : obj[key];
    } else {
      control = el("input", { "class": "form-control form-control-sm", id: id, autocomplete: "off",
        type: "text", inputmode: kind === "number" ? "decimal" : "text" });
      control.value = obj[key] == null ? "" : obj[key];
    }
    control.addEventListener(kind === "select" ? "change" : "input", function () {
      var v = control.value;
      if (kind === "number") {
        v = v.trim() === "" || isNaN(Number(v.replace(",", "."))) ? v : Number(v.replace(",", "."));
      }
      obj[key] = v;
      changed();
    });
    return el("div", { "class": cls || "qb-cell" }, [
      el("label", { "class": "form-label small mb-0", "for": id, text: label }), control
    ]);
  }
  function button(text, label, onClick, cls) {
    var b = el("button", { type: "button", "class": "btn btn-sm " + (cls || "btn-outline-secondary"), text: text });
    if (label) { b.setAttribute("aria-label", label); b.title = label; }
    b.addEventListener("click", function () { onClick(); changed(); render(); });
    return b;
  }
  function move(list, index, by) {
    var to = index + by;
    if (to < 0 || to >= list.length) { return; }
    var x = list.splice(index, 1)[0];
    list.splice(to, 0, x);
  }
  function tools(list, index, what) {
    return el("div", { "class": "qb-tools" }, [
      button("↑", "Переместить выше: " + what, function () { move(list, index, -1); }),
      button("↓", "Переместить ниже: " + what, function () { move(list, index, 1); }),
      button("✕", "Удалить: " + what, function () { list.splice(index, 1); }, "btn-outline-danger")
    ]);
  }
  function freeName(prefix) {
    var names = {};
    def.sections.forEach(function (s) {
      names[s.name] = true;
      s.items.forEach(function (i) { names[i.name] = true; });
    });
    var n = 1;
    while (names[prefix + n] || def.choice_lists[prefix + n]) { n += 1; }
    return prefix + n;
  }

  // ---- Items ----
  function choicesEditor(item, what) {
    if (!item.list) { item.list = freeName("list_"); }
    if (!Array.isArray(def.choice_lists[item.list])) { def.choice_lists[item.list] = []; }
    var options = def.choice_lists[item.list];
    var shared = 0;
    def.sections.forEach(function (s) { s.items.forEach(function (i) { if (i.list === item.list) { shared += 1; } }); });
    var box = el("div", { "class": "mt-2" }, [
      el("p", { "class": "small mb-1", text: "Варианты ответа (список «" + item.list + "»" +
        (shared > 1 ? ", общий для нескольких вопросов" : "") + ")" })
    ]);
    options.forEach(function (o, index) {
      box.appendChild(el("div", { "class": "qb-row mb-1" }, [
        field("Значение", o, "name", "text", null, "qb-cell-sm"),
        field("Подпись", o, "label", "text"),
        tools(options, index, "вариант " + (o.label || o.name || index + 1) + " вопроса " + what)
      ]));
    });
    box.appendChild(button("Добавить вариант", "", function () {
      options.push({ name: String(options.length + 1), label: "" });
    }));
    return box;
  }
  function itemCard(section, index) {
    var item = section.items[index];
    var what = "«" + (item.name || index + 1) + "»";
    var typeSelect = field("Тип", item, "type", "select", types, "qb-cell");
    typeSelect.querySelector("select").addEventListener("change", function () {
      if ((item.type === "single" || item.type === "multiple") && !item.list) { item.list = freeName("list_"); }
      if (item.type === "scale" && item.start == null) { item.start = 1; item.end = 5; item.step = 1; }
      if (item.type === "number" && item.integer == null) { item.integer = true; }
      render();
    });
    var card = el("div", { "class": "qb-item", "data-item": item.name || "" }, [
      el("div", { "class": "qb-row" }, [
        field("Имя (латиницей)", item, "name", "text", null, "qb-cell"),
        typeSelect,
        tools(section.items, index, "вопрос " + what)
      ]),
      el("div", { "class": "qb-row" }, [field("Текст вопроса", item, "label", "textarea")]),
      el("div", { "class": "qb-row" }, [
        field("Подсказка", item, "hint", "text"),
        field("Условие показа", item, "relevant", "text")
      ]),
      el("div", { "class": "qb-row mt-1" }, [field("Обязательный вопрос", item, "required", "checkbox")])
    ]);
    if (item.type === "single" || item.type === "multiple") {
      card.appendChild(choicesEditor(item, what));
    }
    if (item.type === "scale") {
      card.appendChild(el("div", { "class": "qb-row" }, [
        field("От", item, "start", "number", null, "qb-cell-sm"),
        field("До", item, "end", "number", null, "qb-cell-sm"),
        field("Шаг", item, "step", "number", null, "qb-cell-sm")
      ]));
    }
    if (item.type === "number") {
      card.appendChild(el("div", { "class": "qb-row mt-1" }, [field("Только целое число", item, "integer", "checkbox")]));
    }
    if (item.type === "number" || item.type === "scale" || item.type === "date") {
      card.appendChild(el("div", { "class": "qb-row" }, [
        field("Ограничение", item, "constraint", "text"),
        field("Сообщение при нарушении", item, "constraint_message", "text")
      ]));
    }
    return card;
  }

  // ---- Sections ----
  function sectionCard(index) {
    var section = def.sections[index];
    section.items = Array.isArray(section.items) ? section.items : [];
    var headingId = uid();
    var what = "раздел «" + (section.title || section.name || index + 1) + "»";
    var card = el("section", { "class": "qb-section", "aria-labelledby": headingId }, [
      el("div", { "class": "d-flex justify-content-between flex-wrap gap-2" }, [
        el("h2", { "class": "h6 mb-2", id: headingId, text: "Раздел " + (index + 1) }),
        tools(def.sections, index, what)
      ]),
      el("div", { "class": "qb-row" }, [
        field("Имя раздела (латиницей)", section, "name", "text", null, "qb-cell"),
        field("Заголовок", section, "title", "text"),
        field("Условие показа раздела", section, "relevant", "text")
      ])
    ]);
    var list = el("div", { "class": "mt-2" });
    section.items.forEach(function (_, i) { list.appendChild(itemCard(section, i)); });
    card.appendChild(list);
    card.appendChild(button("Добавить вопрос", "Добавить вопрос в " + what, function () {
      section.items.push({ name: freeName("q"), type: "single", list: "", label: "", hint: "", required: false,
        relevant: "", constraint: "", constraint_message: "" });
    }, "btn-outline-primary"));
    return card;
  }

  // ---- Scoring ----
  function bandsEditor(box, bands, what) {
    bands.forEach(function (b, index) {
      box.appendChild(el("div", { "class": "qb-row mb-1" }, [
        field("Уровень", b, "name", "text"),
        field("От", b, "min", "number", null, "qb-cell-sm"),
        field("До", b, "max", "number", null, "qb-cell-sm"),
        field("Дефицит", b, "flag", "checkbox", null, "qb-cell-sm"),
        tools(bands, index, "уровень " + (b.name || index + 1) + " " + what)
      ]));
    });
    box.appendChild(button("Добавить уровень", "Добавить уровень: " + what, function () {
      bands.push({ name: "", min: "", max: "", flag: false });
    }));
  }
  function groupCard(index) {
    var group = scoring.groups[index];
    group.items = Array.isArray(group.items) ? group.items : [];
    group.bands = Array.isArray(group.bands) ? group.bands : [];
    var what = "группа «" + (group.code || index + 1) + "»";
    var holder = { items: group.items.join(", ") };
    var itemsField = field("Вопросы группы (имена через запятую)", holder, "items", "text");
    itemsField.querySelector("input").addEventListener("input", function () {
      group.items = holder.items.split(/[\s,;]+/).filter(function (x) { return x; });
    });
    var card = el("div", { "class": "qb-item" }, [
      el("div", { "class": "qb-row" }, [
        field("Код группы", group, "code", "text", null, "qb-cell-sm"),
        field("Название", group, "name", "text"),
        tools(scoring.groups, index, what)
      ]),
      el("div", { "class": "qb-row" }, [itemsField])
    ]);
    var bands = el("div", { "class": "mt-1" });
    bandsEditor(bands, group.bands, what);
    card.appendChild(bands);
    return card;
  }

  function render() {
    var title = document.getElementById("qb-title");
    title.value = def.title || "";
    sectionsBox.textContent = "";
    def.sections.forEach(function (_, i) { sectionsBox.appendChild(sectionCard(i)); });
    groupsBox.textContent = "";
    scoring.groups.forEach(function (_, i) { groupsBox.appendChild(groupCard(i)); });
    commonBox.textContent = "";
    bandsEditor(commonBox, scoring.bands, "общие уровни");
  }

  document.getElementById("qb-title").addEventListener("input", function (e) { def.title = e.target.value; changed(); });
  document.getElementById("qb-add-section").addEventListener("click", function () {
    def.sections.push({ name: freeName("s"), title: "", relevant: "", items: [] });
    changed();
    render();
  });
  document.getElementById("qb-add-group").addEventListener("click", function () {
    scoring.groups.push({ code: "", name: "", items: [], bands: [] });
    changed();
    render();
  });
  form.addEventListener("input", changed);
  form.addEventListener("submit", function () {
    // Lists no item uses any more are dropped by the server; everything typed is sent as it is.
    document.getElementById("qb-definition").value = JSON.stringify(def);
    document.getElementById("qb-scoring-field").value = JSON.stringify(
      scoring.groups.length || scoring.bands.length ? scoring : {});
    dirty = false;
  });
  window.addEventListener("beforeunload", function (e) {
    if (dirty) { e.preventDefault(); e.returnValue = ""; }
  });
  render();
  var errors = document.getElementById("builder-errors");
  if (errors) { errors.focus(); }
})();
