// The data-request form, sent in place. Without JavaScript the same form
// posts normally and the function answers with its own pages; with it, the
// answer (reference and due date, or what to fix) appears under the form.
(function () {
  var form = document.querySelector("[data-request-form]");
  if (!form || !window.fetch) return;
  var status = form.querySelector("[data-request-status]");
  // Not button[type=submit]: the minifier drops type="submit", the default.
  var button = form.querySelector("button:not([type]), button[type=submit]");

  function say(text, ok) {
    status.textContent = text;
    status.className = "form-status " + (ok ? "ok" : "error");
    status.focus();
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var body = {};
    new FormData(form).forEach(function (v, k) { body[k] = String(v); });
    if (!body.details) delete body.details;
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin"
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (res.status === 202) {
          var due = new Date(data.dueAt).toLocaleDateString(document.documentElement.lang, { year: "numeric", month: "long", day: "numeric" });
          // mailed false: the address had its confirmation emails for the hour.
          say((data.mailed === false ? form.dataset.msgOkNomail : form.dataset.msgOk).replace("{ref}", data.reference).replace("{due}", due), true);
          form.reset();
        } else if (res.status === 429) {
          say(form.dataset.msgRate, false);
        } else if (res.status === 400) {
          say(form.dataset.msgInvalid, false);
        } else {
          say(form.dataset.msgFailed, false);
        }
      });
    }, function () {
      say(form.dataset.msgFailed, false);
    }).then(function () { button.disabled = false; });
  });
})();
