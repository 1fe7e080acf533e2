// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  function fieldValues(form, name) {
    var values = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (el) {
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      values.push(el.value);
    });
    return values;
  }

  // Conditional questions: hide those whose condition is not met (the server applies the same rule).
  function updateConditions(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (question) {
      var wanted = question.getAttribute("data-show-if-values").split(" ");
      var given = fieldValues(form, question.getAttribute("data-show-if"));
      var controller = document.getElementById("question-" + question.getAttribute("data-show-if").slice(2));
      var controllerVisible = !controller || !controller.hidden;
      var show = controllerVisible && given.some(function (v) { return wanted.indexOf(v) !== -1; });
      question.hidden = !show;
      var note = question.querySelector(".condition");
      if (note) note.hidden = true;
    });
  }

  // Character counters, announced politely and not on every keystroke.
  function setupCounter(area) {
    var max = parseInt(area.getAttribute("data-max-length"), 10);
    var out = document.getElementById(area.id + "-count");
    if (!out) return;
    var timer;
    // The sentences come translated from the page, one per plural category ("one", "other").
    var plural = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang) : null;
    function message(kind, count) {
      var category = plural ? plural.select(count) : (count === 1 ? "one" : "other");
      var text = out.getAttribute("data-" + kind + "-" + category) || out.getAttribute("data-" + kind + "-other");
      var shown = window.Intl ? new Intl.NumberFormat(document.documentElement.lang).format(count) : String(count);
      return text.replace("{n}", shown);
    }
    function render() {
      var left = max - area.value.length;
      out.hidden = false;
      out.classList.toggle("over", left < 0);
      out.textContent = left >= 0 ? message("left", left) : message("over", -left);
    }
    area.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(render, 400); });
    render();
  }

  // The map of the questionnaire: how many of the questions shown are answered, section by section.
  function isAnswered(question) {
    var kept = question.querySelector("[id$='-kept']");
    var remove = question.querySelector("input[name$='-remove']");
    if (kept && !(remove && remove.checked)) return true;
    return Array.prototype.some.call(question.querySelectorAll("input, select, textarea"), function (el) {
      if (el === remove || el.type === "hidden" || el.type === "submit" || el.type === "button") return false;
      if (el.type === "radio" || el.type === "checkbox") return el.checked;
      if (el.type === "file") return el.files && el.files.length > 0;
      return el.value.trim() !== "";
    });
  }

  function fillIn(template, answered, applicable) {
    var format = window.Intl ? new Intl.NumberFormat(document.documentElement.lang).format : String;
    return template.replace("{answered}", format(answered)).replace("{applicable}", format(applicable));
  }

  function updateMap(form) {
    var total = 0, done = 0;
    form.querySelectorAll("section[data-section]").forEach(function (section) {
      var shown = Array.prototype.filter.call(section.querySelectorAll(".question"), function (q) { return !q.hidden; });
      var answered = shown.filter(isAnswered).length;
      total += shown.length;
      done += answered;
      var count = document.querySelector('[data-map-section="' + section.getAttribute("data-section") + '"]');
      if (count) {
        count.textContent = shown.length ? fillIn(count.getAttribute("data-template"), answered, shown.length)
          : count.getAttribute("data-none");
      }
    });
    var text = document.getElementById("form-progress-text");
    var bar = document.getElementById("form-progress-bar");
    if (text) text.textContent = fillIn(text.getAttribute("data-template"), done, total);
    if (bar) { bar.max = Math.max(total, 1); bar.value = done; }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
    document.querySelectorAll("textarea[data-max-length]").forEach(setupCounter);
    document.querySelectorAll("form.questionnaire").forEach(function (form) {
      updateConditions(form);
      updateMap(form);
      var typing;
      form.addEventListener("change", function () { updateConditions(form); updateMap(form); });
      form.addEventListener("input", function () { clearTimeout(typing); typing = setTimeout(function () { updateMap(form); }, 500); });
      form.addEventListener("submit", function (event) {
        var buttons = form.querySelectorAll("[data-prevent-double-submit]");
        var button = event.submitter && event.submitter.hasAttribute("data-prevent-double-submit")
          ? event.submitter : buttons[0];
        if (!button) return;
        // The busy label comes translated from the page. Later, so the clicked button's name and value are still sent.
        setTimeout(function () {
          buttons.forEach(function (b) { b.disabled = true; });
          button.textContent = button.getAttribute("data-busy-label") || button.textContent;
        }, 0);
      });
    });
  });
})();
