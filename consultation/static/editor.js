// Questionnaire editor: picking a condition's earlier question shows its options at once,
// by asking the server for the form as "Show its options" would (the button does the same
// without this script; nothing typed is sent away or lost, nothing is saved).
(function () {
  "use strict";
  function showOptions(select) {
    var form = select.form;
    var region = document.getElementById(select.name.replace(/_question$/, "") + "-options");
    if (!form || !region) { return; }
    var data = new FormData(form);
    data.set("action", "show_options");
    // form.action would be the button named "action": the form posts to its own page
    fetch(form.getAttribute("action") || window.location.href, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var found = new DOMParser().parseFromString(html, "text/html").getElementById(region.id);
        if (found) { region.innerHTML = found.innerHTML; }
      })
      .catch(function () { /* the button still works */ });
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select.editor-condition-question")) { showOptions(target); }
  });
})();
