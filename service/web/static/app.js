/* Progressive touches only: every page works without this file. */
(function () {
  "use strict";
  // Highlight the paragraph or table row named in the address (#p-12) and keep it in view.
  function markTarget() {
    document.querySelectorAll(".is-target").forEach(function (el) { el.classList.remove("is-target"); });
    if (!location.hash) return;
    var el = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (!el) return;
    el.classList.add("is-target");
    el.setAttribute("tabindex", "-1");
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: "center" });
  }
  // An address naming a paragraph scrolls to that paragraph, also when it is reached again
  // by Back/Forward: the browser would put back the scroll where the reader left the page.
  if (location.hash && "scrollRestoration" in history) history.scrollRestoration = "manual";
  window.addEventListener("hashchange", markTarget);
  document.addEventListener("DOMContentLoaded", markTarget);
  // Back/Forward may show the page from the browser's cache: no DOMContentLoaded then. Scroll
  // to the paragraph again, and put every form field back to what the address says (the
  // browser would otherwise restore what was last chosen, not what the results show).
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.querySelectorAll("form").forEach(function (form) { form.reset(); });
    }
    markTarget();
  });

  // Filter selects and switches submit their form at once (the button works without JS).
  document.querySelectorAll("select[data-autosubmit], input[data-autosubmit]").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
  });
})();
