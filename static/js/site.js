/*
 * Small site-wide behaviours (no inline script: the CSP forbids it).
 *
 * Skip link: USWDS moves focus to <main>; this keeps "#main-content" out of the address, where it
 * would otherwise stick through the next form submission and its redirect, and make the next page
 * start inside <main> rather than at its own skip link.
 *
 * Print: buttons marked data-phx-print open the browser's print dialog.
 *
 * Form errors: when a page comes back with an error summary, focus moves to it so screen readers
 * announce it at once; each link in the summary then focuses its field and scrolls the field's label
 * (or legend) into view, so the question is visible together with the answer box.
 */
(function () {
  "use strict";

  var skip = document.querySelector(".usa-skipnav[href='#main-content']");
  var main = document.getElementById("main-content");
  if (skip && main) {
    skip.addEventListener("click", function (event) {
      event.preventDefault();
      main.focus();
    });
  }

  // Print buttons (the bill page): a button, not a link, so it is reached and announced as one.
  document.querySelectorAll("[data-phx-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });

  var summary = document.getElementById("error-summary");
  if (!summary) {
    return;
  }

  function caption(input) {
    var group = input.closest("fieldset");
    if (group && group.querySelector("legend")) {
      return group.querySelector("legend");
    }
    if (input.labels && input.labels.length) {
      return input.labels[0];
    }
    return input;
  }

  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) {
      return;
    }
    var input = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!input) {
      return;
    }
    event.preventDefault();
    caption(input).scrollIntoView();
    input.focus({ preventScroll: true });
  });

  summary.focus();
})();
