/* panelsite forms: progressive enhancement of the forms in macros/forms.html.
 *
 * Without this script every form still works (plain POST, the collector redirects).
 * With it: validation in the browser from the same definition the server uses
 * (the JSON in <script id="pf-definition-…">), submit with fetch() and a JSON answer,
 * focus on the error summary, and filtered questions shown only when they apply.
 */
(function () {
  "use strict";

  var EMAIL = /^[^@\s,;<>"]+@[^@\s,;<>"]+\.[A-Za-z]{2,}$/;
  var POSTCODE = /^([1-9]\d{3})\s?([A-Za-z]{2})$/;
  var NUMBER = /^-?\d+(?:\.\d+)?$/;

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var hex = "";
    for (var i = 0; i < 32; i++) hex += Math.floor(Math.random() * 16).toString(16);
    return hex;
  }

  function values(form, name) {
    var out = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name !== name || el.disabled) return;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      if (el.value.trim() !== "") out.push(el.value.trim());
    });
    return out;
  }

  function parseNumber(text) {
    text = text.replace(/\s/g, "");
    if (text.length > 24) return null; // as the collector: no answer is that long (and 400 digits are Infinity)
    if (text.indexOf(",") >= 0) text = text.replace(/\./g, "").replace(",", ".");
    return NUMBER.test(text) ? parseFloat(text) : null;
  }

  function decimals(text) {
    text = text.replace(/\s/g, "");
    if (text.indexOf(",") >= 0) text = text.replace(/\./g, "").replace(",", ".");
    var point = text.indexOf(".");
    return point < 0 ? 0 : text.length - point - 1;
  }

  function check(field, given) {
    var m = field.messages;
    if (field.type === "checkboxes") {
      if (!given.length) return field.required ? m.required : null;
      var missing = field.missing || [];
      if (given.length > 1 && given.some(function (v) { return missing.indexOf(v) >= 0; })) return m.exclusive;
      return null;
    }
    if (field.type === "checkbox" || field.type === "radio" || field.type === "select") {
      return given.length ? null : (field.required ? m.required : null);
    }
    var text = given[0] || "";
    if (field.type === "number" && field.missing) {
      var ticked = given.filter(function (v) { return field.missing.indexOf(v) >= 0; });
      var typed = given.filter(function (v) { return field.missing.indexOf(v) < 0; });
      if (ticked.length && typed.length) return m.exclusive;
      if (ticked.length) return null;
      text = typed[0] || "";
    }
    if (!text) return field.required ? m.required : null;
    if (field.maxlength && text.length > field.maxlength) return m.too_long;
    if (field.type === "email") return EMAIL.test(text) ? null : m.invalid;
    if (field.type === "year") {
      if (!/^\d{4}$/.test(text)) return m.invalid;
      var year = parseInt(text, 10), now = new Date().getFullYear();
      if (year < (field.min || 1900) || year > now) return m.invalid;
      if (field.min_age != null && now - year < field.min_age) return m.too_young;
      return null;
    }
    if (field.type === "postcode") {
      var pc = POSTCODE.exec(text);
      if (!pc) return m.invalid;
      if (field.postcodes && !(pc[1] in field.postcodes)) return m.outside;
      return null;
    }
    if (field.type === "number") {
      var n = parseNumber(text);
      if (n === null) return m.number;
      if (field.min != null && n < field.min) return m.min;
      if (field.max != null && n > field.max) return m.max;
      if (field.decimals != null && decimals(text) > field.decimals) return m.decimals;
    }
    return null;
  }

  /* Filters: same semantics as panelsite.surveys.filters (unanswered never matches). */
  function column(form, defs, name) {
    var own = defs[name];
    if (own) {
      var v = values(form, name);
      if (!v.length) return null;
      return isNaN(Number(v[0])) ? v[0] : Number(v[0]);
    }
    var cut = name.lastIndexOf("_");
    var multi = defs[name.slice(0, cut)];
    if (!multi) return null;
    var chosen = values(form, multi.name);
    if (!chosen.length) return null;
    return chosen.indexOf(name.slice(cut + 1)) >= 0 ? 1 : 0;
  }

  function meets(form, defs, expr) {
    if (expr.items) {
      var results = expr.items.map(function (item) { return meets(form, defs, item); });
      return expr.op === "and" ? results.every(Boolean) : results.some(Boolean);
    }
    var value = column(form, defs, expr.name);
    if (value === null) return false;
    var wanted = expr.values;
    switch (expr.op) {
      case "==": case "in": return wanted.some(function (w) { return w == value; });
      case "!=": return !wanted.some(function (w) { return w == value; });
      case ">=": return Number(value) >= Number(wanted[0]);
      case "<=": return Number(value) <= Number(wanted[0]);
      case ">": return Number(value) > Number(wanted[0]);
      case "<": return Number(value) < Number(wanted[0]);
    }
    return false;
  }

  function applyConditions(form, definition, defs) {
    definition.fields.forEach(function (field) {
      if (!field.condition) return;
      var box = form.querySelector('[data-pf-field="' + field.name + '"]');
      if (!box) return;
      var show = meets(form, defs, field.condition);
      box.hidden = !show;
      Array.prototype.forEach.call(box.querySelectorAll("input, select, textarea"), function (el) { el.disabled = !show; });
    });
  }

  function showErrors(root, form, definition, errors) {
    var summary = root.querySelector("[data-pf-summary]");
    var list = root.querySelector("[data-pf-summary-list]");
    list.innerHTML = "";
    definition.fields.forEach(function (field) {
      var box = form.querySelector('[data-pf-field="' + field.name + '"]');
      if (!box) return;
      var message = errors[field.name];
      var slot = box.querySelector("[data-pf-error]");
      box.classList.toggle("pf-field--error", !!message);
      slot.hidden = !message;
      slot.querySelector("[data-pf-error-text]").textContent = message || "";
      Array.prototype.forEach.call(box.querySelectorAll("input, select, textarea"), function (el) {
        var ids = (el.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return id && id !== slot.id; });
        if (message) { el.setAttribute("aria-invalid", "true"); } else { el.removeAttribute("aria-invalid"); }
        var group = box.querySelector("fieldset");
        var target = group || el;
        if (target === el) {
          if (message) ids.push(slot.id);
          if (ids.length) el.setAttribute("aria-describedby", ids.join(" ")); else el.removeAttribute("aria-describedby");
        }
      });
      var fieldset = box.querySelector("fieldset");
      if (fieldset) {
        var ids = (fieldset.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return id && id !== slot.id; });
        if (message) ids.push(slot.id);
        if (ids.length) fieldset.setAttribute("aria-describedby", ids.join(" ")); else fieldset.removeAttribute("aria-describedby");
      }
    });
    var names = Object.keys(errors);
    names.forEach(function (name) {
      var field = definition.fields.filter(function (f) { return f.name === name; })[0];
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "#" + (field ? field.id : form.querySelector("button[type=submit]").id);
      a.textContent = errors[name];
      li.appendChild(a);
      list.appendChild(li);
    });
    summary.hidden = names.length === 0;
    if (names.length) {
      if (document.title.indexOf("Fout: ") !== 0) document.title = "Fout: " + document.title;
      summary.focus();
    } else if (document.title.indexOf("Fout: ") === 0) {
      document.title = document.title.slice(6);
    }
  }

  function enhance(form) {
    var root = form.parentNode;
    var definition = JSON.parse(document.getElementById(form.getAttribute("data-pf-definition")).textContent);
    var defs = {};
    definition.fields.forEach(function (f) { defs[f.name] = f; });
    var key = form.elements._key, stamp = form.elements._ts;
    if (key && !key.value) key.value = uuid();
    if (stamp && !stamp.value && window.fetch) {
      fetch(form.getAttribute("data-pf-token"), { mode: "cors", credentials: "omit" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data && data.token && !stamp.value) stamp.value = data.token; })
        .catch(function () { /* the collector decides without a timestamp */ });
    }
    applyConditions(form, definition, defs);
    form.addEventListener("change", function () { applyConditions(form, definition, defs); });

    var summary = root.querySelector("[data-pf-summary]");
    if (summary && !summary.hidden) summary.focus(); // an error page from the collector

    var busy = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) return;
      applyConditions(form, definition, defs);
      var errors = {};
      definition.fields.forEach(function (field) {
        var box = form.querySelector('[data-pf-field="' + field.name + '"]');
        if (!box || box.hidden) return;
        var message = check(field, values(form, field.name));
        if (message) errors[field.name] = message;
      });
      showErrors(root, form, definition, errors);
      if (Object.keys(errors).length) return;
      if (!window.fetch || !window.FormData) { HTMLFormElement.prototype.submit.call(form); return; }
      busy = true;
      var button = form.querySelector("button[type=submit]");
      button.setAttribute("aria-disabled", "true");
      fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)), mode: "cors",
                           credentials: "omit", headers: { "Accept": "application/json" } })
        .then(function (response) {
          return response.json().then(function (data) { return { status: response.status, data: data }; });
        })
        .then(function (answer) {
          if (answer.data.ok && answer.data.redirect) { window.location.assign(answer.data.redirect); return; }
          busy = false;
          button.removeAttribute("aria-disabled");
          if (answer.data.errors) {
            // The timestamp to send again: the same one, or the collector's when it had none.
            if (answer.data.token && stamp) stamp.value = answer.data.token;
            showErrors(root, form, definition, answer.data.errors);
          } else {
            showErrors(root, form, definition, { _form: answer.data.error || "Er ging iets mis. Probeer het opnieuw." });
          }
        })
        .catch(function () {
          // Network or CORS trouble: fall back to the ordinary form post (same submission key).
          HTMLFormElement.prototype.submit.call(form);
        });
    });
  }

  function start() {
    document.documentElement.classList.add("pf-js");
    Array.prototype.forEach.call(document.querySelectorAll("form[data-pf-form]"), enhance);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
