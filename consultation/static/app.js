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
    // The counter says the limit from now on: the hint that says it too stays for screen readers only.
    var limits = document.getElementById(area.id + "-limits");
    if (limits) limits.classList.add("visually-hidden");
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

  // Tick boxes: an exclusive option ("None of these") unticks the others and the others untick
  // it; one box over the limit is said at once. The server checks both anyway.
  function say(group, text) {
    var live = document.getElementById(group.getAttribute("data-live"));
    if (live) live.textContent = text;
  }

  function setupChoices(group) {
    group.addEventListener("change", function (event) {
      var box = event.target;
      if (box.type !== "checkbox" || !box.checked) { say(group, ""); return; }
      var boxes = group.querySelectorAll('input[type="checkbox"]');
      var message = "";
      boxes.forEach(function (other) {
        if (other === box || !other.checked) return;
        if (box.hasAttribute("data-exclusive") || other.hasAttribute("data-exclusive")) {
          other.checked = false;
          message = (box.getAttribute("data-exclusive") || other.getAttribute("data-exclusive"));
        }
      });
      var max = parseInt(group.getAttribute("data-max-choices"), 10);
      var ticked = group.querySelectorAll('input[type="checkbox"]:checked').length;
      if (max && ticked > max) message = group.getAttribute("data-too-many");
      say(group, message);
    });
  }

  // "Other, please specify": the text box shows while its option is chosen, or while it holds
  // text (never hide what was typed).
  function updateOtherBoxes(form) {
    form.querySelectorAll("[data-other-for]").forEach(function (box) {
      var chosen = fieldValues(form, box.getAttribute("data-other-for"));
      var input = box.querySelector("input");
      box.hidden = chosen.indexOf(box.getAttribute("data-other-value")) === -1 && !input.value;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".choices[data-live]").forEach(setupChoices);
    document.querySelectorAll("form.questionnaire").forEach(function (form) {
      updateOtherBoxes(form);
      form.addEventListener("change", function () { updateOtherBoxes(form); });
    });
  });
})();

// A copy button after each private link shown on the page ([data-copy]); the labels come translated.
(function () {
  "use strict";

  function copyText(element, text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    // Older browsers and plain-HTTP pages: select the link and copy the selection.
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject(new Error("copy"));
  }

  function addCopyButton(link) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button-secondary copy-button";
    button.textContent = link.getAttribute("data-copy-label");
    if (link.id) button.setAttribute("aria-describedby", link.id + "-label");
    var status = document.createElement("span");
    status.className = "copy-status";
    status.setAttribute("role", "status");
    button.addEventListener("click", function () {
      copyText(link, link.getAttribute("data-copy")).then(function () {
        status.textContent = link.getAttribute("data-copied-label");
      }, function () {
        status.textContent = "";
      });
    });
    var actions = document.createElement("p");
    actions.className = "copy-actions";
    actions.appendChild(button);
    actions.appendChild(status);
    link.parentNode.insertBefore(actions, link.nextSibling);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-copy]").forEach(addCopyButton);
  });
})();
