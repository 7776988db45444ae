// Behaviour shared by the portal's pages. Kept out of the HTML: the Content-Security-Policy
// (monitoring/settings.py) runs only scripts served from the portal, never inline code or
// onchange="…" attributes.

// A filter that applies on change: <select data-autosubmit> or <input type="checkbox" data-autosubmit>.
// A select the keyboard is browsing does not apply on each step: in Chromium an arrow key on a
// closed select changes its value at once (ArrowDown on the period reloaded the page with another
// year). Keys browse; Enter, or leaving the field changed, applies; a pointer's choice applies at once.
var browsing = new WeakMap(); // select -> its value when the keyboard started browsing it

document.addEventListener("keydown", function (event) {
  var field = event.target;
  if (!(field instanceof HTMLSelectElement) || !field.hasAttribute("data-autosubmit") || !field.form) {
    return;
  }
  if (event.key === "Enter") {
    event.preventDefault();
    browsing.delete(field);
    field.form.submit();
  } else if (!browsing.has(field)) {
    browsing.set(field, field.value);
  }
});

document.addEventListener("focusout", function (event) {
  var field = event.target;
  if (browsing.has(field)) {
    var started = browsing.get(field);
    browsing.delete(field);
    if (field.value !== started && field.form) {
      field.form.submit();
    }
  }
});

document.addEventListener("change", function (event) {
  var field = event.target.closest("[data-autosubmit]");
  if (field && field.form && !browsing.has(field)) {
    field.form.submit();
  }
});

// A read-only field to copy from (a personal link): <input readonly data-select-on-focus>.
document.addEventListener("focusin", function (event) {
  if (event.target.matches("[data-select-on-focus]")) {
    event.target.select();
  }
});

// Forms rendered field by field from Django's defaults get Bootstrap's look: <form data-bootstrap-fields>.
document.querySelectorAll("form[data-bootstrap-fields]").forEach(function (form) {
  form.querySelectorAll("input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea").forEach(
    function (field) {
      field.classList.add(field.tagName === "SELECT" ? "form-select" : "form-control");
    }
  );
});

// An irreversible step asks first and names its consequence: <button data-confirm="…"> (or a
// <form data-confirm="…">). Cancelling leaves the page and everything typed on it as it was.
document.addEventListener("submit", function (event) {
  var source = (event.submitter && event.submitter.closest("[data-confirm]")) || event.target.closest("form[data-confirm]");
  if (source && !window.confirm(source.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});

// A form that writes is sent once: a double click (or an impatient second one) would post it twice
// and record the measure, comment or event twice. The second submit of the same form is dropped
// while the first is under way; a page shown again from the back-forward cache, or one whose answer
// kept the page (a download), takes a new submit.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (event.defaultPrevented || !(form instanceof HTMLFormElement) || (form.getAttribute("method") || "get").toLowerCase() !== "post") {
    return;
  }
  if (form.hasAttribute("data-sending")) {
    event.preventDefault();
    return;
  }
  form.setAttribute("data-sending", "");
  window.setTimeout(function () { form.removeAttribute("data-sending"); }, 8000);
});
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-sending]").forEach(function (form) { form.removeAttribute("data-sending"); });
});

// ---- Phones and screen readers: what every page's content gets (issue 16, items 5 and 13) ----
// Done here once rather than in each template, for the page as served and for what htmx swaps in.

// The accessible name a table's scrolling box is announced with: its caption, its own label, or
// the heading above it.
function tableName(table) {
  if (table.caption && table.caption.textContent.trim()) {
    return table.caption.textContent.trim();
  }
  if (table.getAttribute("aria-label")) {
    return table.getAttribute("aria-label");
  }
  for (var node = table; node && node.tagName !== "MAIN"; node = node.parentElement) {
    for (var sibling = node.previousElementSibling; sibling; sibling = sibling.previousElementSibling) {
      var heading = sibling.matches("h1, h2, h3, h4, h5, h6") ? sibling : sibling.querySelector("h1, h2, h3, h4, h5, h6");
      if (heading && heading.textContent.trim()) {
        return "Таблица: " + heading.textContent.trim().replace(/\s+/g, " ");
      }
    }
  }
  return "Таблица";
}

// Every table in the content scrolls sideways inside a box of its own, so no table makes the page
// wider than a phone's screen; the box can be reached and scrolled with the keyboard.
function boxTables(root) {
  var scope = root.querySelectorAll ? root : document;
  var tables = Array.prototype.slice.call(scope.querySelectorAll("table"));
  if (scope.tagName === "TABLE") {
    tables.unshift(scope);
  }
  tables.forEach(function (table) {
    if (!table.closest("main") || table.parentElement.closest("table")) {
      return;
    }
    var box = table.parentElement;
    if (!box.classList.contains("table-responsive")) {
      box = document.createElement("div");
      box.className = "table-responsive";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    }
    if (!box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
    }
    if (!box.hasAttribute("role")) {
      box.setAttribute("role", "region");
    }
    if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
      box.setAttribute("aria-label", tableName(table));
    }
  });
}

// A column header with nothing in it (a column of buttons) is announced as «Действия».
function nameEmptyHeaders(root) {
  var scope = root.querySelectorAll ? root : document;
  scope.querySelectorAll("main th").forEach(function (th) {
    if (!th.textContent.trim() && !th.getAttribute("aria-label") && !th.querySelector("img[alt], input, select")) {
      var name = document.createElement("span");
      name.className = "visually-hidden";
      name.textContent = "Действия";
      th.appendChild(name);
    }
  });
}

// A progress bar is announced with what it measures: the row it stands in (its first cell) or
// the label before it; its value is a number with a point (a localised «66,7» is not one).
function nameProgressBars(root) {
  var scope = root.querySelectorAll ? root : document;
  scope.querySelectorAll("[role=progressbar]").forEach(function (bar) {
    ["aria-valuenow", "aria-valuemin", "aria-valuemax"].forEach(function (attribute) {
      var value = bar.getAttribute(attribute);
      if (value && value.indexOf(",") >= 0) {
        bar.setAttribute(attribute, value.replace(/\s/g, "").replace(",", "."));
      }
    });
    if (bar.getAttribute("aria-label") || bar.getAttribute("aria-labelledby") || bar.getAttribute("title")) {
      return;
    }
    var row = bar.closest("tr");
    var cell = row && row.querySelector("th, td");
    var label = cell && !cell.contains(bar) ? cell.textContent.trim().replace(/\s+/g, " ") : "";
    var column = "";
    var own = bar.closest("td, th");
    var table = bar.closest("table");
    if (own && table && table.tHead && table.tHead.rows.length) {
      var header = table.tHead.rows[0].cells[own.cellIndex];
      column = header ? header.textContent.trim() : "";
    }
    bar.setAttribute("aria-label", [column, label].filter(Boolean).join(": ") || "Выполнено");
  });
}

// A field in a table with no name of its own (no label, aria-label or title) is named by its
// column's header and its row: «Срок: Стажировка». A template should label its fields; this keeps
// a screen reader from announcing a bare «edit text» where one does not.
function nameFieldsInTables(root) {
  var scope = root.querySelectorAll ? root : document;
  scope.querySelectorAll("main td input:not([type=hidden]), main td select, main td textarea").forEach(function (field) {
    if (field.getAttribute("aria-label") || field.getAttribute("aria-labelledby") || field.getAttribute("title") ||
        (field.labels && field.labels.length)) {
      return;
    }
    var cell = field.closest("td");
    var table = field.closest("table");
    var header = "";
    if (table && table.tHead && table.tHead.rows.length) {
      var th = table.tHead.rows[0].cells[cell.cellIndex];
      header = th ? th.textContent.trim() : "";
    }
    var row = field.closest("tr");
    var rowLabel = row.querySelector("label") || Array.prototype.find.call(row.cells, function (c) {
      return c !== cell && c.textContent.trim();
    });
    var context = rowLabel ? rowLabel.textContent.trim().replace(/\s+/g, " ").slice(0, 80) : "";
    var name = [header, context].filter(Boolean).join(": ");
    if (name) {
      field.setAttribute("aria-label", name);
    }
  });
}

// A form holding one field right under a heading («Рефлексия» and its text box) is that heading's
// field: a field there with no name of its own is named by the heading.
function nameLoneFieldsByHeading(root) {
  var scope = root.querySelectorAll ? root : document;
  scope.querySelectorAll("main form").forEach(function (form) {
    var fields = form.querySelectorAll("input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea");
    var heading = form.previousElementSibling;
    if (fields.length !== 1 || !heading || !heading.matches("h1, h2, h3, h4, h5, h6") || !heading.textContent.trim()) {
      return;
    }
    var field = fields[0];
    if (field.getAttribute("aria-label") || field.getAttribute("aria-labelledby") || field.getAttribute("title") ||
        (field.labels && field.labels.length)) {
      return;
    }
    if (!heading.id) {
      heading.id = "heading-" + Math.random().toString(36).slice(2, 10);
    }
    field.setAttribute("aria-labelledby", heading.id);
  });
}

function improve(root) {
  nameLoneFieldsByHeading(root);
  boxTables(root);
  nameEmptyHeaders(root);
  nameProgressBars(root);
  nameFieldsInTables(root);
}

improve(document);
// Content htmx swaps in (a job's status, a letter's items) gets the same.
document.addEventListener("htmx:load", function (event) {
  improve(event.detail && event.detail.elt ? event.detail.elt : document);
});

// A chart's category labels on a narrow screen: Chart.js cuts a label longer than its axis may
// be («ехнологические компетенции» on a phone), so long labels become lines of whole words that
// fit the canvas. Returns the labels (strings or arrays of lines) and the most lines any has.
window.portalChartLabels = function (labels, canvas) {
  var width = (canvas.parentElement || canvas).clientWidth || 600;
  // About 7 px a character at Chart.js's 12 px font; the labels get at most 40 % of the width.
  var limit = Math.max(12, Math.floor((width * 0.4) / 7));
  var lines = 1;
  var wrapped = labels.map(function (label) {
    var text = String(label);
    if (text.length <= limit) {
      return text;
    }
    var out = [];
    // Words split at spaces, and a long hyphenated word after its hyphen.
    var words = [];
    text.split(/\s+/).forEach(function (word) {
      words = words.concat(word.length > limit ? word.replace(/-/g, "-\u0000").split("\u0000") : [word]);
    });
    words.forEach(function (word) {
      var last = out.length - 1;
      var glue = last >= 0 && out[last].slice(-1) === "-" ? "" : " ";
      if (last >= 0 && (out[last] + glue + word).length <= limit) {
        out[last] += glue + word;
      } else {
        out.push(word);
      }
    });
    lines = Math.max(lines, out.length);
    return out;
  });
  return { labels: wrapped, lines: lines };
};

// Makes a chart's box tall enough for its bars when their labels take several lines.
window.portalChartHeight = function (canvas, bars, lines, extra) {
  var box = canvas.parentElement;
  var needed = bars * Math.max(1, lines) * 16 + bars * 8 + (extra || 60);
  if (box && box.clientHeight < needed) {
    box.style.height = needed + "px";
  }
};
