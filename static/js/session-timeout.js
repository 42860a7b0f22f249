/*
 * Idle-session warning (WCAG 2.2.1 Timing Adjustable) for signed-in pages.
 *
 * The server ends a session after <body data-session-seconds> seconds without a request. Shortly
 * before that (2 minutes, or 10% of the timeout when that is shorter) the #session-timeout dialog
 * (role="alertdialog", rendered in the page's language by base.html) opens with focus on
 * "Stay signed in". That button, or Escape, POSTs to the dialog's data-extend-url with the CSRF
 * token of the dialog's own form, and the timer starts again. "Logout" is that form: a plain POST to
 * the logout view. If nothing is chosen, the browser leaves the page for data-expired-url (the
 * Login page) once the session has ended, so no personal data stays on screen.
 *
 * No inline script and no inline style: the site's CSP allows neither.
 */
(function () {
  "use strict";

  var WARN_SECONDS = 120;
  var WARN_SHARE = 0.1;
  // Leave the page a moment after the server has forgotten the session, never before.
  var EXPIRY_SLACK_MS = 1000;

  var body = document.body;
  var dialog = document.getElementById("session-timeout");
  var seconds = parseInt(body.getAttribute("data-session-seconds") || "", 10);
  if (!dialog || !(seconds > 0) || typeof dialog.showModal !== "function") {
    return;
  }
  var stay = dialog.querySelector("[data-session-extend]");
  var tokenInput = dialog.querySelector("input[name='csrfmiddlewaretoken']");
  var extendUrl = dialog.getAttribute("data-extend-url");
  var expiredUrl = dialog.getAttribute("data-expired-url");
  var warnTimer = null;
  var expireTimer = null;
  var returnFocus = null;
  var extending = false;

  function leadSeconds(total) {
    return Math.min(WARN_SECONDS, total * WARN_SHARE);
  }

  function schedule(total) {
    window.clearTimeout(warnTimer);
    window.clearTimeout(expireTimer);
    warnTimer = window.setTimeout(warn, Math.max(0, (total - leadSeconds(total)) * 1000));
    expireTimer = window.setTimeout(expire, total * 1000 + EXPIRY_SLACK_MS);
  }

  function warn() {
    if (dialog.open) {
      return;
    }
    returnFocus = document.activeElement;
    dialog.showModal();
    stay.focus();
  }

  function close() {
    if (dialog.open) {
      dialog.close();
    }
    if (returnFocus && typeof returnFocus.focus === "function" && document.contains(returnFocus)) {
      returnFocus.focus();
    }
    returnFocus = null;
  }

  function expire() {
    window.clearTimeout(warnTimer);
    window.location.assign(expiredUrl);
  }

  function extend() {
    if (extending) {
      return;
    }
    extending = true;
    stay.setAttribute("aria-disabled", "true");
    window
      .fetch(extendUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": tokenInput.value, Accept: "application/json" },
        redirect: "manual",
      })
      .then(function (response) {
        if (response.type === "opaqueredirect") {
          // The server sent this request elsewhere (a page the session is restricted to):
          // load this page again, which renews the session and starts a new timer.
          window.location.assign(window.location.href.split("#")[0]);
          return null;
        }
        if (response.status === 401) {
          expire();
          return null;
        }
        if (!response.ok) {
          throw new Error("session extend failed: " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        if (data && data.signed_in) {
          close();
          schedule(data.idle_seconds > 0 ? data.idle_seconds : seconds);
        }
      })
      .catch(function () {
        // Keep the dialog open: the person can try again, or sign out.
        stay.focus();
      })
      .then(function () {
        extending = false;
        stay.removeAttribute("aria-disabled");
      });
  }

  stay.addEventListener("click", extend);
  // Escape asks to keep working, not to be signed out: treat it as "Stay signed in".
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    extend();
  });

  schedule(seconds);
})();
