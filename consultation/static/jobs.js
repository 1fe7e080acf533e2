// The progress page of a job updates itself in place. Without this file the page refreshes
// itself instead (a meta refresh inside <noscript>), so it works either way.
(function () {
  "use strict";

  var box = document.getElementById("job");
  if (!box || !window.fetch) return;
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("job-progress");
  var label = document.getElementById("job-label");
  var text = document.getElementById("job-text");
  var delay = 1000;

  function show(status) {
    if (!status.active) {
      // Finished: the page, drawn again by the server, has the download link or the error.
      window.location.reload();
      return;
    }
    label.textContent = status.label;
    label.className = "badge badge-job badge-job-" + status.state;
    text.textContent = status.text;
    if (bar) {
      if (status.percent === null) {
        bar.removeAttribute("value");
        bar.textContent = "";
      } else {
        bar.value = status.percent;
        bar.textContent = status.percent + "%";
      }
    }
    window.setTimeout(poll, delay);
  }

  function poll() {
    window.fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (reply) {
        if (!reply.ok) throw new Error(String(reply.status));
        return reply.json();
      })
      .then(function (status) {
        delay = 1500;
        show(status);
      })
      .catch(function () {
        // Signed out, or the server restarting: ask again, less and less often.
        delay = Math.min(delay * 2, 15000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
